//! The memory model: double-buffered SRAMs fed by bandwidth-limited DRAM channels, giving a
//! layer's stall cycles and DRAM traffic from its fold sequence. This model is sparsim's own
//! (SCALE-Sim's stall accounting double-counts); `docs/model.md` states it in full.
//!
//! Each fold needs, per input operand (ifmap, filter), a *tile*: the DRAM words it reads. Per
//! operand one of four regimes holds, decided from the SRAM capacity `cap` (words):
//! - **resident** — the layer's whole footprint fits (`footprint ≤ cap`): every word is
//!   fetched once, at first use, and the channel prefetches ahead without limit;
//! - **double-buffered** — the tile fits in half (`tile ≤ cap/2`): a new tile is fetched into
//!   the free half while the array works on the current one; the free half opens when the
//!   current tile's first fold starts (`half_release = "fold_start"`, the default) or ends
//!   (`"fold_end"`);
//! - **single-buffered** — `cap/2 < tile ≤ cap`: a new tile's fetch starts when the previous
//!   fold ends;
//! - **streamed** — `tile > cap`: the fetch starts when the previous fold ends and the fold
//!   runs while the tile streams through; the fold ends no earlier than its last word.
//!
//! A tiled operand is fetched again whenever the tile changes from one fold to the next, and
//! a streamed tile for every fold that uses it (it is never held).
//! Outputs accumulate in the ofmap SRAM per *group* (folds that add into the same output
//! tile): a group of `G` words drains to DRAM after its last fold, overlapping later folds;
//! with `G ≤ cap/2` a group may start while the group before drains (double buffering), with
//! `G ≤ cap` only once it has drained. With `G > cap` partial sums spill: each fold streams
//! its output tile out (and, after a group's first fold, the previous partial sums back in)
//! on the ofmap channel while it computes.
//!
//! Per fold the order of events is: (1) DRAM fetches for the fold are issued in operand order
//! (ifmap, filter) as soon as the channel and the buffer space allow; (2) the fold starts when
//! the previous fold has ended, every non-streamed tile has arrived and its output buffer is
//! free; (3) the fold runs `L_fold` cycles (longer if a streamed transfer takes longer);
//! (4) when it is the last fold of its group the group's drain is issued. The layer ends when
//! the last fold has ended and the last drain has finished. In `calc` bandwidth mode every
//! transfer takes no time, so nothing stalls; traffic is counted the same way.
//!
//! A DRAM read (ifmap, filter, spilled partial-sum read-back) of `w > 0` words occupies its
//! channel for `⌈w / bw⌉` cycles and its data is usable `dram_read_latency` cycles after the
//! last word moved; the channel may start its next transfer meanwhile (requests pipeline).
//! Writes (drains, zero fill) are posted and have no latency; in `calc` mode neither has.
//! With `first_fill = "stall"` (the default) the layer's cycle 0 is its start and the fill
//! before the first fold is stall; with `"prefetch"` cycle 0 is the first fold's start, and
//! the fill is reported as prefetch cycles only ([`MemoryOutcome::origin`]).

use crate::config::{BandwidthMode, FirstFill, HalfRelease, Memory, OperandMemory};
use crate::units::Cycle;

/// What one fold asks of one input operand's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputDemand {
    /// DRAM words in the fold's tile.
    pub tile: u64,
    /// Words of the tile no earlier fold of the layer touched.
    pub new: u64,
    /// Whether the fold uses the same tile as the fold before it.
    pub same_as_previous: bool,
}

/// What one fold produces into the ofmap memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutputDemand {
    /// Words of the output tile this fold writes (partial sums or final values).
    pub tile: u64,
    /// Whether this fold is the first of its accumulation group.
    pub group_start: bool,
    /// Whether this fold is the last of its accumulation group.
    pub group_end: bool,
}

/// The memory demands of one fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FoldDemand {
    /// Stall-free cycles of the fold.
    pub cycles: u64,
    /// Ifmap tile.
    pub ifmap: InputDemand,
    /// Filter tile.
    pub filter: InputDemand,
    /// Output tile.
    pub ofmap: OutputDemand,
}

