//! The cycle-stepped engine (`docs/model.md` §8): advances every PE register, row-bus lane, SRAM port
//! and DRAM transfer one cycle at a time, computes real int8 × int8 → int32 outputs, and
//! classifies every PE's every cycle. It shares no cycle formula with the fast engine — only
//! the layout packings and the config types — so agreement between the two is evidence.
//!
//! Per-cycle order of events (cycle t):
//! 1. DRAM channels start the transfers whose channel is free and whose condition holds;
//! 2. the controller starts the next fold if the previous one has ended, its input tiles have
//!    arrived (or, streamed, begun), and its output group has SRAM space; starting a fold may
//!    let more transfers start (step 1 again);
//! 3. the array steps one cycle ([`stationary`] for WS/IS, [`os`] for OS);
//! 4. the metadata decoder decodes θ entries of the fold it works on (array cycles only);
//! 5. every DRAM transfer in flight moves one cycle's bandwidth;
//! 6. a fold whose array work is done ends once its streamed tiles and spilled outputs have
//!    moved; a finished output group queues its drain.

pub mod bus;
pub mod memory;
pub mod operands;
pub mod os;
pub mod plan;
pub mod stationary;

use crate::config::{Arch, Dataflow, DroppedFilters, FirstFill, HalfRelease};
use crate::engine::sparse::PeLimits;
use crate::layout::packed::Packed;
use crate::stats::{LayerStats, PeGrid};
use crate::workload::Layer;
use memory::{Channel, Cond, Transfer};
use operands::ifmap_matrix;
use os::{OsArray, OsIo};
use plan::{Fold, FoldWork, QuantWeights, kept_weights, layer_scale, os_is_folds, ws_folds};
use stationary::{FoldCounters, StationaryArray, StationaryFold, StreamIo};

/// What the array does in one cycle, for the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayActivity {
    /// No fold on the array: waiting for its input tiles or output space (a stall).
    Idle,
    /// Weight-stationary / input-stationary: the stationary tile shifts in.
    Load,
    /// The tile is loaded but the SRAM port has not yet staged the first input vector
    /// (part of the fold's compute cycles).
    VectorFill,
    /// The tile is loaded and the first vector staged, but the fold's metadata is not
    /// decoded yet (a decode stall, counted in compute cycles as the fast engine does).
    DecodeWait,
    /// Input vectors stream through and outputs drain.
    Stream,
    /// Output-stationary: operands flow and partial sums accumulate or drain.
    Compute,
    /// The fold's array work is done; it waits for streamed tiles or spilled outputs (a stall).
    Finishing,
}

impl ArrayActivity {
    /// The name written in `trace.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArrayActivity::Idle => "idle",
            ArrayActivity::Load => "load",
            ArrayActivity::VectorFill => "vector_fill",
            ArrayActivity::DecodeWait => "decode_wait",
            ArrayActivity::Stream => "stream",
            ArrayActivity::Compute => "compute",
            ArrayActivity::Finishing => "finishing",
        }
    }
}

/// A run of consecutive cycles in which nothing the trace records changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceSpan {
    /// First cycle, counted from the first fill's start (the layer's cycle 0 is at
    /// `stats.timeline.origin` on this clock: 0 unless `first_fill = "prefetch"`).
    pub start: u64,
    /// Cycles in the run.
    pub cycles: u64,
    /// The fold on the array (index in the layer's fold order), if any.
    pub fold: Option<usize>,
    /// What the array does.
    pub array: ArrayActivity,
    /// Whether an ifmap / filter / ofmap DRAM transfer moves data in these cycles.
    pub dram: [bool; 3],
}

/// Appends one cycle to a run-length-encoded trace.
fn trace_cycle(
    trace: &mut Vec<TraceSpan>,
    t: u64,
    fold: Option<usize>,
    array: ArrayActivity,
    dram: [bool; 3],
) {
    if let Some(last) = trace.last_mut()
        && last.fold == fold
        && last.array == array
        && last.dram == dram
        && last.start + last.cycles == t
    {
        last.cycles += 1;
        return;
    }
    trace.push(TraceSpan {
        start: t,
        cycles: 1,
        fold,
        array,
        dram,
    });
}

