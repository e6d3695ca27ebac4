//! The cycle-stepped engine on folds traced by hand, cycle by cycle: every number asserted
//! here is written out in the comments from the hardware's rules, not from either engine's
//! code. Cycles are counted from 0 at the fold's first cycle; "PE(r,c)" is array row r,
//! column c; a MAC happens when a vector's end-of-vector word reaches the PE.

use sparsim::config::Arch;
use sparsim::config::validate::parse_arch_toml;
use sparsim::engine::sparse::PeLimits;
use sparsim::layout::LayoutKind;
use sparsim::layout::packed::{Cell, Packed, PackedBlock};
use sparsim::stats::PeStateCounts;
use sparsim::stepped::{SteppedRun, step_layer_traced};
use sparsim::verify::{cross_check, verify_outputs};
use sparsim::weights::WeightMatrix;
use sparsim::workload::{Gemm, Layer, LayerOp};

/// PEs without a mux on one-lane row buses; the arch's ifmap port.
const ONE_LANE: PeLimits = PeLimits {
    mux_inputs: 1,
    row_bus_width: 1,
    ifmap_read_bw: None,
};

fn arch(rows: u32, cols: u32, extra: &str) -> Arch {
    let src = format!(
        "[array]\nrows = {rows}\ncols = {cols}\n[dram]\nbandwidth_mode = \"calc\"\n{extra}"
    );
    parse_arch_toml(&src, "<test>", "t").unwrap()
}

fn gemm(m: u64, n: u64, k: u64) -> Layer {
    Layer::new("g", LayerOp::Gemm(Gemm::new(m, n, k).unwrap()))
}

/// The trace as (first cycle, cycles, array activity) runs.
fn spans(run: &SteppedRun) -> Vec<(u64, u64, &'static str)> {
    run.trace
        .iter()
        .map(|s| (s.start, s.cycles, s.array.as_str()))
        .collect()
}

fn pe(effectual: u64, fill_drain: u64, bus_wait: u64, stalled: u64) -> PeStateCounts {
    PeStateCounts {
        effectual,
        zero_weight: 0,
        unmapped: 0,
        fill_drain,
        stalled,
        bus_wait,
    }
}

/// Dense 2×2 weight-stationary fold, GEMM M = 3, N = 2, K = 2 (one fold, T = 3):
/// ```text
/// cycle 0  tile row 1 (W[·][1]) enters array row 0           load
/// cycle 1  it shifts to row 1, tile row 0 enters row 0       load
/// cycle 2  a[0][0] → PE(0,0): MAC                            stream (vector 0 enters row 0)
/// cycle 3  a[0][0] → PE(0,1), a[0][1] → PE(1,0), a[1][0] → PE(0,0): 3 MACs
/// cycle 4  PE(1,1) v0, PE(0,1) v1, PE(1,0) v1, PE(0,0) v2
/// cycle 5  PE(1,1) v1, PE(0,1) v2, PE(1,0) v2
/// cycle 6  PE(1,1) v2: the last output leaves; the fold ends after 7 cycles
/// ```
/// Every PE makes 3 MACs, back to back (no bus wait), and fills/drains the other 4 cycles.
#[test]
fn dense_two_by_two_fold() {
    let w = WeightMatrix::new(2, 2, vec![0.5, -0.25, 1.0, 0.75]);
    let cols: Vec<Vec<Cell>> = (0..2)
        .map(|n| {
            (0..2)
                .map(|k| Cell {
                    k: k as u32,
                    w: w.get(n, k),
                    bits: 0,
                })
                .collect()
        })
        .collect();
    let p = Packed::new(
        LayoutKind::Dense,
        &w,
        vec![PackedBlock::from_columns(vec![0, 1], cols, vec![0, 0])],
    );
    let limits = ONE_LANE;
    let a = arch(2, 2, "");
    let layer = gemm(3, 2, 2);
    let run = step_layer_traced(&a, &layer, std::slice::from_ref(&p), limits, 5, true);
    assert_eq!(spans(&run), vec![(0, 2, "load"), (2, 5, "stream")]);
    assert_eq!((run.stats.compute_cycles, run.stats.total_cycles), (7, 7));
    assert!(
        run.pe.pes.iter().all(|s| *s == pe(3, 4, 0, 0)),
        "{:?}",
        run.pe
    );
    // 2 weights per row loaded, 3 vectors of 2 activations, 3 outputs per column.
    assert_eq!(
        (
            run.stats.filter_sram_reads,
            run.stats.ifmap_sram_reads,
            run.stats.ofmap_sram_writes
        ),
        (4, 6, 6)
    );
    assert_eq!(verify_outputs(&layer, &run), Ok(()));
}

