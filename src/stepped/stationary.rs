//! The array under a stationary dataflow (WS, IS), one cycle at a time.
//!
//! Per fold: (1) **load** — for R cycles the stationary tile shifts down one row per cycle from
//! the top edge; (2) **decode wait** — streaming waits until the fold's metadata is decoded;
//! (3) **stream** — each array row receives, skewed by its row index, one input vector every
//! `s` cycles as `s` chunks of B lanes (chunk j carries list entries `j·B .. j·B + B`); lane
//! words move right one PE per cycle with a valid bit, their chunk index and an
//! end-of-vector bit. A PE latches its activation from lane `sel % B` of chunk `sel / B`; on
//! the end-of-vector word it adds `w · x` to the partial sum arriving from the PE above (which
//! that PE produced the cycle before) — a MAC event — and partial sums leave the bottom row
//! as outputs. The fold ends after the cycle in which the bottom-right PE has seen the last
//! vector's end-of-vector word. Unused rows and columns carry bubbles, so the wavefront always
//! crosses the whole array.
//!
//! Per-cycle order: shift lanes right and inject at the left edge; then, bottom row first,
//! every PE latches and fires; then outputs leave the bottom row.

use crate::stats::PeGrid;

const VALID: u64 = 1 << 63;
const EOV: u64 = 1 << 62;
const CHUNK: u64 = 0xFFFF;
/// Lane words carry their vector index in bits 16..48.
const VECTOR_SHIFT: u32 = 16;

/// What the stationary kernel needs to run one fold.
#[derive(Debug, Clone)]
pub struct StationaryFold {
    /// Rows and columns in use.
    pub rows_used: usize,
    /// Columns in use.
    pub cols_used: usize,
    /// Stationary values, `rows_used × cols_used`.
    pub stat: Vec<i8>,
    /// Whether each stationary value is nonzero (WS: an effectual weight).
    pub nonzero: Vec<bool>,
    /// Whether each PE holds something to multiply.
    pub present: Vec<bool>,
    /// Select index of each PE into its row's list.
    pub sel: Vec<u16>,
    /// Entries each used row receives per vector.
    pub list_len: Vec<usize>,
    /// Streamed vectors, T.
    pub vectors: usize,
    /// Whether the streamed value decides effectual work (IS: the streamed operand is the
    /// weight) — then `stream_nonzero` tells.
    pub streamed_weights: bool,
}

/// Where streamed values come from and outputs go.
pub trait StreamIo {
    /// Value of entry `j` of row r's list for vector t.
    fn value(&self, r: usize, t: usize, j: usize) -> i32;
    /// Whether that streamed value is a nonzero weight (used when weights stream).
    fn stream_nonzero(&self, r: usize, t: usize) -> bool;
    /// An output leaves column c for vector t.
    fn output(&mut self, c: usize, t: usize, value: i32);
}

/// Per-fold counters the kernel reports.
#[derive(Debug, Default, Clone, Copy)]
pub struct FoldCounters {
    /// Stationary words loaded from SRAM.
    pub stationary_reads: u64,
    /// Streamed words read from SRAM.
    pub stream_reads: u64,
    /// Outputs written to SRAM.
    pub output_writes: u64,
    /// MAC events with a nonzero weight.
    pub effectual: u64,
    /// MAC events with a zero or absent weight.
    pub zero_weight: u64,
    /// Largest number of activations an array row received per vector.
    pub max_list: usize,
}

/// Phase of the fold in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Load(usize),
    Wait,
    Stream,
}

/// Registers of an R×C array with B-lane row buses.
pub struct StationaryArray {
    r: usize,
    c: usize,
    b: usize,
    load_val: Vec<i32>,
    load_nz: Vec<bool>,
    load_present: Vec<bool>,
    load_sel: Vec<u16>,
    load_used: Vec<bool>,
    lane_val: Vec<i32>,
    lane_tag: Vec<u64>,
    latched: Vec<i32>,
    psum: Vec<i32>,
    phase: Phase,
    tau: usize,
    s: usize,
    cycles: u64,
    /// Per PE: MAC events with nonzero / zero weight, bus-wait cycles, decode-wait cycles.
    /// MAC weight of each PE (0 for an absent one) and its MAC events in the fold.
    mac_w: Vec<i32>,
    events: Vec<u64>,
    /// Streamed-weight dataflows: MAC events with a nonzero streamed weight.
    events_nz: Vec<u64>,
    waits: Vec<u64>,
    decode_waits: u64,
    /// What the last step did (for the trace).
    activity: super::ArrayActivity,
}

impl StationaryArray {
    /// An idle array.
    pub fn new(rows: usize, cols: usize, lanes: usize) -> StationaryArray {
        let n = rows * cols;
        StationaryArray {
            r: rows,
            c: cols,
            b: lanes.max(1),
            load_val: vec![0; n],
            load_nz: vec![false; n],
            load_present: vec![false; n],
            load_sel: vec![0; n],
            load_used: vec![false; n],
            lane_val: vec![0; n * lanes.max(1)],
            lane_tag: vec![0; n],
            latched: vec![0; n],
            psum: vec![0; n],
            phase: Phase::Load(0),
            tau: 0,
            s: 1,
            cycles: 0,
            mac_w: vec![0; n],
            events: vec![0; n],
            events_nz: vec![0; n],
            waits: vec![0; n],
            decode_waits: 0,
            activity: super::ArrayActivity::Load,
        }
    }