/// What the stepped engine measured for one layer.
#[derive(Debug, Clone)]
pub struct SteppedRun {
    /// The `layers.csv` counters.
    pub stats: LayerStats,
    /// MAC events with a nonzero weight.
    pub effectual_macs: u64,
    /// Other MAC events of used PEs.
    pub ineffectual_macs: u64,
    /// Cycles folds waited for metadata decode.
    pub decode_cycles: u64,
    /// Metadata words read from SRAM.
    pub metadata_sram_reads: u64,
    /// Metadata words read from DRAM.
    pub metadata_dram_reads: u64,
    /// Largest number of activations an array row needed per vector.
    pub max_bus_demand: u32,
    /// Largest number of bus lanes the PEs of a row selected among.
    pub max_fan_in: u32,
    /// Metadata entries the decoder decoded.
    pub decoder_entries: u64,
    /// Per-PE state counts.
    pub pe: PeGrid,
    /// Outputs per GEMM instance, M×N row-major (int32, wrapping).
    pub outputs: Vec<Vec<i32>>,
    /// The int8 weights used, per weight instance (N×K).
    pub weights: Vec<QuantWeights>,
    /// The int8 ifmaps used, per GEMM instance (M×K im2col).
    pub ifmaps: Vec<Vec<i8>>,
    /// The cycle trace, run-length encoded (empty unless asked for).
    pub trace: Vec<TraceSpan>,
}

/// How a fold's input operand is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regime {
    Resident,
    Double,
    Single,
    Streamed,
}

/// Per-fold tile words of one input operand.
#[derive(Debug, Clone, Copy)]
struct TileUse {
    tile: u64,
    new: u64,
    same: bool,
}

/// Word identities already fetched: a bitmap over a known, dense identity space.
struct Seen(Vec<u64>);

impl Seen {
    /// Nothing fetched among `space` identities.
    fn new(space: u64) -> Seen {
        Seen(vec![0; space.div_ceil(64) as usize])
    }

    /// Marks `a`; true if it was not marked before.
    fn insert(&mut self, a: u64) -> bool {
        let (w, bit) = ((a / 64) as usize, 1u64 << (a % 64));
        let new = self.0[w] & bit == 0;
        self.0[w] |= bit;
        new
    }
}

/// Per-fold tile words of one operand; `key` gives a fold's word identities (unique over the
/// layer), extra words (metadata), the tile's owner (GEMM or weight instance) and its
/// identity (its GEMM region).
fn tile_uses(
    folds: &[Fold],
    mut seen: Seen,
    key: impl Fn(&Fold) -> (&[u64], u64, u64, &[u64]),
) -> Vec<TileUse> {
    let mut prev: Option<(u64, &[u64])> = None;
    folds
        .iter()
        .map(|f| {
            let (ids, extra, owner, region) = key(f);
            let new_ids = ids.iter().filter(|&&a| seen.insert(a)).count() as u64;
            let new = new_ids + if new_ids > 0 { extra } else { 0 };
            let same = prev.is_some_and(|(o, p)| o == owner && p == region);
            prev = Some((owner, region));
            TileUse {
                tile: ids.len() as u64 + extra,
                new,
                same,
            }
        })
        .collect()
}

/// Transfers of one input operand, from its per-fold tiles and SRAM words: a double buffer's
/// other half opens when the current tile's first fold starts or ends (`release`); every
/// read completes `latency` cycles after its last word.
fn input_transfers(
    uses: &[TileUse],
    cap: u64,
    release: HalfRelease,
    latency: u64,
) -> Vec<Transfer> {
    let footprint: u64 = uses.iter().map(|u| u.new).sum();
    let regime = |tile: u64| {
        if footprint <= cap {
            Regime::Resident
        } else if tile <= cap / 2 {
            Regime::Double
        } else if tile <= cap {
            Regime::Single
        } else {
            Regime::Streamed
        }
    };
    let mut out = Vec::new();
    let mut held: Option<(Regime, usize)> = None;
    for (i, u) in uses.iter().enumerate() {
        let r = regime(u.tile);
        if r == Regime::Resident {
            if u.new > 0 {
                out.push(Transfer::new(i, u.new, Cond::Now, false).with_latency(latency));
            }
            continue;
        }
        if u.same && i > 0 && r != Regime::Streamed {
            continue;
        }
        let cond = match held {
            None => Cond::Now,
            Some((Regime::Double, first)) if r == Regime::Double => match release {
                HalfRelease::FoldStart => Cond::FoldStarted(first),
                HalfRelease::FoldEnd => Cond::FoldEnded(first),
            },
            Some(_) => Cond::FoldEnded(i - 1),
        };
        out.push(Transfer::new(i, u.tile, cond, r == Regime::Streamed).with_latency(latency));
        held = Some((r, i));
    }
    out
}

