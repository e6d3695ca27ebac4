//! The `[memory]` policy options of sparsim's memory model (`docs/model.md` §3), each on a
//! tiny layer traced by hand, checked in the fast and the cycle-stepped engine.
//!
//! The layer: a GEMM with M = 16, N = 2, K = 6 on a 2×2 weight-stationary array. Folds:
//! `row_folds = ⌈6/2⌉ = 3`, `col_folds = ⌈2/2⌉ = 1`, each `L_fold = 2R + C + T − 2 =
//! 4 + 2 + 16 − 2 = 20` cycles, so `compute_cycles = 60`. Memories:
//! - ifmap: 1 kB of 16-byte words = 64 words; its footprint is M·K = 96 > 64 words, so it is
//!   tiled; each fold's tile is M × 2 rows = 32 ≤ 64/2 words: double-buffered. At 1 word per
//!   cycle a tile takes 32 cycles. Every fold has a new tile (T0, T1, T2).
//! - filter: 1024 words hold the whole 12-word footprint (resident); each fold fetches its
//!   4 new words in 1 cycle (100 words/cycle), long before it needs them.
//! - ofmap: one output group (the 3 row folds) of M × 2 = 32 words, drained after the last
//!   fold in 1 cycle (32 words/cycle).

use sparsim::compare::pack_layer;
use sparsim::config::Arch;
use sparsim::config::validate::parse_arch_toml;
use sparsim::engine::scalesim_view::scalesim_row;
use sparsim::engine::simulate_layer;
use sparsim::engine::sparse::PeLimits;
use sparsim::layout::{LayoutKind, LayoutParams};
use sparsim::stats::LayerStats;
use sparsim::stepped::{SteppedRun, step_layer_traced};
use sparsim::verify::cross_check;
use sparsim::weights::{WeightSource, WeightSpread, network_weights};
use sparsim::workload::{Gemm, Layer, LayerOp, Network};

fn arch(memory: &str) -> Arch {
    let src = format!(
        "[array]\nrows = 2\ncols = 2\ndataflow = \"ws\"\n\
         [sram]\nifmap_kb = 1\nfilter_kb = 1\nofmap_kb = 1\n\
         [word_bytes]\nifmap = 16\n\
         [dram]\nifmap_bw = 1\nfilter_bw = 100\nofmap_bw = 32\n\
         [memory]\n{memory}"
    );
    parse_arch_toml(&src, "<test>", "t").unwrap()
}

fn network() -> Network {
    Network {
        name: "n".into(),
        layers: vec![Layer::new("g", LayerOp::Gemm(Gemm::new(16, 2, 6).unwrap()))],
        weight_spread: WeightSpread::default(),
    }
}

/// The layer in both engines (dense); asserts that they agree on every counter.
fn both(a: &Arch) -> (LayerStats, SteppedRun) {
    let net = network();
    let weights = network_weights(&net, &WeightSource::synthetic(1)).unwrap();
    let packs = pack_layer(
        &net,
        &weights,
        0,
        LayoutKind::Dense,
        &LayoutParams::default(),
    );
    let limits = PeLimits {
        mux_inputs: 1,
        row_bus_width: 1,
        ifmap_read_bw: None,
    };
    let (_, diffs) = cross_check(a, &net.layers[0], &packs, limits, 1);
    assert!(diffs.is_empty(), "{diffs:#?}");
    let fast = simulate_layer(a, &net.layers[0]);
    let stepped = step_layer_traced(a, &net.layers[0], &packs, limits, 1, true);
    (fast, stepped)
}

/// (compute, stall, total, prefetch) cycles.
fn cycles(s: &LayerStats) -> (u64, u64, u64, u64) {
    (
        s.compute_cycles,
        s.stall_cycles,
        s.total_cycles,
        s.prefetch_cycles,
    )
}

/// Asserts the cycles of both engines, and the DRAM traffic (which no option changes).
fn expect(memory: &str, want: (u64, u64, u64, u64)) -> (LayerStats, SteppedRun) {
    let (fast, stepped) = both(&arch(memory));
    assert_eq!(cycles(&fast), want, "fast engine, [memory] {memory}");
    assert_eq!(
        cycles(&stepped.stats),
        want,
        "stepped engine, [memory] {memory}"
    );
    for s in [&fast, &stepped.stats] {
        assert_eq!(
            (s.ifmap_dram_reads, s.filter_dram_reads, s.ofmap_dram_writes),
            (96, 12, 32)
        );
    }
    (fast, stepped)
}