    /// Resets the registers for a new fold; `s` = cycles per vector chosen by the stream
    /// controller (the most chunks any row needs).
    pub fn begin(&mut self, f: &StationaryFold) {
        self.load_val.fill(0);
        self.load_nz.fill(false);
        self.load_present.fill(false);
        self.load_used.fill(false);
        self.lane_tag.fill(0);
        self.latched.fill(0);
        self.psum.fill(0);
        self.events.fill(0);
        self.events_nz.fill(0);
        self.waits.fill(0);
        self.decode_waits = 0;
        self.phase = Phase::Load(0);
        self.tau = 0;
        self.cycles = 0;
        self.s = f
            .list_len
            .iter()
            .map(|&d| d.div_ceil(self.b))
            .max()
            .unwrap_or(1)
            .max(1);
    }

    /// Cycles per vector of the fold in progress.
    pub fn cycles_per_vector(&self) -> usize {
        self.s
    }
    /// Advances one cycle. `decoded` says whether the fold's metadata is decoded. Returns
    /// `true` when this was the fold's last cycle.
    pub fn step(
        &mut self,
        f: &StationaryFold,
        decoded: bool,
        io: &mut impl StreamIo,
        k: &mut FoldCounters,
    ) -> bool {
        self.cycles += 1;
        if self.phase == Phase::Wait && decoded {
            self.phase = Phase::Stream;
        }
        self.activity = match self.phase {
            Phase::Load(_) => super::ArrayActivity::Load,
            Phase::Wait => super::ArrayActivity::DecodeWait,
            Phase::Stream => super::ArrayActivity::Stream,
        };
        match self.phase {
            Phase::Load(i) => {
                // Shift the loaded rows down and enter row R-1-i at the top.
                let c = self.c;
                for row in (1..self.r).rev() {
                    let (dst, src) = (row * c, (row - 1) * c);
                    self.load_val.copy_within(src..src + c, dst);
                    self.load_nz.copy_within(src..src + c, dst);
                    self.load_present.copy_within(src..src + c, dst);
                    self.load_sel.copy_within(src..src + c, dst);
                    self.load_used.copy_within(src..src + c, dst);
                }
                let entering = self.r - 1 - i;
                for col in 0..c {
                    let used = entering < f.rows_used && col < f.cols_used;
                    let j = entering * f.cols_used + col;
                    self.load_used[col] = used;
                    self.load_val[col] = if used { i32::from(f.stat[j]) } else { 0 };
                    self.load_nz[col] = used && f.nonzero[j];
                    self.load_present[col] = used && f.present[j];
                    self.load_sel[col] = if used { f.sel[j] } else { 0 };
                    k.stationary_reads += u64::from(used);
                }
                if i + 1 < self.r {
                    self.phase = Phase::Load(i + 1);
                } else {
                    self.phase = Phase::Wait;
                    for p in 0..self.mac_w.len() {
                        self.mac_w[p] = if self.load_present[p] {
                            self.load_val[p]
                        } else {
                            0
                        };
                    }
                }
                false
            }
            Phase::Wait => {
                self.decode_waits += 1;
                false
            }
            Phase::Stream => self.stream_cycle(f, io, k),
        }
    }

    fn stream_cycle(
        &mut self,
        f: &StationaryFold,
        io: &mut impl StreamIo,
        k: &mut FoldCounters,
    ) -> bool {
        let (rr, cc, b, s) = (self.r, self.c, self.b, self.s);
        let total = f.vectors * s;
        // 1. Lanes move right one PE; the row sources inject at the left edge, skewed by row.
        for row in 0..rr {
            let base = row * cc;
            self.lane_tag.copy_within(base..base + cc - 1, base + 1);
            self.lane_val
                .copy_within(base * b..(base + cc - 1) * b, (base + 1) * b);
            let local = self.tau as isize - row as isize;
            if local >= 0 && (local as usize) < total {
                let (t, j) = (local as usize / s, local as usize % s);
                let mut tag = VALID | j as u64 | ((t as u64) << VECTOR_SHIFT);
                if j == s - 1 {
                    tag |= EOV;
                }
                self.lane_tag[base] = tag;
                let len = if row < f.rows_used {
                    f.list_len[row]
                } else {
                    0
                };
                for lane in 0..b {
                    let e = j * b + lane;
                    self.lane_val[base * b + lane] = if e < len {
                        k.stream_reads += 1;
                        io.value(row, t, e)
                    } else {
                        0
                    };
                }
            } else {
                self.lane_tag[base] = 0;
            }
        }
        // 2. PEs, bottom row first so each reads the psum its upper neighbour made last cycle.
        if b == 1 && s == 1 && !f.streamed_weights {
            return self.fire_one_lane(f, io, k);
        }
        let mut last = false;
        for row in (0..rr).rev() {
            for col in 0..cc {
                let p = row * cc + col;
                let tag = self.lane_tag[p];
                if tag & VALID == 0 {
                    continue;
                }
                let chunk = (tag & CHUNK) as usize;
                let sel = self.load_sel[p] as usize;
                if self.load_present[p] && sel / b == chunk {
                    self.latched[p] = self.lane_val[p * b + sel % b];
                }
                if tag & EOV == 0 {
                    if self.load_used[p] {
                        self.waits[p] += 1;
                    }
                    continue;
                }
                let above = if row == 0 { 0 } else { self.psum[p - cc] };
                self.psum[p] = above.wrapping_add(self.mac_w[p].wrapping_mul(self.latched[p]));
                let t = ((tag >> VECTOR_SHIFT) & 0xFFFF_FFFF) as usize;
                self.events[p] += 1;
                if self.load_used[p] && f.streamed_weights {
                    // The weight streams in (IS): effectual when it is nonzero.
                    if io.stream_nonzero(row, t) {
                        self.events_nz[p] += 1;
                    }
                }
                if row == rr - 1 {
                    if col < f.cols_used {
                        io.output(col, t, self.psum[p]);
                        k.output_writes += 1;
                    }
                    if col == cc - 1 && t + 1 == f.vectors {
                        last = true;
                    }
                }
            }
        }
        self.tau += 1;
        last
    }

