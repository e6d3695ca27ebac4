//! The array under a stationary dataflow (WS, IS), one cycle at a time.
//!
//! Per fold: (1) **load** — the stationary tile shifts down one array row per cycle from the
//! top edge, an unused row as a bubble at once, a used row once the stationary operand's SRAM
//! port has delivered its `cols_used` words (the port moves its words per cycle into a row
//! register); (2) **wait** — streaming starts when the load is done, the streamed operand's
//! port has filled the staging register with the first vector (its port fills it from the
//! fold's first cycle) and the fold's metadata is decoded; (3) **stream** — the slot
//! controller starts a vector when the previous one has sent all its beats and the staging
//! register holds the next vector; starting a vector empties the staging register, which the
//! port then refills with the following vector. A vector goes out as `s` beats of B lanes
//! (beat j carries list entries `j·B .. j·B + B`), `s` being the most beats any row's bus
//! needs (the arbiter of [`super::bus`] decides). Row r receives what row 0 received r cycles
//! earlier (the skew registers); lane words move right one PE per cycle with a valid bit,
//! their beat index, their vector and an end-of-vector bit. A PE latches its activation from
//! its lane in its beat; on the end-of-vector word it adds `w · x` to the partial sum arriving
//! from the PE above (which that PE produced the cycle before) — a MAC event — and partial
//! sums leave the bottom row as outputs. The fold ends after the cycle in which the
//! bottom-right PE has seen the last vector's end-of-vector word. Unused rows and columns
//! carry bubbles, so the wavefront always crosses the whole array.
//!
//! Per-cycle order: (a) the phase acts on the state at the start of the cycle (load shift,
//! stream start, or a slot-controller decision and the lane shift with injection at the left
//! edge, then every PE latches and fires, bottom row first, then outputs leave the bottom
//! row); (b) the streamed operand's port adds its words to the staging register.

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
    /// The bus beat each PE latches its activation in.
    pub beat: Vec<u16>,
    /// The bus lane each PE latches its activation from.
    pub lane: Vec<u16>,
    /// Entries each used row receives per vector.
    pub list_len: Vec<usize>,
    /// Beats per vector, from the bus arbiter (≥ 1).
    pub beats: usize,
    /// Streamed vectors, T.
    pub vectors: usize,
    /// Whether the streamed value decides effectual work (IS: the streamed operand is the
    /// weight) — then `stream_nonzero` tells.
    pub streamed_weights: bool,
    /// Words per cycle of the stationary operand's SRAM read port.
    pub load_port: u64,
    /// Words per cycle of the streamed operand's SRAM read port.
    pub stream_port: u64,
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
    /// Streamed words written into used PEs' lane registers.
    pub operand_hops: u64,
    /// Stationary words written into PE registers while the tile shifts in.
    pub stationary_hops: u64,
    /// Row-cycles in which a used row's bus carried at least one word.
    pub bus_beats: u64,
    /// MAC events with a nonzero weight.
    pub effectual: u64,
    /// MAC events with a zero or absent weight.
    pub zero_weight: u64,
    /// Largest number of activations an array row received per vector.
    pub max_list: usize,
    /// Largest number of bus lanes a row's PEs select among.
    pub max_lanes: usize,
}