/// The defaults (`half_release = "fold_start"`, `first_fill = "stall"`, no latency):
/// ```text
/// ifmap channel  T0 [0, 32)
/// fold 0         starts at 32 (T0 in), runs [32, 52)
/// ifmap channel  T1 may start when fold 0 starts: [32, 64)
/// fold 1         starts at max(52, 64) = 64, runs [64, 84)
/// ifmap channel  T2 may start when fold 1 starts: [64, 96)
/// fold 2         starts at max(84, 96) = 96, runs [96, 116)
/// ofmap channel  drain [116, 117)
/// ```
/// total 117, prefetch 32 (fold 0's start), stall 117 − 60 = 57.
#[test]
fn defaults() {
    expect("", (60, 57, 117, 32));
    let explicit = "half_release = \"fold_start\"\nfirst_fill = \"stall\"\ndram_read_latency = 0\n";
    expect(explicit, (60, 57, 117, 32));
}

/// `half_release = "fold_end"`: a tile's fetch into the other half waits for the end of the
/// first fold using the current tile:
/// ```text
/// ifmap channel  T0 [0, 32)
/// fold 0         runs [32, 52)
/// ifmap channel  T1 waits for fold 0's end: [52, 84)
/// fold 1         starts at max(52, 84) = 84, runs [84, 104)
/// ifmap channel  T2 waits for fold 1's end: [104, 136)
/// fold 2         starts at 136, runs [136, 156)
/// ofmap channel  drain [156, 157)
/// ```
/// total 157, prefetch 32, stall 157 − 60 = 97 (40 more than the default).
#[test]
fn half_release_fold_end() {
    let (fast, _) = expect("half_release = \"fold_end\"\n", (60, 97, 157, 32));
    assert_eq!(
        (
            fast.timeline.first_fold_start,
            fast.timeline.last_fold_start
        ),
        (32, 136)
    );
}

/// `first_fill = "prefetch"`: the schedule of [`defaults`], counted from fold 0's start
/// (cycle 32): total 117 − 32 = 85, stall 85 − 60 = 25, prefetch still 32. PE utilization is
/// MACs / (R·C·total) = 192 / (4 · 85). The timeline keeps the fill's clock with cycle 0 at
/// 32, so SCALE-Sim's view (cycle 0 = fold 0's start) is the same under both options:
/// Total Cycles = 60 − 1 + 25 = 84, incl. prefetch 117.
#[test]
fn first_fill_prefetch() {
    let (fast, stepped) = expect("first_fill = \"prefetch\"\n", (60, 25, 85, 32));
    assert_eq!(fast.pe_utilization, 192.0 / (4.0 * 85.0));
    assert_eq!(stepped.stats.pe_utilization, fast.pe_utilization);
    assert_eq!(fast.timeline.origin, 32);
    assert_eq!(stepped.stats.timeline.origin, 32);
    // The stepped trace counts from the fill's start: 32 idle cycles of fill (the filter
    // channel moves in the first 3, so they are two spans), then 85 cycles.
    let fill: Vec<_> = stepped.trace.iter().take_while(|s| s.start < 32).collect();
    assert!(fill.iter().all(|s| s.array.as_str() == "idle"));
    assert_eq!(fill.iter().map(|s| s.cycles).sum::<u64>(), 32);
    let last = stepped.trace.last().unwrap();
    assert_eq!(last.start + last.cycles, 32 + 85);

    let (stall_fast, _) = both(&arch(""));
    let layer = &network().layers[0];
    let view = scalesim_row(&arch("first_fill = \"prefetch\"\n"), layer, &fast).unwrap();
    let base = scalesim_row(&arch(""), layer, &stall_fast).unwrap();
    assert_eq!(view, base);
    assert_eq!(
        (
            view.total_cycles,
            view.stall_cycles,
            view.total_cycles_incl_prefetch
        ),
        (84, 25, 117)
    );
    // The fill's DRAM cycles are negative in SCALE-Sim's view: T0 moved in [0, 32) = [−32, 0).
    assert_eq!(view.dram_windows[0], Some((-32.0, 63.0)));
}

/// `dram_read_latency = 10`: each read's data is usable 10 cycles after its last word:
/// ```text
/// ifmap channel  T0 [0, 32), usable at 42
/// fold 0         starts at 42, runs [42, 62)
/// ifmap channel  T1 may start when fold 0 starts: [42, 74), usable at 84
/// fold 1         starts at max(62, 84) = 84, runs [84, 104)
/// ifmap channel  T2 may start when fold 1 starts: [84, 116), usable at 126
/// fold 2         starts at 126, runs [126, 146)
/// ofmap channel  drain (a posted write, no latency) [146, 147)
/// ```
/// (The filter's 4-word reads complete at 11, 12, 13: never the bottleneck.) total 147,
/// prefetch 42, stall 147 − 60 = 87 (30 more than the default).
#[test]
fn dram_read_latency() {
    expect("dram_read_latency = 10\n", (60, 87, 147, 42));
    // In calc mode nothing takes time, latency included.
    let mut a = arch("dram_read_latency = 10\n");
    a.memory.bandwidth_mode = sparsim::config::BandwidthMode::Calc;
    let (fast, stepped) = both(&a);
    assert_eq!(cycles(&fast), (60, 0, 60, 0));
    assert_eq!(cycles(&stepped.stats), (60, 0, 60, 0));
}