/// The memory model's verdict on a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryOutcome {
    /// Cycles from the layer's cycle 0 ([`Self::origin`]) to its end (compute + stalls).
    pub total_cycles: u64,
    /// Cycles before the first fold could start (initial fill); included in stalls and total
    /// cycles with `first_fill = "stall"`, outside them with `"prefetch"`.
    pub prefetch_cycles: u64,
    /// The layer's cycle 0 on the clock of `first_fold_start`, `last_fold_start` and
    /// `dram_windows` (which counts from the first fill's start): 0 with
    /// `first_fill = "stall"`, the first fold's start with `"prefetch"`.
    pub origin: u64,
    /// Words read from DRAM into the ifmap SRAM.
    pub ifmap_dram_reads: u64,
    /// Words read from DRAM into the filter SRAM.
    pub filter_dram_reads: u64,
    /// Words written from the ofmap SRAM to DRAM.
    pub ofmap_dram_writes: u64,
    /// Spilled partial sums read back from DRAM.
    pub ofmap_dram_reads: u64,
    /// Start cycle of the first fold.
    pub first_fold_start: u64,
    /// Start cycle of the last fold.
    pub last_fold_start: u64,
    /// Per channel (ifmap, filter, ofmap): first cycle a transfer started and last cycle one
    /// was busy, if any transfer happened.
    pub dram_windows: [Option<(u64, u64)>; 3],
}