/// Phase of the fold in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Loading; the number of rows shifted in so far.
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
    load_beat: Vec<u16>,
    load_lane: Vec<u16>,
    load_used: Vec<bool>,
    /// Words the stationary port has delivered for the row being loaded.
    load_words: u64,
    /// Row 0's lane tag of every stream cycle of the fold so far. Row r's left edge gets
    /// what row 0 got r cycles earlier (the skew registers) and lane words move one PE right
    /// per cycle, so PE (r, c) holds at stream cycle τ the word row 0 got at τ − r − c: the
    /// lane registers are this history read along each wavefront, not copied every cycle.
    tags: Vec<u64>,
    /// The words each row's bus put on its lanes in the last C stream cycles: per row, 2C
    /// slots of B lanes, the word of stream cycle τ in slots `C − 1 − τ mod C` and that plus C,
    /// so slot `C − 1 − τ mod C + c` holds what PE column c of the row latches at τ.
    lane_words: Vec<i32>,
    /// Whether row 0's tag was valid (−1) or not (0) in the last R + C stream cycles, laid
    /// out like `lane_words` (2(R + C) slots): slot `R + C − 1 − τ mod (R + C) + r + c` says
    /// whether PE (r, c) holds a valid word at τ; cycles before the stream are invalid.
    valid_mask: Vec<i32>,
    latched: Vec<i32>,
    psum: Vec<i32>,
    phase: Phase,
    tau: usize,
    cycles: u64,
    /// Words of one input vector (every used row's list), set when the fold begins.
    vector_words: u64,
    /// Words of the next vector in the staging register, and that vector's index.
    staged: u64,
    staged_vector: usize,
    /// Slot controller: the vector being sent and its next beat, the next vector to start.
    slot_vector: usize,
    slot_beat: usize,
    next_vector: usize,
    /// MAC weight of each PE (0 for an absent one).
    mac_w: Vec<i32>,
    /// Streamed-weight dataflows: MAC events with a nonzero streamed weight.
    events_nz: Vec<u64>,
    /// Cycles spent loading, waiting for the first vector's staging, waiting for decode,
    /// and streaming.
    load_cycles: u64,
    fill_waits: u64,
    decode_waits: u64,
    stream_cycles: u64,
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
            load_beat: vec![0; n],
            load_lane: vec![0; n],
            load_used: vec![false; n],
            load_words: 0,
            tags: Vec::new(),
            lane_words: vec![0; 2 * cols * lanes.max(1) * rows],
            valid_mask: vec![0; 2 * (rows + cols)],
            latched: vec![0; n],
            psum: vec![0; n],
            phase: Phase::Load(0),
            tau: 0,
            cycles: 0,
            vector_words: 0,
            staged: 0,
            staged_vector: 0,
            slot_vector: 0,
            slot_beat: 0,
            next_vector: 0,
            mac_w: vec![0; n],
            events_nz: vec![0; n],
            load_cycles: 0,
            fill_waits: 0,
            decode_waits: 0,
            stream_cycles: 0,
            activity: super::ArrayActivity::Load,
        }
    }

    /// Resets the registers for a new fold.
    pub fn begin(&mut self, f: &StationaryFold) {
        self.load_val.fill(0);
        self.load_nz.fill(false);
        self.load_present.fill(false);
        self.load_used.fill(false);
        self.load_words = 0;
        self.tags.clear();
        self.valid_mask.fill(0);
        self.latched.fill(0);
        self.psum.fill(0);
        self.events_nz.fill(0);
        self.phase = Phase::Load(0);
        self.tau = 0;
        self.cycles = 0;
        self.vector_words = f.list_len.iter().map(|&l| l as u64).sum();
        self.staged = 0;
        self.staged_vector = 0;
        self.slot_vector = 0;
        self.slot_beat = f.beats;
        self.next_vector = 0;
        self.load_cycles = 0;
        self.fill_waits = 0;
        self.decode_waits = 0;
        self.stream_cycles = 0;
    }

    /// Whether the staging register holds the next vector.
    fn staged_full(&self, f: &StationaryFold) -> bool {
        self.staged_vector < f.vectors && self.staged >= self.vector_words
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
        if self.phase == Phase::Wait && decoded && self.staged_full(f) {
            self.phase = Phase::Stream;
        }
        self.activity = match self.phase {
            Phase::Load(_) => super::ArrayActivity::Load,
            Phase::Wait if self.staged_full(f) => super::ArrayActivity::DecodeWait,
            Phase::Wait => super::ArrayActivity::VectorFill,
            Phase::Stream => super::ArrayActivity::Stream,
        };
        let last = match self.phase {
            Phase::Load(i) => {
                self.load_cycles += 1;
                self.load_step(f, i, k);
                false
            }
            Phase::Wait => {
                if self.staged_full(f) {
                    self.decode_waits += 1;
                } else {
                    self.fill_waits += 1;
                }
                false
            }
            Phase::Stream => {
                self.stream_cycles += 1;
                self.stream_cycle(f, io, k)
            }
        };
        // The streamed operand's port refills the staging register.
        if self.staged_vector < f.vectors {
            self.staged = (self.staged + f.stream_port).min(self.vector_words);
        }
        last
    }

    /// One load cycle: the port delivers words for the entering row; the row shifts in once
    /// it has them (a bubble row at once).
    fn load_step(&mut self, f: &StationaryFold, i: usize, k: &mut FoldCounters) {
        let entering = self.r - 1 - i;
        let used_row = entering < f.rows_used;
        if used_row {
            self.load_words += f.load_port;
            if self.load_words < f.cols_used as u64 {
                return;
            }
        }
        self.load_words = 0;
        // Shift the loaded rows down and enter the row at the top.
        let c = self.c;
        for row in (1..self.r).rev() {
            let (dst, src) = (row * c, (row - 1) * c);
            self.load_val.copy_within(src..src + c, dst);
            self.load_nz.copy_within(src..src + c, dst);
            self.load_present.copy_within(src..src + c, dst);
            self.load_beat.copy_within(src..src + c, dst);
            self.load_lane.copy_within(src..src + c, dst);
            self.load_used.copy_within(src..src + c, dst);
        }
        for col in 0..c {
            let used = used_row && col < f.cols_used;
            let j = entering * f.cols_used + col;
            self.load_used[col] = used;
            self.load_val[col] = if used { i32::from(f.stat[j]) } else { 0 };
            self.load_nz[col] = used && f.nonzero[j];
            self.load_present[col] = used && f.present[j];
            self.load_beat[col] = if used { f.beat[j] } else { 0 };
            self.load_lane[col] = if used { f.lane[j] } else { 0 };
            k.stationary_reads += u64::from(used);
        }
        // Every register now holding a word of the tile was written this cycle.
        k.stationary_hops += self.load_used.iter().filter(|&&u| u).count() as u64;
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
    }

    /// Row 0's lane tag this stream cycle, from the slot controller.
    fn slot_tag(&mut self, f: &StationaryFold) -> u64 {
        let s = f.beats;
        if self.slot_beat >= s && self.next_vector < f.vectors && self.staged_full(f) {
            // A new vector leaves the staging register; the port refills it with the next.
            self.slot_vector = self.next_vector;
            self.next_vector += 1;
            self.slot_beat = 0;
            self.staged = 0;
            self.staged_vector += 1;
        }
        if self.slot_beat >= s {
            return 0;
        }
        let j = self.slot_beat;
        self.slot_beat += 1;
        let mut tag = VALID | j as u64 | ((self.slot_vector as u64) << VECTOR_SHIFT);
        if j == s - 1 {
            tag |= EOV;
        }
        tag
    }

    fn stream_cycle(
        &mut self,
        f: &StationaryFold,
        io: &mut impl StreamIo,
        k: &mut FoldCounters,
    ) -> bool {
        let (rr, cc, b) = (self.r, self.c, self.b);
        let tau = self.tau;
        // 1. The slot controller feeds row 0; row r gets what row 0 got r cycles ago. Lanes
        //    move right one PE and the rows inject at the left edge.
        let tag0 = self.slot_tag(f);
        self.tags.push(tag0);
        let l = rr + cc;
        let vslot = l - 1 - tau % l;
        let valid0 = if tag0 & VALID != 0 { -1 } else { 0 };
        self.valid_mask[vslot] = valid0;
        self.valid_mask[vslot + l] = valid0;
        let xslot = cc - 1 - tau % cc;
        for row in 0..rr.min(tau + 1) {
            let tag = self.tags[tau - row];
            if tag & VALID == 0 {
                // Nothing enters: no PE reads this slot while its tag is invalid.
                continue;
            }
            let (t, j) = (
                ((tag >> VECTOR_SHIFT) & 0xFFFF_FFFF) as usize,
                (tag & CHUNK) as usize,
            );
            let len = if row < f.rows_used {
                f.list_len[row]
            } else {
                0
            };
            let mut words = 0u64;
            let at = (row * 2 * cc + xslot) * b;
            for lane in 0..b {
                let e = j * b + lane;
                let v = if e < len {
                    words += 1;
                    io.value(row, t, e)
                } else {
                    0
                };
                self.lane_words[at + lane] = v;
                self.lane_words[at + cc * b + lane] = v;
            }
            // The beat's words travel along the row through its used PEs.
            k.stream_reads += words;
            k.operand_hops += words * f.cols_used as u64;
            k.bus_beats += u64::from(words > 0);
        }
        // 2. PEs, bottom row first so each reads the psum its upper neighbour made last cycle.
        if b == 1 && f.beats == 1 && !f.streamed_weights {
            self.fire_one_lane(vslot, xslot);
        } else {
            self.fire(f, io, xslot);
        }
        // 3. Outputs leave the bottom row.
        let row = rr - 1;
        for col in 0..cc.min((tau + 1).saturating_sub(row)) {
            let tag = self.tags[tau - row - col];
            if tag & VALID == 0 || tag & EOV == 0 {
                continue;
            }
            let t = ((tag >> VECTOR_SHIFT) & 0xFFFF_FFFF) as usize;
            if col < f.cols_used {
                io.output(col, t, self.psum[row * cc + col]);
                k.output_writes += 1;
            }
            if col == cc - 1 && t + 1 == f.vectors {
                self.tau += 1;
                return true;
            }
        }
        self.tau += 1;
        false
    }

    /// Step 2 in general: a PE latches its activation from its lane in its beat and, on the
    /// end-of-vector word, adds `w · x` to the partial sum from the PE above.
    fn fire(&mut self, f: &StationaryFold, io: &mut impl StreamIo, xslot: usize) {
        let (rr, cc, b) = (self.r, self.c, self.b);
        let tau = self.tau;
        for row in (0..rr).rev() {
            for col in 0..cc.min((tau + 1).saturating_sub(row)) {
                let p = row * cc + col;
                let tag = self.tags[tau - row - col];
                if tag & VALID == 0 {
                    continue;
                }
                let beat = (tag & CHUNK) as u16;
                if self.load_present[p] && self.load_beat[p] == beat {
                    let at = (row * 2 * cc + xslot + col) * b;
                    self.latched[p] = self.lane_words[at + self.load_lane[p] as usize];
                }
                if tag & EOV == 0 {
                    continue;
                }
                let above = if row == 0 { 0 } else { self.psum[p - cc] };
                self.psum[p] = above.wrapping_add(self.mac_w[p].wrapping_mul(self.latched[p]));
                if self.load_used[p] && f.streamed_weights {
                    // The weight streams in (IS): effectual when it is nonzero.
                    let t = ((tag >> VECTOR_SHIFT) & 0xFFFF_FFFF) as usize;
                    if io.stream_nonzero(row, t) {
                        self.events_nz[p] += 1;
                    }
                }
            }
        }
    }

    /// Step 2 when each row receives one activation per beat, a vector is one beat and
    /// weights are stationary: every valid lane word ends its vector and a PE's activation
    /// is its lane word, so a PE fires on every valid word. Same result as [`Self::fire`],
    /// a row at a time: the row's lane words and valid bits are contiguous slices of the
    /// rings, so the MACs of a row run as one vector loop.
    fn fire_one_lane(&mut self, vslot: usize, xslot: usize) {
        let (rr, cc) = (self.r, self.c);
        for row in (0..rr).rev() {
            let base = row * cc;
            let (upper, lower) = self.psum.split_at_mut(base);
            let psum = &mut lower[..cc];
            let valid = &self.valid_mask[vslot + row..vslot + row + cc];
            let x = &self.lane_words[row * 2 * cc + xslot..row * 2 * cc + xslot + cc];
            let w = &self.mac_w[base..base + cc];
            if row == 0 {
                for c in 0..cc {
                    let v = w[c].wrapping_mul(x[c]);
                    psum[c] = (v & valid[c]) | (psum[c] & !valid[c]);
                }
            } else {
                let above = &upper[base - cc..base];
                for c in 0..cc {
                    let v = above[c].wrapping_add(w[c].wrapping_mul(x[c]));
                    psum[c] = (v & valid[c]) | (psum[c] & !valid[c]);
                }
            }
        }
    }

    /// Adds the fold's per-PE states to `grid`, from what the fold observed: a used PE made
    /// its MAC events; between its first and last MAC every other cycle waited for the bus
    /// or the port (`bus_wait`); the fold's decode waits stall it; its load cycles, the
    /// first vector's staging wait and its stream cycles before its first and after its last
    /// MAC are fill/drain.
    ///
    /// PE (r, c) saw row 0's words delayed by r + c cycles, so its MAC events are the
    /// end-of-vector words among the first `τ_end − r − c + 1` of the fold's stream and its
    /// first and last MAC come r + c cycles after row 0's.
    pub fn account(&self, f: &StationaryFold, grid: &mut PeGrid, k: &mut FoldCounters) {
        // Per stream cycle i: end-of-vector words up to and including i, and the last such
        // cycle at or before i.
        let fires = |tag: u64| tag & VALID != 0 && tag & EOV != 0;
        let mut upto = Vec::with_capacity(self.tags.len());
        let mut last_at = Vec::with_capacity(self.tags.len());
        let (mut count, mut last) = (0u64, None);
        for (i, &tag) in self.tags.iter().enumerate() {
            if fires(tag) {
                count += 1;
                last = Some(i as u64);
            }
            upto.push(count);
            last_at.push(last);
        }
        let first_fire = self
            .tags
            .iter()
            .position(|&tag| fires(tag))
            .map(|i| i as u64);
        let stream_cycles = self.tags.len() as u64;
        for row in 0..self.r {
            for col in 0..self.c {
                let p = row * self.c + col;
                let used = row < f.rows_used && col < f.cols_used;
                let st = grid.at(row, col);
                if !used {
                    st.unmapped += self.cycles;
                    continue;
                }
                let delay = (row + col) as u64;
                let seen = stream_cycles.checked_sub(delay + 1);
                let macs = seen.map_or(0, |i| upto[i as usize]);
                // Effectual: a nonzero stationary weight, or (IS) a nonzero streamed one.
                let eff = if f.streamed_weights {
                    self.events_nz[p]
                } else if self.load_nz[p] {
                    macs
                } else {
                    0
                };
                let span = match (first_fire, seen.and_then(|i| last_at[i as usize])) {
                    (Some(first), Some(last)) if macs > 0 => last - first + 1,
                    _ => 0,
                };
                st.effectual += eff;
                st.zero_weight += macs - eff;
                st.bus_wait += span - macs;
                st.stalled += self.decode_waits;
                st.fill_drain += self.load_cycles + self.fill_waits + self.stream_cycles - span;
                k.effectual += eff;
                k.zero_weight += macs - eff;
            }
        }
        k.max_list = k
            .max_list
            .max(f.list_len.iter().copied().max().unwrap_or(0));
        k.max_lanes = k
            .max_lanes
            .max(f.list_len.iter().map(|&l| l.min(self.b)).max().unwrap_or(0));
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
