//! SCALE-Sim's CALC-mode read buffer: it never stalls (every line is served one cycle after
//! its demand) and estimates the DRAM traffic and bandwidth a stall-free run needs.
//!
//! Demanded addresses that miss the active window and the set being built are collected, in
//! demand order, into sets of `⌊S/100⌋` distinct words; 50 sets form the active window and
//! 50 the prefetch window. When the active window's sets are complete, the first fill is
//! recorded (ending one cycle before the first demand, at 10 words per cycle); each later
//! 50-set group is recorded as a prefetch over the cycles since the previous one, at the
//! bandwidth that fits it. At the end the partial group is recorded. DRAM reads are the words
//! of the recorded sets.

use super::DramLine;
use std::collections::HashMap;

/// The CALC-mode read buffer.
pub struct EstimateBuffer {
    per_set: u64,
    n_active: u64,
    n_prefetch: u64,
    default_bw: u64,
    /// Completed sets' words (freed sets emptied).
    sets: Vec<Vec<u64>>,
    /// The set being built.
    current: Vec<u64>,
    /// Latest set id each address was put in. An address is in the active window exactly
    /// when its latest set is a completed set at or after the window's start: sets are only
    /// ever added at the window's end.
    latest: HashMap<u64, u64>,
    current_id: u64,
    read_start: u64,
    read_end: u64,
    prefetch_start: u64,
    prefetch_end: u64,
    active_done: bool,
    first_request: Option<i64>,
    last_start: i64,
    last_end: i64,
    /// Words read from DRAM.
    pub reads: u64,
    /// First and last recorded DRAM cycle (first and last trace rows).
    pub dram_window: Option<(i64, i64)>,
}

impl EstimateBuffer {
    /// A buffer of `sram_words` words.
    pub fn new(sram_words: u64) -> EstimateBuffer {
        EstimateBuffer {
            per_set: sram_words / 100,
            n_active: 50,
            n_prefetch: 50,
            default_bw: 10,
            sets: Vec::new(),
            current: Vec::new(),
            latest: HashMap::new(),
            current_id: 0,
            read_start: 0,
            read_end: 49,
            prefetch_start: 0,
            prefetch_end: 0,
            active_done: false,
            first_request: None,
            last_start: -2,
            last_end: -1,
            reads: 0,
            dram_window: None,
        }
    }

    fn hit(&self, addr: u64) -> bool {
        let end = self.current_id.min(self.read_end + 1);
        self.latest
            .get(&addr)
            .is_some_and(|&i| i >= self.read_start && i < end)
    }

    /// Records a prefetch of sets `[from, to]` over `[last_start, last_end]` at `bw`.
    fn prefetch(&mut self, from: u64, to: u64, bw: u64, sink: Option<&mut Vec<DramLine>>) {
        let mut words: Vec<u64> = Vec::new();
        for i in from..=to {
            if let Some(s) = self.sets.get(i as usize) {
                words.extend_from_slice(s);
            }
        }
        self.reads += words.len() as u64;
        let cycles = self.last_end - self.last_start + 1;
        if cycles <= 0 {
            return;
        }
        // Each row's response arrives one cycle after its request (read latency 1).
        let (first, last) = (self.last_start + 1, self.last_end + 1);
        let w = match self.dram_window {
            None => (first, last),
            Some((a, _)) => (a, last),
        };
        self.dram_window = Some(w);
        if let Some(sink) = sink {
            let bw = bw.max(1) as usize;
            for (i, row) in words.chunks(bw).enumerate() {
                sink.push(DramLine {
                    cycle: first + i as i64,
                    addrs: row.to_vec(),
                });
            }
        }
    }

    fn on_miss(&mut self, cycle: i64, addr: u64, mut sink: Option<&mut Vec<DramLine>>) {
        if self.latest.insert(addr, self.current_id) == Some(self.current_id) {
            return;
        }
        self.current.push(addr);
        if self.current.len() as u64 != self.per_set {
            return;
        }
        self.sets.push(std::mem::take(&mut self.current));
        self.current_id += 1;
        if self.current_id != self.read_end + 1 {
            return;
        }
        let elems = self.n_prefetch * self.per_set;
        if !self.active_done {
            let first = self.first_request.unwrap_or(cycle);
            // Backing read latency 1.
            self.last_end = first - 1 - 1;
            let needed = elems.div_ceil(self.default_bw) as i64;
            self.last_start = self.last_end - needed + 1;
            self.prefetch(0, self.n_active - 1, self.default_bw, sink.as_deref_mut());
            self.prefetch_start = self.read_end + 1;
            self.prefetch_end = self.prefetch_start + self.n_prefetch - 1;
            self.active_done = true;
        } else {
            let needed = (self.last_end - self.last_start + 1).max(1) as u64;
            let bw = elems.div_ceil(needed);
            self.prefetch(self.prefetch_start, self.prefetch_end, bw, sink);
            self.prefetch_start += self.n_prefetch;
            self.prefetch_end += self.n_prefetch;
        }
        for j in 0..self.n_prefetch {
            if let Some(s) = self.sets.get_mut((self.read_start + j) as usize) {
                *s = Vec::new();
            }
        }
        self.read_start += self.n_prefetch;
        self.read_end += self.n_prefetch;
        self.last_start = self.last_end + 1;
        self.last_end = cycle;
    }

    /// Services one demand line at `cycle`; returns the cycle it is served (`cycle + 1`).
    pub fn service(
        &mut self,
        cycle: i64,
        addrs: &[u64],
        mut sink: Option<&mut Vec<DramLine>>,
    ) -> i64 {
        if self.first_request.is_none() && !addrs.is_empty() {
            self.first_request = Some(cycle);
        }
        for &a in addrs {
            if !self.hit(a) {
                self.on_miss(cycle, a, sink.as_deref_mut());
            }
        }
        cycle + 1
    }

    /// Records the prefetches still pending at the end of the layer.
    pub fn finish(&mut self, sink: Option<&mut Vec<DramLine>>) {
        if !self.current.is_empty() {
            self.sets.push(std::mem::take(&mut self.current));
        } else if self.current_id > 0 {
            self.current_id -= 1;
        } else {
            // SCALE-Sim lets the id go to −1 here: nothing to fetch.
            self.dram_window.get_or_insert((0, 0));
            return;
        }
        if !self.active_done {
            self.last_end = -1 - 1;
            let sets = self.current_id + 1;
            let needed = (sets * self.per_set).div_ceil(self.default_bw) as i64;
            self.last_start = self.last_end - needed + 1;
            self.prefetch(0, sets - 1, self.default_bw, sink);
            self.active_done = true;
        } else {
            let sets = (self.current_id + 1).saturating_sub(self.prefetch_start);
            self.prefetch_end = self.current_id;
            let needed = (self.last_end - self.last_start + 1).max(1) as u64;
            let bw = (sets * self.per_set).div_ceil(needed);
            self.prefetch(self.prefetch_start, self.prefetch_end, bw, sink);
        }
    }
}
