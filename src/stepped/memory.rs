//! The stepped engine's memory system: per-operand DRAM channels that move their bandwidth
//! every cycle, and the SRAM policy (resident / double / single / streamed tiles; output
//! groups accumulating, draining or spilling) expressed as transfers with start conditions.
//!
//! A transfer of w words on a channel of bw words/cycle moves `bw` words per cycle (held in
//! thousandths of a word, starting from zero credit) and completes at the end of the cycle in
//! which its credit covers w. In `calc` mode a transfer completes the cycle it is issued.
//! A read with a latency L frees the channel when its words have moved but completes (its
//! data is usable) L cycles later, so the channel's next transfer overlaps the latency; a
//! transfer with no words, or in `calc` mode, has no latency.

use crate::config::{BandwidthMode, Memory, OperandMemory};

/// When a transfer may start, besides its channel being free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// At once.
    Now,
    /// Once fold j has started.
    FoldStarted(usize),
    /// Once fold j has ended.
    FoldEnded(usize),
}

/// One transfer on a channel.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Fold it belongs to.
    pub fold: usize,
    /// Words.
    pub words: u64,
    /// Start condition.
    pub cond: Cond,
    /// Whether the fold streams it (may start before it completes).
    pub streamed: bool,
    /// Cycle it started.
    pub started: Option<u64>,
    /// Cycle it completed (data usable from this cycle).
    pub done: Option<u64>,
    /// Cycles from its last word moving to its completion (DRAM read latency; 0 for writes).
    pub latency: u64,
    credit: u64,
}

impl Transfer {
    /// A pending transfer.
    pub fn new(fold: usize, words: u64, cond: Cond, streamed: bool) -> Transfer {
        Transfer {
            fold,
            words,
            cond,
            streamed,
            started: None,
            done: None,
            latency: 0,
            credit: 0,
        }
    }

    /// The transfer, completing `latency` cycles after its last word moves.
    pub fn with_latency(self, latency: u64) -> Transfer {
        Transfer { latency, ..self }
    }
}

/// A DRAM channel: a FIFO of transfers, one in flight.
#[derive(Debug)]
pub struct Channel {
    milli_per_cycle: u64,
    calc: bool,
    /// All transfers, in issue order.
    pub queue: Vec<Transfer>,
    /// The transfer in flight or next to start.
    head: usize,
    /// Every transfer before it has completed (by the cycle of the last `issue`).
    settled: usize,
    /// First and last busy cycle.
    pub window: Option<(u64, u64)>,
    /// Words moved.
    pub words: u64,
}

impl Channel {
    /// A channel for `mem`'s bandwidth.
    pub fn new(mem: &OperandMemory, memory: &Memory) -> Channel {
        Channel {
            milli_per_cycle: (mem.dram_bw.words_per_cycle() * 1000.0).round() as u64,
            calc: memory.bandwidth_mode == BandwidthMode::Calc,
            queue: Vec::new(),
            head: 0,
            settled: 0,
            window: None,
            words: 0,
        }
    }

    /// Starts transfers at cycle `t` while the channel is free and the head's condition holds.
    /// Instant (calc-mode) transfers complete on the spot, so several may go in one cycle.
    pub fn issue(&mut self, t: u64, started: &[Option<u64>], ended: &[Option<u64>]) {
        self.start_ready(t, started, ended);
        while self
            .queue
            .get(self.settled)
            .is_some_and(|x| x.done.is_some_and(|d| d <= t))
        {
            self.settled += 1;
        }
    }

