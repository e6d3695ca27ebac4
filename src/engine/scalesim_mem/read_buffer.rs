//! SCALE-Sim's USER-mode read buffer (ifmap or filter SRAM), address by address.
//!
//! The SRAM of `S` words is split into an active part `A = ⌈S/2⌉` and a prefetch part
//! `P = S − A`. The operand's prefetch stream is cut into DRAM lines of `bw` words (padding
//! slots included) and, for lookups, its valid words into *sets* of `ε = ⌈S/100⌉` words
//! (duplicates counted). `n_A = min(⌈A/ε⌉, sets)` sets are active; a window slide moves
//! `n_P = min(⌈P/ε⌉, sets − n_A)` sets, circularly.
//!
//! Order of events: before the first line the first `min(⌈A/bw⌉, lines)` DRAM lines are
//! fetched at cycles `−n₀ … −1` (the fill happens before cycle 0). For each demanded address
//! of a line, in lane order: while it is not in an active set, the window slides and a
//! prefetch of `⌈P/bw⌉` lines is issued on the prefetch timeline (one cycle after the previous
//! one ends; each line's data arrives one cycle after its request), and the potential stall
//! `p = last_prefetch − (cycle + offset)` is added to the line's offset — once, and once more
//! if positive (SCALE-Sim 3.0.0 charges a stall twice). The line is serviced at
//! `cycle + offset` (`offset` starts at the 1-cycle hit latency).

use super::DramLine;

/// Per-address set lists, compressed: the sets holding address `a` are
/// `sets[start[a]..start[a + 1]]`, ascending.
struct SetIndex {
    start: Vec<u32>,
    sets: Vec<u32>,
}

impl SetIndex {
    fn build(stream: &[Option<u64>], eps: u64) -> SetIndex {
        let max = stream.iter().flatten().max().map_or(0, |&a| a + 1);
        let max = usize::try_from(max).expect("addresses are bounded by the layer's size");
        let mut count = vec![0u32; max + 1];
        let mut last_set = vec![u32::MAX; max];
        for (v, a) in stream.iter().flatten().enumerate() {
            let (a, set) = (*a as usize, (v as u64 / eps) as u32);
            if last_set[a] != set {
                last_set[a] = set;
                count[a + 1] += 1;
            }
        }
        for i in 0..max {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut sets = vec![0u32; count[max] as usize];
        last_set.fill(u32::MAX);
        for (v, a) in stream.iter().flatten().enumerate() {
            let (a, set) = (*a as usize, (v as u64 / eps) as u32);
            if last_set[a] != set {
                last_set[a] = set;
                sets[fill[a] as usize] = set;
                fill[a] += 1;
            }
        }
        SetIndex { start: count, sets }
    }

    /// Whether `addr` is in a set of the circular window `[start, end)` of `n` sets.
    fn in_window(&self, addr: u64, start: u64, end: u64) -> bool {
        let Some(lo) = self.start.get(addr as usize) else {
            return false;
        };
        let hi = self.start[addr as usize + 1];
        let ids = &self.sets[*lo as usize..hi as usize];
        let (s, e) = (start as u32, end as u32);
        if s < e {
            let i = ids.partition_point(|&x| x < s);
            i < ids.len() && ids[i] < e
        } else {
            ids.last().is_some_and(|&x| x >= s) || ids.first().is_some_and(|&x| x < e)
        }
    }
}

/// One operand's USER-mode read buffer.
pub struct ReadBuffer {
    bw: u64,
    active_words: u64,
    prefetch_words: u64,
    /// DRAM lines of the prefetch stream.
    lines: u64,
    index: SetIndex,
    sets: u64,
    n_active: u64,
    n_prefetch: u64,
    window: (u64, u64),
    started: bool,
    last_prefetch: i64,
    /// Words read from DRAM (whole lines, padding included).
    pub reads: u64,
    /// First and last DRAM response cycle.
    pub dram_window: Option<(i64, i64)>,
    /// The prefetch stream, kept for DRAM traces only (empty otherwise).
    stream: Vec<Option<u64>>,
    next_line: u64,
    next_col: u64,
}

impl ReadBuffer {
    /// A buffer of `sram_words` words fed at `bw` words per cycle with `stream`; `for_trace`
    /// keeps the stream to report the words of each DRAM line.
    pub fn new(sram_words: u64, bw: u64, stream: Vec<Option<u64>>, for_trace: bool) -> ReadBuffer {
        let active_words = sram_words.div_ceil(2);
        let prefetch_words = sram_words - active_words;
        let eps = sram_words.div_ceil(100).max(1);
        let valid = stream.iter().flatten().count() as u64;
        let sets = valid / eps + 1;
        let n_active = active_words.div_ceil(eps).min(sets);
        let n_prefetch = prefetch_words.div_ceil(eps).min(sets - n_active);
        ReadBuffer {
            bw,
            active_words,
            prefetch_words,
            lines: (stream.len() as u64).div_ceil(bw),
            index: SetIndex::build(&stream, eps),
            sets,
            n_active,
            n_prefetch,
            window: (0, n_active),
            started: false,
            last_prefetch: -1,
            reads: 0,
            dram_window: None,
            stream: if for_trace { stream } else { Vec::new() },
            next_line: 0,
            next_col: 0,
        }
    }