struct WsIo<'a> {
    a: &'a [i8],
    k: usize,
    lists: &'a [Vec<u32>],
    filters: &'a [u32],
    out: &'a mut [i32],
    n: usize,
}

impl StreamIo for WsIo<'_> {
    fn value(&self, r: usize, t: usize, j: usize) -> i32 {
        i32::from(self.a[t * self.k + self.lists[r][j] as usize])
    }
    fn stream_nonzero(&self, _r: usize, _t: usize) -> bool {
        unreachable!("weights are stationary under WS")
    }
    fn output(&mut self, c: usize, t: usize, v: i32) {
        let o = &mut self.out[t * self.n + self.filters[c] as usize];
        *o = o.wrapping_add(v);
    }
}

struct IsIo<'a> {
    w: &'a QuantWeights,
    k0: usize,
    m0: usize,
    out: &'a mut [i32],
    n: usize,
}

impl StreamIo for IsIo<'_> {
    fn value(&self, r: usize, t: usize, _j: usize) -> i32 {
        i32::from(self.w.q[t * self.w.k + self.k0 + r])
    }
    fn stream_nonzero(&self, r: usize, t: usize) -> bool {
        self.w.nonzero[t * self.w.k + self.k0 + r]
    }
    fn output(&mut self, c: usize, t: usize, v: i32) {
        let o = &mut self.out[(self.m0 + c) * self.n + t];
        *o = o.wrapping_add(v);
    }
}

struct OsOperands<'a> {
    a: &'a [i8],
    w: &'a QuantWeights,
    m0: usize,
    n0: usize,
    out: &'a mut [i32],
    n: usize,
}

impl OsIo for OsOperands<'_> {
    fn a(&self, r: usize, k: usize) -> i32 {
        i32::from(self.a[(self.m0 + r) * self.w.k + k])
    }
    fn w(&self, c: usize, k: usize) -> (i32, bool) {
        let i = (self.n0 + c) * self.w.k + k;
        (i32::from(self.w.q[i]), self.w.nonzero[i])
    }
    fn output(&mut self, r: usize, c: usize, v: i32) {
        self.out[(self.m0 + r) * self.n + self.n0 + c] = v;
    }
}

/// Steps one layer whose weights are given as packings (one per weight instance; in-place
/// packings — dense or masked — under OS and IS). `seed` draws the activations.
pub fn step_layer(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    seed: u64,
) -> SteppedRun {
    step_layer_traced(arch, layer, packs, limits, seed, false)
}