/// Widens a `(first, last)` activity window by a transfer over `[start, done)`.
fn widen(w: &mut Option<(u64, u64)>, start: Cycle, done: Cycle) {
    let last = done.0.max(start.0 + 1) - 1;
    *w = Some(match *w {
        None => (start.0, last),
        Some((a, b)) => (a.min(start.0), b.max(last)),
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InputRegime {
    Resident,
    Double,
    Single,
    Streamed,
}

/// One input operand's channel state.
struct InputChannel {
    cap: u64,
    resident: bool,
    /// When the channel finishes its last issued transfer.
    chan_free: Cycle,
    /// When the data for the current fold is all in SRAM.
    ready: Cycle,
    /// When the data of every read issued so far is usable (resident operands).
    last_usable: Cycle,
    /// Start of the first fold that uses the current tile (frees the other half with
    /// `half_release = "fold_start"`).
    tile_first_start: Cycle,
    /// End of the first fold that uses the current tile (frees the other half with
    /// `half_release = "fold_end"`).
    tile_first_end: Cycle,
    /// When the other half of a double buffer opens.
    half_release: HalfRelease,
    /// Cycles from a read's last word to its data being usable.
    latency: Cycle,
    /// Regime of the current tile.
    tile_regime: InputRegime,
    /// Words read from DRAM.
    reads: u64,
    /// Activity window of the channel.
    window: Option<(u64, u64)>,
    /// Transfers `(start, words)`, when logging.
    log: Option<Vec<(u64, u64)>>,
}

impl InputChannel {
    fn new(
        mem: &OperandMemory,
        footprint: u64,
        half_release: HalfRelease,
        latency: Cycle,
    ) -> InputChannel {
        let cap = mem.sram_words();
        InputChannel {
            cap,
            resident: footprint <= cap,
            chan_free: Cycle::ZERO,
            ready: Cycle::ZERO,
            last_usable: Cycle::ZERO,
            tile_first_start: Cycle::ZERO,
            tile_first_end: Cycle::ZERO,
            half_release,
            latency,
            tile_regime: InputRegime::Double,
            reads: 0,
            window: None,
            log: None,
        }
    }

    fn record(&mut self, start: Cycle, words: u64) {
        if let Some(l) = &mut self.log
            && words > 0
        {
            l.push((start.0, words));
        }
    }

    fn regime(&self, tile: u64) -> InputRegime {
        if self.resident {
            InputRegime::Resident
        } else if tile <= self.cap / 2 {
            InputRegime::Double
        } else if tile <= self.cap {
            InputRegime::Single
        } else {
            InputRegime::Streamed
        }
    }

    /// When a read of `words` whose last word moves at `done` is usable.
    fn usable(&self, done: Cycle, words: u64) -> Cycle {
        if words > 0 { done + self.latency } else { done }
    }

    /// Issues the fetch for a fold; returns `Some(usable)` for a streamed tile (which bounds
    /// the fold's end rather than its start).
    fn issue(
        &mut self,
        d: InputDemand,
        first_fold: bool,
        prev_end: Cycle,
        xfer: &dyn Fn(u64) -> Cycle,
    ) -> Option<Cycle> {
        let regime = self.regime(d.tile);
        if regime == InputRegime::Resident {
            if d.new > 0 {
                let start = self.chan_free;
                self.chan_free += xfer(d.new);
                self.reads += d.new;
                self.record(start, d.new);
                widen(&mut self.window, start, self.chan_free);
                self.last_usable = self.usable(self.chan_free, d.new);
            }
            self.ready = self.last_usable;
            return None;
        }
        // A held tile serves the next fold too; a streamed one passed through and is gone.
        if d.same_as_previous && !first_fold && regime != InputRegime::Streamed {
            return None;
        }
        let space_free = match (regime, self.tile_regime) {
            _ if first_fold => Cycle::ZERO,
            (InputRegime::Double, InputRegime::Double) => match self.half_release {
                HalfRelease::FoldStart => self.tile_first_start,
                HalfRelease::FoldEnd => self.tile_first_end,
            },
            _ => prev_end,
        };
        let start = self.chan_free.max(space_free);
        let done = start + xfer(d.tile);
        self.chan_free = done;
        self.reads += d.tile;
        self.record(start, d.tile);
        widen(&mut self.window, start, done);
        self.tile_regime = regime;
        let usable = self.usable(done, d.tile);
        if regime == InputRegime::Streamed {
            self.ready = start;
            Some(usable)
        } else {
            self.ready = usable;
            None
        }
    }
}

/// A layer's distinct DRAM words per input operand, (ifmap, filter): the sums of its folds'
/// `new` words, as [`simulate`] takes them.
pub fn footprints(folds: &[FoldDemand]) -> (u64, u64) {
    folds
        .iter()
        .fold((0, 0), |(a, b), d| (a + d.ifmap.new, b + d.filter.new))
}

/// Runs the memory model over a layer's folds. `ifmap_footprint` and `filter_footprint` are
/// the layer's distinct DRAM words per operand (the sums of the folds' `new` words);
/// `zero_fill` output words (the all-zero outputs of filters a layout dropped) are written
/// to DRAM by the output unit after the last fold ends, on the ofmap channel.
pub fn simulate(
    mem: &Memory,
    folds: &[FoldDemand],
    ifmap_footprint: u64,
    filter_footprint: u64,
    zero_fill: u64,
) -> MemoryOutcome {
    simulate_logged(
        mem,
        folds,
        ifmap_footprint,
        filter_footprint,
        zero_fill,
        false,
    )
    .0
}

/// One DRAM transfer of the model: `words` words on `channel` (0 ifmap, 1 filter, 2 ofmap)
/// from cycle `start` (on the timeline's clock), moving at the channel's bandwidth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DramTransfer {
    /// 0 ifmap, 1 filter, 2 ofmap.
    pub channel: usize,
    /// Whether it writes DRAM.
    pub write: bool,
    /// First cycle.
    pub start: u64,
    /// Words moved.
    pub words: u64,
}

/// [`simulate`], also returning every DRAM transfer in issue order per channel when `log`.
pub fn simulate_logged(
    mem: &Memory,
    folds: &[FoldDemand],
    ifmap_footprint: u64,
    filter_footprint: u64,
    zero_fill: u64,
    log: bool,
) -> (MemoryOutcome, Vec<DramTransfer>) {
    let calc = mem.bandwidth_mode == BandwidthMode::Calc;
    let xfer_for = |m: &OperandMemory| {
        let bw = m.dram_bw;
        move |words: u64| {
            if calc {
                Cycle::ZERO
            } else {
                bw.cycles_for(words)
            }
        }
    };
    let (xi, xf, xo) = (
        xfer_for(&mem.ifmap),
        xfer_for(&mem.filter),
        xfer_for(&mem.ofmap),
    );
    let policy = mem.policy;
    // Calc mode: nothing takes time, latency included.
    let latency = Cycle(if calc {
        0
    } else {
        u64::from(policy.dram_read_latency)
    });
    let mut ifmap = InputChannel::new(&mem.ifmap, ifmap_footprint, policy.half_release, latency);
    let mut filter = InputChannel::new(&mem.filter, filter_footprint, policy.half_release, latency);
    if log {
        ifmap.log = Some(Vec::new());
        filter.log = Some(Vec::new());
    }
    let mut olog: Vec<DramTransfer> = Vec::new();
    let mut orecord = |write: bool, start: Cycle, words: u64| {
        if log && words > 0 {
            olog.push(DramTransfer {
                channel: 2,
                write,
                start: start.0,
                words,
            });
        }
    };
    let ocap = mem.ofmap.sram_words();

    let mut out = MemoryOutcome::default();
    let mut prev_end = Cycle::ZERO;
    let mut ochan_free = Cycle::ZERO;
    // Drain completion of the last two finished groups: [older, newer].
    let mut drains = [Cycle::ZERO; 2];
    let mut group_free = Cycle::ZERO;
    let mut owindow = None;

    for (i, d) in folds.iter().enumerate() {
        let first = i == 0;
        // (1) Fetches.
        let stream_i = ifmap.issue(d.ifmap, first, prev_end, &xi);
        let stream_f = filter.issue(d.filter, first, prev_end, &xf);
        // Output buffer space for a new group.
        let g = d.ofmap.tile;
        if d.ofmap.group_start {
            group_free = if g <= ocap / 2 { drains[0] } else { drains[1] };
        }
        // (2) Start.
        let start = prev_end
            .max(ifmap.ready)
            .max(filter.ready)
            .max(if g <= ocap { group_free } else { Cycle::ZERO });
        if first {
            out.prefetch_cycles = start.0;
            out.first_fold_start = start.0;
        }
        out.last_fold_start = start.0;
        // (3) Run.
        let mut end = start + Cycle(d.cycles);
        for s in [stream_i, stream_f].into_iter().flatten() {
            end = end.max(s);
        }
        if g > ocap {
            let readback = if d.ofmap.group_start { 0 } else { g };
            let spill_start = ochan_free.max(start);
            orecord(true, spill_start, g);
            orecord(false, spill_start + xo(g), readback);
            ochan_free = spill_start + xo(g + readback);
            widen(&mut owindow, spill_start, ochan_free);
            // The read-back is a read: its data arrives a latency after the last word.
            let usable = if readback > 0 {
                ochan_free + latency
            } else {
                ochan_free
            };
            end = end.max(usable);
            out.ofmap_dram_writes += g;
            out.ofmap_dram_reads += readback;
        }
        // Bookkeeping for double buffering: a new tile's first fold frees the other half.
        if !d.ifmap.same_as_previous || first {
            ifmap.tile_first_start = start;
            ifmap.tile_first_end = end;
        }
        if !d.filter.same_as_previous || first {
            filter.tile_first_start = start;
            filter.tile_first_end = end;
        }
        // (4) Drain.
        if d.ofmap.group_end && g <= ocap {
            let drain_start = ochan_free.max(end);
            orecord(true, drain_start, g);
            ochan_free = drain_start + xo(g);
            widen(&mut owindow, drain_start, ochan_free);
            out.ofmap_dram_writes += g;
            drains = [drains[1], ochan_free];
        }
        prev_end = end;
    }
    if zero_fill > 0 {
        let start = ochan_free.max(prev_end);
        orecord(true, start, zero_fill);
        ochan_free = start + xo(zero_fill);
        widen(&mut owindow, start, ochan_free);
        out.ofmap_dram_writes += zero_fill;
    }
    if policy.first_fill == FirstFill::Prefetch && !folds.is_empty() {
        out.origin = out.first_fold_start;
    }
    // Every fold starts at or after the first, and the ofmap channel works only after it.
    out.total_cycles = prev_end.max(ochan_free).0 - out.origin;
    out.ifmap_dram_reads = ifmap.reads;
    out.filter_dram_reads = filter.reads;
    out.dram_windows = [ifmap.window, filter.window, owindow];
    let mut transfers = Vec::new();
    for (channel, ch) in [(0, &mut ifmap), (1, &mut filter)] {
        for (start, words) in ch.log.take().unwrap_or_default() {
            transfers.push(DramTransfer {
                channel,
                write: false,
                start,
                words,
            });
        }
    }
    transfers.extend(olog);
    (out, transfers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Bandwidth;

    fn mem(kb: u64, bw: f64, mode: BandwidthMode) -> Memory {
        let op = OperandMemory {
            sram_kb: kb,
            word_bytes: 1,
            dram_bw: Bandwidth::from_words_per_cycle(bw).unwrap(),
        };
        Memory {
            bandwidth_mode: mode,
            ifmap: op.clone(),
            filter: op.clone(),
            ofmap: op,
            metadata_word_bytes: 1,
            policy: Default::default(),
        }
    }

    fn fold(cycles: u64, i: (u64, u64, bool), f: (u64, u64, bool), o: u64) -> FoldDemand {
        FoldDemand {
            cycles,
            ifmap: InputDemand {
                tile: i.0,
                new: i.1,
                same_as_previous: i.2,
            },
            filter: InputDemand {
                tile: f.0,
                new: f.1,
                same_as_previous: f.2,
            },
            ofmap: OutputDemand {
                tile: o,
                group_start: true,
                group_end: true,
            },
        }
    }

    #[test]
    fn resident_operands_are_fetched_once_and_prefetched() {
        // Two folds of 100 cycles, each needing 100 new ifmap and 50 new filter words.
        let folds = [
            fold(100, (100, 100, false), (50, 50, false), 10),
            fold(100, (100, 100, false), (50, 50, false), 10),
        ];
        let m = mem(64, 10.0, BandwidthMode::User);
        let o = simulate(&m, &folds, 200, 100, 0);
        // Fold 0 waits 10 cycles for its ifmap; fold 1's ifmap arrives at 20, well before 110.
        assert_eq!(o.prefetch_cycles, 10);
        assert_eq!(
            (o.ifmap_dram_reads, o.filter_dram_reads, o.ofmap_dram_writes),
            (200, 100, 20)
        );
        // Last drain: fold 1 ends at 210, drains 10 words in 1 cycle.
        assert_eq!(o.total_cycles, 211);
    }

    #[test]
    fn calc_mode_never_stalls() {
        let folds = [fold(100, (10_000, 10_000, false), (50, 50, false), 10)];
        let m = mem(64, 1.0, BandwidthMode::Calc);
        let o = simulate(&m, &folds, 10_000, 50, 0);
        assert_eq!(o.total_cycles, 100);
        assert_eq!(o.ifmap_dram_reads, 10_000);
    }

    #[test]
    fn tiled_operand_refetches_when_tile_changes() {
        // 1 kB SRAM = 1024 words; footprint 3000 is not resident; tiles of 400 double-buffer.
        let folds = [
            fold(50, (400, 400, false), (10, 10, false), 1),
            fold(50, (400, 0, true), (10, 10, false), 1),
            fold(50, (400, 400, false), (10, 10, false), 1),
        ];
        let m = mem(1, 10.0, BandwidthMode::User);
        let o = simulate(&m, &folds, 3000, 30, 0);
        assert_eq!(o.ifmap_dram_reads, 800);
        // Fold 0 starts at 40; fold 1 at 90 (same tile); the third tile's fetch starts when
        // the channel frees (40) and the other half frees at fold 0's start (40): done at 80.
        // Fold 2 starts at 140 and ends at 190; the final drain takes one cycle.
        assert_eq!(o.prefetch_cycles, 40);
        assert_eq!(o.total_cycles, 191);
    }

    /// Two folds of 50 cycles on two different ifmap tiles of 400 words (double-buffered in
    /// 1024 words, footprint 3000), filter resident (10 new words per fold), bandwidth 10.
    fn two_tiles() -> [FoldDemand; 2] {
        [
            fold(50, (400, 400, false), (10, 10, false), 1),
            fold(50, (400, 400, false), (10, 10, false), 1),
        ]
    }

    fn with_policy(f: impl FnOnce(&mut crate::config::MemoryPolicy)) -> Memory {
        let mut m = mem(1, 10.0, BandwidthMode::User);
        f(&mut m.policy);
        m
    }

    #[test]
    fn half_release_fold_end_waits_for_the_first_fold_to_end() {
        // fold_start: tile A [0, 40), fold 0 runs [40, 90); tile B may start when fold 0
        // starts: [40, 80); fold 1 runs [90, 140); its drain [140, 141).
        let o = simulate(&with_policy(|_| {}), &two_tiles(), 3000, 20, 0);
        assert_eq!((o.prefetch_cycles, o.total_cycles), (40, 141));
        // fold_end: tile B waits for fold 0's end: [90, 130); fold 1 runs [130, 180); drain
        // [180, 181).
        let m = with_policy(|p| p.half_release = HalfRelease::FoldEnd);
        let o = simulate(&m, &two_tiles(), 3000, 20, 0);
        assert_eq!((o.prefetch_cycles, o.total_cycles), (40, 181));
        assert_eq!(o.last_fold_start, 130);
    }

    #[test]
    fn prefetch_first_fill_moves_cycle_zero_to_the_first_fold() {
        // As fold_start above (first fold at 40, end 141), counted from cycle 40.
        let m = with_policy(|p| p.first_fill = FirstFill::Prefetch);
        let o = simulate(&m, &two_tiles(), 3000, 20, 0);
        assert_eq!((o.prefetch_cycles, o.origin, o.total_cycles), (40, 40, 101));
        // The timeline keeps the fill's clock.
        assert_eq!((o.first_fold_start, o.last_fold_start), (40, 90));
        assert_eq!(o.dram_windows[0], Some((0, 79)));
        // No folds: nothing to prefetch, cycle 0 stays the layer's start.
        let o = simulate(&m, &[], 0, 0, 10);
        assert_eq!((o.origin, o.total_cycles), (0, 1));
    }

    #[test]
    fn read_latency_delays_data_not_the_channel() {
        // Resident ifmap, 100 new words per 10-cycle fold at 10 words/cycle, latency 5:
        // fetch 0 moves in [0, 10), usable at 15; fetch 1 pipelines: [10, 20), usable at 25.
        // Fold 0 runs [15, 25), fold 1 [25, 35); its drain (a write: no latency) [35, 36).
        let folds = [
            fold(10, (100, 100, false), (0, 0, false), 1),
            fold(10, (100, 100, false), (0, 0, false), 1),
        ];
        let m = with_policy(|p| p.dram_read_latency = 5);
        let o = simulate(&m, &folds, 200, 0, 0);
        assert_eq!((o.prefetch_cycles, o.total_cycles), (15, 36));
        // The channel's activity window is the words moving, not the latency.
        assert_eq!(o.dram_windows[0], Some((0, 19)));
        // Double-buffered tiles: tile A [0, 40) usable 45, fold 0 [45, 95); tile B starts at
        // fold 0's start (45): [45, 85), usable 90; fold 1 [95, 145); drain [145, 146).
        let o = simulate(&m, &two_tiles(), 3000, 20, 0);
        assert_eq!((o.prefetch_cycles, o.total_cycles), (45, 146));
    }

    #[test]
    fn read_latency_applies_to_spill_read_back_only() {
        // Output tile of 2000 words > 1024: spills. Fold 0 (group start) writes 2000 words:
        // [0, 200), a write, so it ends at 200. Fold 1 writes 2000 and reads 2000 back:
        // [200, 600), the read-back usable at 607: fold 1 ends, and the layer with it, at 607.
        let mut folds = [
            fold(10, (0, 0, false), (0, 0, false), 2000),
            fold(10, (0, 0, false), (0, 0, false), 2000),
        ];
        folds[0].ofmap.group_end = false;
        folds[1].ofmap.group_start = false;
        let m = with_policy(|p| p.dram_read_latency = 7);
        let o = simulate(&m, &folds, 0, 0, 0);
        assert_eq!((o.ofmap_dram_writes, o.ofmap_dram_reads), (4000, 2000));
        assert_eq!(o.total_cycles, 607);
    }

    #[test]
    fn calc_mode_ignores_read_latency() {
        let folds = [fold(100, (10_000, 10_000, false), (50, 50, false), 10)];
        let mut m = mem(64, 1.0, BandwidthMode::Calc);
        m.policy.dram_read_latency = 1000;
        assert_eq!(simulate(&m, &folds, 10_000, 50, 0).total_cycles, 100);
    }
}