    fn record(&mut self, first: i64, last: i64) {
        self.dram_window = Some(match self.dram_window {
            None => (first, last),
            Some((a, b)) => (a.min(first), b.max(last)),
        });
    }

    /// The words of fetch lines `rows` (wrapping), with SCALE-Sim's chomped slots dropped.
    fn emit(&self, sink: &mut Vec<DramLine>, first_cycle: i64, rows: &[u64], skip: (u64, u64)) {
        let n = rows.len();
        for (i, &row) in rows.iter().enumerate() {
            let words: Vec<u64> = (0..self.bw)
                .filter(|&col| !((i == 0 && col < skip.0) || (i + 1 == n && col >= skip.1)))
                .filter_map(|col| {
                    self.stream
                        .get((row * self.bw + col) as usize)
                        .copied()
                        .flatten()
                })
                .collect();
            sink.push(DramLine {
                cycle: first_cycle + i as i64,
                addrs: words,
            });
        }
    }

    /// The first fill, before the line at `start`.
    fn fill(&mut self, start: i64, sink: Option<&mut Vec<DramLine>>) {
        let n0 = self.active_words.div_ceil(self.bw).min(self.lines);
        let requested = n0 * self.bw;
        self.reads += requested;
        self.record(start - n0 as i64, start - 1);
        self.last_prefetch = start - 1;
        let over = requested > self.active_words;
        self.next_col = if over { self.active_words % self.bw } else { 0 };
        if let Some(sink) = sink {
            let rows: Vec<u64> = (0..n0).collect();
            let keep = if over { self.next_col } else { self.bw };
            self.emit(sink, start - n0 as i64, &rows, (0, keep));
        }
        self.next_line = if over { n0 } else { n0 + 1 } % self.lines.max(1);
        self.window = (0, self.n_active);
        self.started = true;
    }

    /// A window slide and its prefetch.
    fn slide(&mut self, sink: Option<&mut Vec<DramLine>>) {
        let start = (self.window.0 + self.n_prefetch) % self.sets;
        self.window = (start, (start + self.n_active) % self.sets);
        let n = self.prefetch_words.div_ceil(self.bw);
        let requested = n * self.bw;
        self.reads += requested;
        let first = self.last_prefetch + 2;
        self.last_prefetch += n as i64 + 1;
        self.record(first, self.last_prefetch);
        if let Some(sink) = sink {
            // SCALE-Sim's request rows: from `next_line`, wrapping once, never past the start.
            let lines = self.lines.max(1);
            let s = self.next_line;
            let end = s + n;
            let mut rows: Vec<u64> = (s..end.min(lines)).collect();
            if end > lines {
                rows.extend(0..(end - lines).min(s));
            }
            let keep = if requested > self.active_words {
                self.active_words % self.bw
            } else {
                self.bw
            };
            self.emit(sink, first, &rows, (self.next_col, keep));
        }
        let over = requested > self.active_words;
        self.next_line = if over { n } else { n + 1 } % self.lines.max(1);
    }

    /// Services one demand line at `cycle`; returns the cycle it is served.
    pub fn service(
        &mut self,
        cycle: i64,
        addrs: &[u64],
        mut sink: Option<&mut Vec<DramLine>>,
    ) -> i64 {
        if !self.started {
            self.fill(cycle, sink.as_deref_mut());
        }
        let mut offset: i64 = 1;
        for &a in addrs {
            let mut slides = 0u64;
            while !self.index.in_window(a, self.window.0, self.window.1) {
                slides += 1;
                assert!(
                    slides <= self.sets + 1,
                    "address {a} is not in the prefetch stream"
                );
                self.slide(sink.as_deref_mut());
                let p = self.last_prefetch - (cycle + offset);
                offset += p;
                if p > 0 {
                    offset += p;
                }
            }
        }
        cycle + offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4-word SRAM (A = 2, P = 2, sets of ε = ⌈4/100⌉ = 1 word, 5 sets with the empty last
    /// one; n_A = n_P = 2) fed at 1 word/cycle with the stream 10, 11, 12, 13.
    #[test]
    fn window_slides_and_double_charged_stall_by_hand() {
        let mut b = ReadBuffer::new(4, 1, vec![Some(10), Some(11), Some(12), Some(13)], false);
        // Fill: 2 lines at cycles −2, −1; window sets [0, 2) = {10, 11}; hit: 0 + 1.
        assert_eq!(b.service(0, &[10], None), 1);
        assert_eq!((b.reads, b.dram_window), (2, Some((-2, -1))));
        // 12 misses: slide to [2, 4), 2 lines at 1, 2 (last prefetch 2); p = 2 − (1 + 1) = 0.
        assert_eq!(b.service(1, &[12], None), 2);
        assert_eq!(b.service(2, &[13], None), 3);
        // 10 misses: slide to {4, 0}; lines at 4, 5; p = 5 − (3 + 1) = 1, charged twice:
        // offset 1 + 1 + 1 = 3.
        assert_eq!(b.service(3, &[10], None), 6);
        assert_eq!((b.reads, b.dram_window), (6, Some((-2, 5))));
    }
}