    fn start_ready(&mut self, t: u64, started: &[Option<u64>], ended: &[Option<u64>]) {
        while let Some(x) = self.queue.get_mut(self.head) {
            if x.started.is_some() {
                return;
            }
            let ok = match x.cond {
                Cond::Now => true,
                Cond::FoldStarted(j) => started[j].is_some_and(|s| s <= t),
                Cond::FoldEnded(j) => ended[j].is_some_and(|e| e <= t),
            };
            if !ok {
                return;
            }
            x.started = Some(t);
            self.words += x.words;
            // Nothing to move (calc mode, or a tile of padding only): done on the spot.
            if self.calc || x.words == 0 {
                x.done = Some(t);
                self.window = Some(self.window.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
                self.head += 1;
            } else {
                return;
            }
        }
    }

    /// Moves one cycle's bandwidth on the transfer in flight during cycle `t`; true if a
    /// transfer moved.
    pub fn progress(&mut self, t: u64) -> bool {
        let Some(x) = self.queue.get_mut(self.head) else {
            return false;
        };
        if x.started.is_none() || x.done.is_some() {
            return false;
        }
        self.window = Some(self.window.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        x.credit += self.milli_per_cycle;
        if x.credit >= x.words * 1000 {
            x.done = Some(t + 1 + x.latency);
            self.head += 1;
        }
        true
    }

    /// Whether every transfer has completed.
    pub fn idle(&self) -> bool {
        self.head == self.queue.len()
    }

    /// Whether fold `fold` may start at cycle `t` as far as this channel goes: every transfer
    /// of an earlier or this fold has completed by `t`, except this fold's own streamed one,
    /// which need only have started. Transfers complete in queue (fold) order; `t` is no
    /// earlier than the cycle of the last [`Channel::issue`].
    pub fn ready_for(&self, fold: usize, t: u64) -> bool {
        let done_by = |x: &Transfer| x.done.is_some_and(|d| d <= t);
        // Everything before `settled` completed; look at the first transfers not yet done.
        let mut i = self.settled;
        while i < self.queue.len() && self.queue[i].fold <= fold {
            let x = &self.queue[i];
            let ok = if x.fold == fold && x.streamed {
                x.started.is_some()
            } else {
                done_by(x)
            };
            if !ok {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Whether fold `fold`'s streamed transfer (if any) has completed by cycle `t` (no
    /// earlier than the cycle of the last [`Channel::issue`]).
    pub fn streamed_done(&self, fold: usize, t: u64) -> bool {
        self.queue[self.settled.min(self.queue.len())..]
            .iter()
            .take_while(|x| x.fold <= fold)
            .filter(|x| x.fold == fold && x.streamed)
            .all(|x| x.done.is_some_and(|d| d <= t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Bandwidth;

    fn channel(mode: BandwidthMode) -> Channel {
        let op = OperandMemory {
            sram_kb: 1,
            word_bytes: 1,
            dram_bw: Bandwidth::from_words_per_cycle(10.0).unwrap(),
        };
        let memory = Memory {
            bandwidth_mode: mode,
            ifmap: op.clone(),
            filter: op.clone(),
            ofmap: op.clone(),
            metadata_word_bytes: 1,
            policy: Default::default(),
        };
        let mut ch = Channel::new(&op, &memory);
        ch.queue = vec![
            Transfer::new(0, 20, Cond::Now, false).with_latency(3),
            Transfer::new(1, 20, Cond::Now, false).with_latency(3),
        ];
        ch
    }

    /// Runs `ch` for `cycles` with no folds started or ended.
    fn run(ch: &mut Channel, cycles: std::ops::Range<u64>) {
        for t in cycles {
            ch.issue(t, &[None, None], &[None, None]);
            ch.progress(t);
        }
    }

    #[test]
    fn read_latency_pipelines_on_the_channel() {
        // 20 words at 10 words/cycle: transfer 0 moves in cycles 0-1 and completes at 2 + 3;
        // transfer 1 starts at 2 (the channel does not wait for the latency), moves in 2-3
        // and completes at 4 + 3.
        // (`ready_for` asks about the cycle of the last `issue`.)
        let mut ch = channel(BandwidthMode::User);
        run(&mut ch, 0..5);
        assert!(!ch.ready_for(0, 4));
        run(&mut ch, 5..7);
        assert!(ch.ready_for(0, 6) && !ch.ready_for(1, 6));
        run(&mut ch, 7..8);
        assert!(ch.ready_for(1, 7));
        let q = &ch.queue;
        assert_eq!((q[0].started, q[0].done), (Some(0), Some(5)));
        assert_eq!((q[1].started, q[1].done), (Some(2), Some(7)));
        assert_eq!(ch.window, Some((0, 3)));
    }

    #[test]
    fn calc_mode_transfers_have_no_latency() {
        let mut ch = channel(BandwidthMode::Calc);
        run(&mut ch, 0..1);
        assert_eq!((ch.queue[1].started, ch.queue[1].done), (Some(0), Some(0)));
        assert!(ch.ready_for(1, 0));
    }
}
