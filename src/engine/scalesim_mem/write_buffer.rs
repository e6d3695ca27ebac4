//! SCALE-Sim's ofmap write buffer (both bandwidth modes).
//!
//! Writes are packed into DRAM lines of `bw` words. Full lines collect in a cache that moves
//! to the drain queue every 1024 lines or when a drain is forced. Order of events per written
//! word: the word is stored (free space − 1); then, if a drain is still running, the write
//! waits for its end only when the buffer has no free space; otherwise, if more than `P`
//! words are held (`free < A`), the partial line is flushed and a drain of up to `⌈P/bw⌉`
//! queued lines starts at the current cycle, one line per cycle (write latency 0), crediting
//! the drained words (padding slots of the drain's last line excepted) to the free space at
//! once. At the end of the layer everything left drains from the last line's cycle on.

use super::DramLine;
use std::collections::VecDeque;

/// Lines the cache holds before it moves to the drain queue.
const CACHE_LINES: u64 = 1024;

/// The ofmap write buffer.
pub struct WriteBuffer {
    bw: u64,
    total: i64,
    active: i64,
    drain_words: u64,
    free: i64,
    line_fill: u64,
    cache_full_lines: u64,
    /// Valid words of each queued (committed, not drained) line.
    queue: VecDeque<u64>,
    committed_any: bool,
    drain_end: i64,
    /// Words written to DRAM.
    pub writes: u64,
    /// First and last DRAM cycle.
    pub dram_window: Option<(i64, i64)>,
    /// Stored addresses not yet drained, kept only for DRAM traces.
    addrs: Option<VecDeque<u64>>,
}

impl WriteBuffer {
    /// A buffer of `sram_words` draining `bw` words per cycle; `keep_addresses` for traces.
    pub fn new(sram_words: u64, bw: u64, keep_addresses: bool) -> WriteBuffer {
        let active = sram_words.div_ceil(2);
        WriteBuffer {
            bw,
            total: sram_words as i64,
            active: active as i64,
            drain_words: sram_words - active,
            free: sram_words as i64,
            line_fill: 0,
            cache_full_lines: 0,
            queue: VecDeque::new(),
            committed_any: false,
            drain_end: 0,
            writes: 0,
            dram_window: None,
            addrs: keep_addresses.then(VecDeque::new),
        }
    }

    fn commit_cache(&mut self) {
        for _ in 0..self.cache_full_lines {
            self.queue.push_back(self.bw);
        }
        self.cache_full_lines = 0;
    }

    fn store(&mut self, addr: u64) {
        if let Some(a) = &mut self.addrs {
            a.push_back(addr);
        }
        self.line_fill += 1;
        self.free -= 1;
        if self.line_fill == self.bw {
            self.cache_full_lines += 1;
            self.line_fill = 0;
            if self.cache_full_lines >= CACHE_LINES {
                self.commit_cache();
                self.committed_any = true;
            }
        }
    }

    /// Flushes the partial line and the cache into the drain queue.
    fn force_commit(&mut self) {
        let partial = self.line_fill;
        if self.cache_full_lines == 0 && partial == 0 {
            return;
        }
        self.commit_cache();
        if partial > 0 {
            self.queue.push_back(partial);
            self.line_fill = 0;
        }
        self.committed_any = true;
    }

    /// Drains up to `⌈P/bw⌉` queued lines from `start`; returns the last drain cycle.
    fn drain(&mut self, start: i64, mut sink: Option<&mut Vec<DramLine>>) -> i64 {
        let n = self
            .drain_words
            .div_ceil(self.bw)
            .min(self.queue.len() as u64);
        if n == 0 {
            return start - 1;
        }
        let mut last_valid = 0;
        for i in 0..n {
            let valid = self.queue.pop_front().expect("n ≤ queue length");
            last_valid = valid;
            if let Some(a) = &mut self.addrs {
                let addrs: Vec<u64> = a.drain(..valid as usize).collect();
                if let Some(s) = sink.as_deref_mut() {
                    s.push(DramLine {
                        cycle: start + i as i64,
                        addrs,
                    });
                }
            }
        }
        let data = n * self.bw - (self.bw - last_valid);
        self.writes += data;
        self.free += data as i64;
        let end = start + n as i64 - 1;
        self.dram_window = Some(match self.dram_window {
            None => (start, end),
            Some((a, b)) => (a.min(start), b.max(end)),
        });
        end
    }

    /// Services one demand line at `cycle`; returns the cycle it is served.
    pub fn service(
        &mut self,
        cycle: i64,
        addrs: &[u64],
        mut sink: Option<&mut Vec<DramLine>>,
    ) -> i64 {
        let mut current = cycle;
        for &a in addrs {
            self.store(a);
            if current < self.drain_end {
                if self.free <= 0 {
                    current = self.drain_end;
                }
            } else if self.free < self.total - self.drain_words as i64 {
                debug_assert_eq!(self.total - self.drain_words as i64, self.active);
                self.force_commit();
                self.drain_end = self.drain(current, sink.as_deref_mut());
            }
        }
        current
    }

    /// Drains everything left, from `cycle` on.
    pub fn finish(&mut self, mut cycle: i64, mut sink: Option<&mut Vec<DramLine>>) {
        self.force_commit();
        if !self.committed_any {
            return;
        }
        while !self.queue.is_empty() {
            self.drain_end = self.drain(cycle, sink.as_deref_mut());
            cycle = self.drain_end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4-word buffer (A = 2, P = 2) draining 1 word/cycle.
    #[test]
    fn drains_and_stalls_by_hand() {
        let mut b = WriteBuffer::new(4, 1, false);
        // One word per line: the third leaves 1 word free (< A = 2), so the 3 held lines
        // are queued and 2 of them drain at cycles 2 and 3, freeing 2 words.
        for c in 0..3 {
            assert_eq!(b.service(c, &[c as u64], None), c);
        }
        assert_eq!((b.writes, b.dram_window), (2, Some((2, 3))));
        // Cycle 3: the drain runs until 3 (not after), 2 words free: nothing happens.
        assert_eq!(b.service(3, &[3], None), 3);
        // Cycle 4: 1 free < 2: queue 3 lines, drain 2 at 4, 5.
        assert_eq!(b.service(4, &[4], None), 4);
        b.finish(4, None);
        // The last queued line drains from cycle 4.
        assert_eq!((b.writes, b.dram_window), (5, Some((2, 5))));
    }

    /// Six words in one line at cycle 0: the third starts a drain of 2 lines (0, 1); the
    /// sixth finds no free word while it runs and waits for its end: served at 1.
    #[test]
    fn a_full_buffer_waits_for_the_running_drain() {
        let mut b = WriteBuffer::new(4, 1, false);
        assert_eq!(b.service(0, &[1, 2, 3, 4, 5, 6], None), 1);
    }
}