/// [`step_layer`], also recording the cycle trace when `trace` is set.
pub fn step_layer_traced(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    seed: u64,
    trace: bool,
) -> SteppedRun {
    let work = layer.gemm_work().expect("stepped layers are MAC layers");
    let (rr, cc) = (arch.array.rows as usize, arch.array.cols as usize);
    let (m, n, k) = (
        work.shape.m as usize,
        work.shape.n as usize,
        work.shape.k as usize,
    );
    let scale = layer_scale(packs);
    let folds = match arch.dataflow {
        Dataflow::Ws => ws_folds(arch, &work, packs, scale),
        _ => os_is_folds(arch, &work),
    };
    let weights = kept_weights(packs, scale);
    let ifmaps: Vec<Vec<i8>> = (0..work.instances)
        .map(|i| ifmap_matrix(&work, i, seed))
        .collect();
    let mut outputs = vec![vec![0i32; m * n]; work.instances as usize];

    // Memory plan.
    let mem = &arch.memory;
    let fw = u64::from(mem.filter.word_bytes);
    let mw = u64::from(mem.metadata_word_bytes);
    let ifmap_seen = Seen::new(work.ifmap_address_space());
    let ifmap_uses = tile_uses(&folds, ifmap_seen, |f: &Fold| {
        (&f.ifmap_addrs, 0, f.instance, &f.ifmap_region)
    });
    // Weight identities are dense: the largest bounds the bitmap.
    let weight_space = folds
        .iter()
        .filter_map(|f| f.weight_ids.last())
        .max()
        .map_or(0, |&id| id + 1);
    let weight_seen = Seen::new(weight_space);
    let filter_uses = tile_uses(&folds, weight_seen, |f: &Fold| {
        (
            &f.weight_ids,
            f.meta_bits.div_ceil(8 * fw),
            f.weight_instance,
            &f.weight_ids,
        )
    });
    let mut ich = Channel::new(&mem.ifmap, mem);
    let mut fch = Channel::new(&mem.filter, mem);
    let mut och = Channel::new(&mem.ofmap, mem);
    let policy = mem.policy;
    let latency = u64::from(policy.dram_read_latency);
    ich.queue = input_transfers(
        &ifmap_uses,
        mem.ifmap.sram_words(),
        policy.half_release,
        latency,
    );
    fch.queue = input_transfers(
        &filter_uses,
        mem.filter.sram_words(),
        policy.half_release,
        latency,
    );
    let ocap = mem.ofmap.sram_words();
    let nf = folds.len();
    let group_start: Vec<bool> = (0..nf)
        .map(|i| i == 0 || folds[i - 1].out_group != folds[i].out_group)
        .collect();
    let group_end: Vec<bool> = (0..nf)
        .map(|i| i + 1 == nf || folds[i + 1].out_group != folds[i].out_group)
        .collect();

    // Controller state.
    let mut started: Vec<Option<u64>> = vec![None; nf];
    let mut ended: Vec<Option<u64>> = vec![None; nf];
    let mut streaming_from: Vec<Option<u64>> = vec![None; nf];
    let mut drains: Vec<usize> = Vec::new();
    let mut spill_of: Vec<Option<usize>> = vec![None; nf];
    // A row never needs more lanes than the most activations any row takes per vector.
    let widest = folds
        .iter()
        .map(|f| match &f.work {
            FoldWork::Ws { asks, .. } => asks
                .chunks(f.cols_used.max(1))
                .map(|row| bus::row_list(row).len())
                .max()
                .unwrap_or(1),
            _ => 1,
        })
        .max()
        .unwrap_or(1)
        .max(1);
    let lanes = (limits.row_bus_width as usize).min(widest);
    let mut st_array = StationaryArray::new(rr, cc, lanes);
    let mut os_array = OsArray::new(rr, cc);
    let mut grid = PeGrid::new(arch.array.rows, arch.array.cols);
    let mut s = crate::engine::layer_row(arch, layer);
    let mut run = SteppedRun {
        stats: LayerStats::default(),
        effectual_macs: 0,
        ineffectual_macs: 0,
        decode_cycles: 0,
        metadata_sram_reads: 0,
        metadata_dram_reads: 0,
        max_bus_demand: 0,
        max_fan_in: 0,
        decoder_entries: 0,
        pe: PeGrid::default(),
        outputs: Vec::new(),
        weights: Vec::new(),
        ifmaps: Vec::new(),
        trace: Vec::new(),
    };
    let theta = arch.decode.for_layout(packs[0].layout).map(u64::from);
    let mut decoded: Vec<u64> = vec![0; nf];
    let meta_words: Vec<u64> = folds.iter().map(|f| f.meta_bits.div_ceil(8 * mw)).collect();
    let mut meta_read: Vec<u64> = vec![0; nf];
    let meta_port = u64::from(arch.ports.metadata_read_bw);
    let mut bus_plan: Option<bus::BusPlan> = None;
    // Filters no fold computes still get their M zero outputs written (unless skipped),
    // after the last fold.
    let zero_fill: u64 = match (arch.dataflow, arch.dropped_filters) {
        (Dataflow::Ws, DroppedFilters::WriteZeros) => (0..work.instances)
            .map(|inst| {
                let mut covered = vec![false; n];
                for f in folds.iter().filter(|f| f.instance == inst) {
                    if let FoldWork::Ws { filters, .. } = &f.work {
                        for &c in filters {
                            covered[c as usize] = true;
                        }
                    }
                }
                covered.iter().filter(|c| !**c).count() as u64 * m as u64
            })
            .sum(),
        _ => 0,
    };
    let mut zero_fill_q: Option<usize> = None;
    if zero_fill > 0 && nf == 0 {
        zero_fill_q = Some(och.queue.len());
        och.queue
            .push(Transfer::new(0, zero_fill, Cond::Now, false));
    }
    let mut decode_cursor = 0usize;
    let mut active: Option<usize> = None;
    let mut array_done = false;
    let mut next = 0usize;
    let mut counters = FoldCounters::default();
    let mut compute_cycles = 0u64;
    let mut tile: Option<StationaryFold> = None;
    let mut t = 0u64;

    loop {
        // 1. Transfers that may start.
        let issue_all = |ich: &mut Channel,
                         fch: &mut Channel,
                         och: &mut Channel,
                         started: &[Option<u64>],
                         ended: &[Option<u64>]| {
            ich.issue(t, started, ended);
            fch.issue(t, started, ended);
            och.issue(t, started, ended);
        };
        issue_all(&mut ich, &mut fch, &mut och, &started, &ended);
        if next == nf && active.is_none() && ich.idle() && fch.idle() && och.idle() {
            break;
        }
        // 2. Start the next fold if it may.
        if active.is_none() && next < nf && (next == 0 || ended[next - 1].is_some_and(|e| e <= t)) {
            let i = next;
            let ready = |ch: &Channel| ch.ready_for(i, t);
            let g = folds[i].out_words;
            let group_ok = !group_start[i] || g > ocap || {
                let need = if g <= ocap / 2 {
                    drains.len().checked_sub(2)
                } else {
                    drains.len().checked_sub(1)
                };
                need.is_none_or(|d| och.queue[drains[d]].done.is_some_and(|x| x <= t))
            };
            if ready(&ich) && ready(&fch) && group_ok {
                started[i] = Some(t);
                active = Some(i);
                array_done = false;
                next += 1;
                let f = &folds[i];
                if g > ocap {
                    let readback = if group_start[i] { 0 } else { g };
                    spill_of[i] = Some(och.queue.len());
                    // The read-back is a DRAM read: it completes a latency after its words.
                    let spill = Transfer::new(i, g + readback, Cond::FoldStarted(i), false);
                    och.queue.push(if readback > 0 {
                        spill.with_latency(latency)
                    } else {
                        spill
                    });
                }
                counters = FoldCounters::default();
                run.metadata_sram_reads += f.meta_bits.div_ceil(8 * mw);
                if filter_uses[i].new > 0 {
                    run.metadata_dram_reads += f.meta_bits.div_ceil(8 * mw);
                }
                bus_plan = None;
                tile = match &f.work {
                    FoldWork::Os { .. } => {
                        os_array.begin();
                        None
                    }
                    FoldWork::Ws {
                        w,
                        nonzero,
                        present,
                        asks,
                        ..
                    } => {
                        let plan = bus::arbitrate(f.rows_used, f.cols_used, asks, lanes);
                        let sf = StationaryFold {
                            rows_used: f.rows_used,
                            cols_used: f.cols_used,
                            stat: w.clone(),
                            nonzero: nonzero.clone(),
                            present: present.clone(),
                            beat: plan.beat.clone(),
                            lane: plan.lane.clone(),
                            list_len: plan.lists.iter().map(Vec::len).collect(),
                            beats: plan.beats,
                            vectors: m,
                            streamed_weights: false,
                            load_port: u64::from(arch.ports.filter_read_bw),
                            stream_port: limits.ifmap_port(arch),
                        };
                        bus_plan = Some(plan);
                        Some(sf)
                    }
                    FoldWork::Is { k0, m0 } => {
                        // The stationary tile is the ifmap block A[m0 + c][k0 + r].
                        let a = &ifmaps[f.instance as usize];
                        let cells = f.rows_used * f.cols_used;
                        let stat = (0..cells)
                            .map(|p| {
                                a[(*m0 as usize + p % f.cols_used) * k
                                    + *k0 as usize
                                    + p / f.cols_used]
                            })
                            .collect();
                        Some(StationaryFold {
                            rows_used: f.rows_used,
                            cols_used: f.cols_used,
                            stat,
                            nonzero: vec![true; cells],
                            present: vec![true; cells],
                            beat: vec![0; cells],
                            lane: vec![0; cells],
                            list_len: vec![1; f.rows_used],
                            beats: 1,
                            vectors: n,
                            streamed_weights: true,
                            load_port: u64::from(arch.ports.ifmap_read_bw),
                            stream_port: u64::from(arch.ports.filter_read_bw),
                        })
                    }
                };
                if let Some(sf) = &tile {
                    st_array.begin(sf);
                }
                issue_all(&mut ich, &mut fch, &mut och, &started, &ended);
            }
        }
        // 3. The array steps; 4. the decoder decodes.
        let mut activity = match active {
            None => ArrayActivity::Idle,
            Some(_) => ArrayActivity::Finishing,
        };
        if let Some(i) = active
            && !array_done
        {
            let f = &folds[i];
            compute_cycles += 1;
            let fold_decoded = theta
                .is_none_or(|_| decoded[i] >= f.decode_entries && meta_read[i] >= meta_words[i]);
            let last = match &f.work {
                FoldWork::Os { m0, n0 } => {
                    let mut io = OsOperands {
                        a: &ifmaps[f.instance as usize],
                        w: &weights[f.weight_instance as usize],
                        m0: *m0 as usize,
                        n0: *n0 as usize,
                        out: &mut outputs[f.instance as usize],
                        n,
                    };
                    let mut reads = (0u64, 0u64);
                    let mut writes = 0u64;
                    let last = os_array.step(
                        f.rows_used,
                        f.cols_used,
                        k,
                        &mut io,
                        &mut reads,
                        &mut writes,
                    );
                    s.ifmap_sram_reads += reads.0;
                    s.filter_sram_reads += reads.1;
                    // Activations cross the used columns, weights the used rows.
                    s.operand_hops += reads.0 * f.cols_used as u64 + reads.1 * f.rows_used as u64;
                    s.bus_beats += reads.0;
                    s.ofmap_sram_writes += writes;
                    activity = ArrayActivity::Compute;
                    last
                }
                FoldWork::Ws { filters, .. } => {
                    let sf = tile.as_ref().expect("a stationary fold has its tile");
                    let plan = bus_plan.as_ref().expect("a WS fold has its bus plan");
                    let mut io = WsIo {
                        a: &ifmaps[f.instance as usize],
                        k,
                        lists: &plan.lists,
                        filters,
                        out: &mut outputs[f.instance as usize],
                        n,
                    };
                    let last = st_array.step(sf, fold_decoded, &mut io, &mut counters);
                    activity = st_array.last_activity();
                    last
                }
                FoldWork::Is { k0, m0 } => {
                    let sf = tile.as_ref().expect("a stationary fold has its tile");
                    let mut io = IsIo {
                        w: &weights[f.weight_instance as usize],
                        k0: *k0 as usize,
                        m0: *m0 as usize,
                        out: &mut outputs[f.instance as usize],
                        n,
                    };
                    let last = st_array.step(sf, fold_decoded, &mut io, &mut counters);
                    activity = st_array.last_activity();
                    last
                }
            };
            if matches!(f.work, FoldWork::Ws { .. })
                && streaming_from[i].is_none()
                && st_array.streaming()
            {
                streaming_from[i] = Some(t);
            }
            if let Some(th) = theta {
                // The decoder works on the first fold not yet decoded, once it may: it reads
                // the fold's metadata through its port while it decodes entries.
                while decode_cursor < nf
                    && decoded[decode_cursor] >= folds[decode_cursor].decode_entries
                    && meta_read[decode_cursor] >= meta_words[decode_cursor]
                {
                    decode_cursor += 1;
                }
                let j = decode_cursor;
                if j < nf {
                    let may = if arch.pe.weight_double_buffer && j > 0 {
                        streaming_from[j - 1].is_some()
                    } else {
                        started[j].is_some()
                    };
                    if may {
                        let now = (decoded[j] + th).min(folds[j].decode_entries);
                        run.decoder_entries += now - decoded[j];
                        decoded[j] = now;
                        meta_read[j] = (meta_read[j] + meta_port).min(meta_words[j]);
                    }
                }
            }
            if last {
                array_done = true;
                match &f.work {
                    FoldWork::Os { .. } => {
                        let (e, z) = os_array.account(f.rows_used, f.cols_used, &mut grid);
                        run.effectual_macs += e;
                        run.ineffectual_macs += z;
                    }
                    _ => {
                        let sf = tile.as_ref().expect("a stationary fold has its tile");
                        st_array.account(sf, &mut grid, &mut counters);
                        run.effectual_macs += counters.effectual;
                        run.ineffectual_macs += counters.zero_weight;
                        run.decode_cycles += st_array.decode_waits();
                        run.max_bus_demand = run.max_bus_demand.max(counters.max_list as u32);
                        run.max_fan_in = run.max_fan_in.max(counters.max_lanes as u32);
                        let (stat_reads, stream_reads) =
                            (counters.stationary_reads, counters.stream_reads);
                        if arch.dataflow == Dataflow::Ws {
                            s.filter_sram_reads += stat_reads;
                            s.ifmap_sram_reads += stream_reads;
                        } else {
                            s.ifmap_sram_reads += stat_reads;
                            s.filter_sram_reads += stream_reads;
                        }
                        s.ofmap_sram_writes += counters.output_writes;
                        s.operand_hops += counters.operand_hops;
                        s.stationary_hops += counters.stationary_hops;
                        s.bus_beats += counters.bus_beats;
                    }
                }
            }
        }
        // 5. DRAM moves.
        let dram = [ich.progress(t), fch.progress(t), och.progress(t)];
        if trace {
            trace_cycle(&mut run.trace, t, active, activity, dram);
        }
        // 6. Fold end.
        if let Some(i) = active
            && array_done
        {
            let streamed_done = |ch: &Channel| ch.streamed_done(i, t + 1);
            let spill_done =
                spill_of[i].is_none_or(|q| och.queue[q].done.is_some_and(|d| d <= t + 1));
            if streamed_done(&ich) && streamed_done(&fch) && spill_done {
                ended[i] = Some(t + 1);
                active = None;
                if group_end[i] && folds[i].out_words <= ocap {
                    drains.push(och.queue.len());
                    och.queue.push(Transfer::new(
                        i,
                        folds[i].out_words,
                        Cond::FoldEnded(i),
                        false,
                    ));
                }
                if i + 1 == nf && zero_fill > 0 {
                    zero_fill_q = Some(och.queue.len());
                    och.queue
                        .push(Transfer::new(i, zero_fill, Cond::FoldEnded(i), false));
                }
            }
        }
        t += 1;
    }
    // The layer's cycle 0: its start, or with a prefetched first fill the first fold's start
    // (the trace keeps counting from the first fill's start; `timeline.origin` says where
    // cycle 0 is on it).
    let first_start = started.first().copied().flatten();
    let origin = match policy.first_fill {
        FirstFill::Stall => 0,
        FirstFill::Prefetch => first_start.unwrap_or(0),
    };
    let total = t - origin;
    let stall = total - compute_cycles;
    for p in &mut grid.pes {
        p.stalled += stall;
    }
    s.compute_cycles = compute_cycles;
    s.total_cycles = total;
    s.stall_cycles = stall;
    s.prefetch_cycles = first_start.unwrap_or(0);
    s.timeline.origin = origin;
    s.timeline.first_fold_start = first_start.unwrap_or(0);
    s.timeline.last_fold_start = started.iter().rev().find_map(|x| *x).unwrap_or(0);
    s.folds = nf as u64;
    s.ifmap_dram_reads = ich.words;
    s.filter_dram_reads = fch.words;
    let (mut writes, mut readbacks) = (0u64, 0u64);
    for (i, q) in spill_of.iter().enumerate() {
        if let Some(q) = q {
            let g = folds[i].out_words;
            writes += g;
            readbacks += och.queue[*q].words - g;
        }
    }
    for &d in &drains {
        writes += och.queue[d].words;
    }
    if let Some(q) = zero_fill_q {
        writes += och.queue[q].words;
    }
    s.ofmap_sram_writes += zero_fill;
    s.ofmap_dram_writes = writes;
    s.ofmap_dram_reads = readbacks;
    let pes = arch.array.pes();
    let occupied: u64 = folds
        .iter()
        .map(|f| (f.rows_used * f.cols_used) as u64)
        .sum();
    s.mapping_efficiency = if nf == 0 {
        0.0
    } else {
        occupied as f64 / (nf as u64 * pes) as f64
    };
    s.pe_utilization = if total == 0 {
        0.0
    } else {
        run.effectual_macs as f64 / (pes * total) as f64
    };
    s.time_us = total as f64 / arch.clock_mhz;
    run.stats = s;
    run.pe = grid;
    run.outputs = outputs;
    run.weights = weights;
    run.ifmaps = ifmaps;
    run
}