    /// Step 2 when each row receives one activation per cycle and weights are stationary:
    /// every valid lane word ends its vector and a PE's activation is its lane word, so a PE
    /// fires on every valid word. Same result as the general path, fewer branches.
    fn fire_one_lane(
        &mut self,
        f: &StationaryFold,
        io: &mut impl StreamIo,
        k: &mut FoldCounters,
    ) -> bool {
        let (rr, cc) = (self.r, self.c);
        let mut last = false;
        for row in (0..rr).rev() {
            let base = row * cc;
            let (upper, lower) = self.psum.split_at_mut(base);
            let psum = &mut lower[..cc];
            let tags = &self.lane_tag[base..base + cc];
            let vals = &self.lane_val[base..base + cc];
            let w = &self.mac_w[base..base + cc];
            let ev = &mut self.events[base..base + cc];
            if row == 0 {
                for c in 0..cc {
                    let valid = tags[c] & VALID != 0;
                    ev[c] += u64::from(valid);
                    psum[c] = if valid {
                        w[c].wrapping_mul(vals[c])
                    } else {
                        psum[c]
                    };
                }
            } else {
                let above = &upper[base - cc..base];
                for c in 0..cc {
                    let valid = tags[c] & VALID != 0;
                    ev[c] += u64::from(valid);
                    psum[c] = if valid {
                        above[c].wrapping_add(w[c].wrapping_mul(vals[c]))
                    } else {
                        psum[c]
                    };
                }
            }
            if row == rr - 1 {
                for c in 0..cc {
                    let tag = tags[c];
                    if tag & VALID == 0 {
                        continue;
                    }
                    let t = ((tag >> VECTOR_SHIFT) & 0xFFFF_FFFF) as usize;
                    if c < f.cols_used {
                        io.output(c, t, psum[c]);
                        k.output_writes += 1;
                    }
                    if c == cc - 1 && t + 1 == f.vectors {
                        last = true;
                    }
                }
            }
        }
        self.tau += 1;
        last
    }

    /// Adds the fold's per-PE states to `grid`: `stall` extra cycles the fold waited beyond
    /// its compute (none counted here), decode waits as stalled for used PEs.
    pub fn account(&self, f: &StationaryFold, grid: &mut PeGrid, k: &mut FoldCounters) {
        for row in 0..self.r {
            for col in 0..self.c {
                let p = row * self.c + col;
                let used = row < f.rows_used && col < f.cols_used;
                let st = grid.at(row, col);
                if !used {
                    st.unmapped += self.cycles;
                    continue;
                }
                let macs = self.events[p];
                // Effectual: a nonzero stationary weight, or (IS) a nonzero streamed one.
                let eff = if f.streamed_weights {
                    self.events_nz[p]
                } else if self.load_nz[p] {
                    macs
                } else {
                    0
                };
                st.effectual += eff;
                st.zero_weight += macs - eff;
                st.bus_wait += self.waits[p];
                st.stalled += self.decode_waits;
                st.fill_drain += self.cycles - macs - self.waits[p] - self.decode_waits;
                k.effectual += eff;
                k.zero_weight += macs - eff;
            }
        }
        k.max_list = k
            .max_list
            .max(f.list_len.iter().copied().max().unwrap_or(0));
    }
    /// Cycles of the fold so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Whether the fold in progress is streaming vectors (its load and decode are done).
    pub fn streaming(&self) -> bool {
        self.phase == Phase::Stream
    }

    /// What the array did in its last [`StationaryArray::step`]: load, decode wait or stream.
    pub fn last_activity(&self) -> super::ArrayActivity {
        self.activity
    }

    /// Cycles the fold waited for metadata decode.
    pub fn decode_waits(&self) -> u64 {
        self.decode_waits
    }
}
