//! Trust checks: the fast and stepped engines must agree on every counter (cross-check), and
//! the stepped engine's outputs must equal a reference GEMM of the kept weights (verify).

use crate::compare::simulate_layout;
use crate::config::{Arch, Dataflow};
use crate::engine::pe_states::dense_grid;
use crate::engine::sparse::{PeLimits, SparseStats, simulate_packed_grid};
use crate::layout::packed::{EMPTY, Packed};
use crate::stats::{LayerStats, PeGrid};
use crate::stepped::{SteppedRun, step_layer_traced};
use crate::workload::Layer;
use ndarray::Array2;

/// One counter on which the engines disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Counter name (a report column, or `pe_states[r][c].state`).
    pub counter: String,
    /// Fast engine's value.
    pub fast: String,
    /// Stepped engine's value.
    pub stepped: String,
}

/// The fast engine's results for a packed layer, with its PE grid.
pub fn fast_with_grid(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
) -> (LayerStats, SparseStats, PeGrid) {
    if arch.dataflow == Dataflow::Ws {
        let mut grid = PeGrid::new(arch.array.rows, arch.array.cols);
        let (s, sp) = simulate_packed_grid(arch, layer, packs, limits, Some(&mut grid));
        return (s, sp, grid);
    }
    let (s, sp) = simulate_layout(arch, layer, packs, false);
    let nonzero =
        |wi: u64, n: u64, k: u64| weight_nonzero(&packs[wi as usize], n as usize, k as usize);
    let grid = dense_grid(arch, layer, s.stall_cycles, &nonzero);
    (s, sp, grid)
}

fn weight_nonzero(p: &Packed, n: usize, k: usize) -> bool {
    // In-place packings (dense, masked): packed row = k, column = filter n.
    let b = &p.blocks[0];
    let c = b.cell(k, n);
    c.k != EMPTY && c.w != 0.0
}

/// Runs both engines on a layer and lists every counter that differs.
pub fn cross_check(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    seed: u64,
) -> (SteppedRun, Vec<Difference>) {
    cross_check_traced(arch, layer, packs, limits, seed, false)
}

/// [`cross_check`], the stepped run also recording its cycle trace when `trace` is set.
pub fn cross_check_traced(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    seed: u64,
    trace: bool,
) -> (SteppedRun, Vec<Difference>) {
    let (f, fsp, fgrid) = fast_with_grid(arch, layer, packs, limits);
    let st = step_layer_traced(arch, layer, packs, limits, seed, trace);
    let s = &st.stats;
    let mut d = Vec::new();
    let mut cmp = |name: &str, a: u64, b: u64| {
        if a != b {
            d.push(Difference {
                counter: name.to_string(),
                fast: a.to_string(),
                stepped: b.to_string(),
            });
        }
    };
    cmp("folds", f.folds, s.folds);
    cmp("compute_cycles", f.compute_cycles, s.compute_cycles);
    cmp("stall_cycles", f.stall_cycles, s.stall_cycles);
    cmp("total_cycles", f.total_cycles, s.total_cycles);
    cmp("prefetch_cycles", f.prefetch_cycles, s.prefetch_cycles);
    cmp("ifmap_sram_reads", f.ifmap_sram_reads, s.ifmap_sram_reads);
    cmp(
        "filter_sram_reads",
        f.filter_sram_reads,
        s.filter_sram_reads,
    );
    cmp(
        "ofmap_sram_writes",
        f.ofmap_sram_writes,
        s.ofmap_sram_writes,
    );
    cmp("ifmap_dram_reads", f.ifmap_dram_reads, s.ifmap_dram_reads);
    cmp(
        "filter_dram_reads",
        f.filter_dram_reads,
        s.filter_dram_reads,
    );
    cmp(
        "ofmap_dram_writes",
        f.ofmap_dram_writes,
        s.ofmap_dram_writes,
    );
    cmp("ofmap_dram_reads", f.ofmap_dram_reads, s.ofmap_dram_reads);
    cmp("operand_hops", f.operand_hops, s.operand_hops);
    cmp("stationary_hops", f.stationary_hops, s.stationary_hops);
    cmp("bus_beats", f.bus_beats, s.bus_beats);
    cmp("effectual_macs", fsp.effectual_macs, st.effectual_macs);
    cmp(
        "ineffectual_macs",
        fsp.ineffectual_macs,
        st.ineffectual_macs,
    );
    if arch.dataflow == Dataflow::Ws {
        cmp("decode_cycles", fsp.decode_cycles, st.decode_cycles);
        cmp(
            "metadata_sram_reads",
            fsp.metadata_sram_reads,
            st.metadata_sram_reads,
        );
        cmp(
            "metadata_dram_reads",
            fsp.metadata_dram_reads,
            st.metadata_dram_reads,
        );
        cmp(
            "max_bus_demand",
            u64::from(fsp.max_bus_demand),
            u64::from(st.max_bus_demand),
        );
        cmp(
            "max_fan_in",
            u64::from(fsp.max_fan_in),
            u64::from(st.max_fan_in),
        );
        cmp("decoder_entries", fsp.decoder_entries, st.decoder_entries);
    }
    if f.mapping_efficiency.to_bits() != s.mapping_efficiency.to_bits() {
        d.push(Difference {
            counter: "mapping_efficiency".into(),
            fast: f.mapping_efficiency.to_string(),
            stepped: s.mapping_efficiency.to_string(),
        });
    }
    for (i, (a, b)) in fgrid.pes.iter().zip(&st.pe.pes).enumerate() {
        if a != b {
            let (r, c) = (i / fgrid.cols as usize, i % fgrid.cols as usize);
            d.push(Difference {
                counter: format!("pe_states[{r}][{c}]"),
                fast: format!("{a:?}"),
                stepped: format!("{b:?}"),
            });
        }
    }
    (st, d)
}

/// Checks the stepped outputs against `ifmap · W_keptᵀ` computed with ndarray (int32,
/// wrapping like the array's accumulators). Returns the first mismatch.
pub fn verify_outputs(layer: &Layer, run: &SteppedRun) -> Result<(), String> {
    let work = layer.gemm_work().expect("MAC layer");
    let (m, n, k) = (
        work.shape.m as usize,
        work.shape.n as usize,
        work.shape.k as usize,
    );
    for (inst, (a, out)) in run.ifmaps.iter().zip(&run.outputs).enumerate() {
        let w = &run.weights[if work.weights_shared { 0 } else { inst }];
        let a = Array2::from_shape_fn((m, k), |(i, j)| i64::from(a[i * k + j]));
        let wt = Array2::from_shape_fn((k, n), |(j, c)| i64::from(w.q[c * k + j]));
        let reference = a.dot(&wt);
        for i in 0..m {
            for c in 0..n {
                let want = reference[[i, c]] as i32;
                let got = out[i * n + c];
                if want != got {
                    return Err(format!(
                        "layer `{}` instance {inst}: output [{i}][{c}] is {got}, the reference GEMM gives {want}",
                        layer.name
                    ));
                }
            }
        }
    }
    Ok(())
}