/// A packed 3×2 fold whose rows need more activations than the 1-lane bus carries. Filters
/// f0, f1 (array columns 0, 1) over K = 6; the cells (window index k per PE):
/// ```text
///            col 0  col 1    row list   beats on a 1-lane bus
///   row 0    k=0    k=1      [0, 1]     2
///   row 1    k=2    k=2      [2]        1
///   row 2    k=3    k=5      [3, 5]     2
/// ```
/// So a vector takes s = 2 beats and each PE needs no mux (one lane: fan-in 1); the bus
/// demand is 2. A vector is W = 2 + 1 + 2 = 5 words; the ifmap SRAM port reads R = 3 words
/// per cycle (the default), so staging a vector takes 2 cycles. M = T = 2 vectors.
/// ```text
/// cycles 0-2  load (filter port 2 words/cycle = one 2-wide row per cycle); the port stages
///             vector 0 in cycles 0-1 (3 + 2 words)
/// cycle 3     vector 0 leaves the staging register (slot 0): beat 0 into row 0; the port
///             stages vector 1 in cycles 3-4
/// cycle 4     row 0 beat 1 (end of vector): MAC at PE(0,0); row 1 gets beat 0
/// cycle 5     slot 1 (beats of v0 done and v1 staged): v1 beat 0 into row 0; MACs PE(0,1),
///             PE(1,0) (v0)
/// cycle 6     MACs PE(0,0) v1, PE(1,1) v0, PE(2,0) v0
/// cycle 7     MACs PE(0,1) v1, PE(1,0) v1, PE(2,1) v0
/// cycle 8     MACs PE(1,1) v1, PE(2,0) v1
/// cycle 9     MAC PE(2,1) v1: the last output leaves; the fold lasts 10 cycles
/// ```
/// Each PE makes 2 MACs 2 cycles apart: 1 bus wait between them, 7 cycles of fill/drain.
#[test]
fn packed_three_by_two_fold_with_more_activations_than_lanes() {
    let ks: [[u32; 3]; 2] = [[0, 2, 3], [1, 2, 5]];
    let mut data = vec![0.0f32; 12];
    for (n, col) in ks.iter().enumerate() {
        for (r, &k) in col.iter().enumerate() {
            data[n * 6 + k as usize] = 0.5 + (n * 3 + r) as f32 * 0.25;
        }
    }
    let w = WeightMatrix::new(2, 6, data);
    let cols: Vec<Vec<Cell>> = ks
        .iter()
        .enumerate()
        .map(|(n, col)| {
            col.iter()
                .map(|&k| Cell {
                    k,
                    w: w.get(n, k as usize),
                    bits: 1,
                })
                .collect()
        })
        .collect();
    let p = Packed::new(
        LayoutKind::Colcomb,
        &w,
        vec![PackedBlock::from_columns(vec![0, 1], cols, vec![0, 0])],
    );
    let limits = ONE_LANE;
    let layer = gemm(2, 2, 6);
    let run_on = |extra: &str| {
        step_layer_traced(
            &arch(3, 2, extra),
            &layer,
            std::slice::from_ref(&p),
            limits,
            5,
            true,
        )
    };
    let run = run_on("");
    assert_eq!(spans(&run), vec![(0, 3, "load"), (3, 7, "stream")]);
    assert_eq!(run.stats.compute_cycles, 10);
    assert!(
        run.pe.pes.iter().all(|s| *s == pe(2, 7, 1, 0)),
        "{:?}",
        run.pe
    );
    assert_eq!((run.max_bus_demand, run.max_fan_in), (2, 1));
    // Each vector reads its 5 words once; 6 weights; 2 outputs per column.
    assert_eq!(
        (
            run.stats.ifmap_sram_reads,
            run.stats.filter_sram_reads,
            run.stats.ofmap_sram_writes
        ),
        (10, 6, 4)
    );
    assert_eq!(verify_outputs(&layer, &run), Ok(()));

    // A 1-word ifmap port: staging a vector takes 5 cycles. Vector 0 is staged at the end
    // of cycle 4 (2 cycles after the load), each later one 5 cycles after its predecessor
    // left: slots at cycles 5 and 10; the last MAC at PE(2,1) in cycle 10 + 1 + 2 + 1 = 14.
    // Each PE's 2 MACs are 5 cycles apart: 4 bus waits; 15 − 2 − 4 = 9 fill/drain.
    let run = run_on("[sram]\nifmap_read_bw = 1\n");
    assert_eq!(
        spans(&run),
        vec![(0, 3, "load"), (3, 2, "vector_fill"), (5, 10, "stream")]
    );
    assert!(
        run.pe.pes.iter().all(|s| *s == pe(2, 9, 4, 0)),
        "{:?}",
        run.pe
    );

    // A decoder of 1 entry per cycle: 6 cells carry a select, so decoding ends after cycle
    // 5; the stream starts at cycle 6, 3 cycles after the load and the staging: a decode
    // stall of 3 cycles, and everything after shifts by 3 (13 cycles).
    let run = run_on("[decode]\ncolcomb = 1\n");
    assert_eq!(
        spans(&run),
        vec![(0, 3, "load"), (3, 3, "decode_wait"), (6, 7, "stream")]
    );
    assert_eq!((run.decode_cycles, run.stats.compute_cycles), (3, 13));
    assert!(
        run.pe.pes.iter().all(|s| *s == pe(2, 7, 1, 3)),
        "{:?}",
        run.pe
    );

    // The fast engine's closed forms give the same counters on all three.
    for extra in ["", "[sram]\nifmap_read_bw = 1\n", "[decode]\ncolcomb = 1\n"] {
        let (_, diffs) = cross_check(
            &arch(3, 2, extra),
            &layer,
            std::slice::from_ref(&p),
            limits,
            5,
        );
        assert!(diffs.is_empty(), "{extra}: {diffs:?}");
    }
}
