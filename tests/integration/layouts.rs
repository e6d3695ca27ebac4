//! Layout invariants (property tests) and the sparse engine's agreement with the dense one.

use proptest::prelude::*;
use sparsim::compare::{layer_context, pack_layer, simulate_layout};
use sparsim::config::Dataflow;
use sparsim::engine::simulate_layer;
use sparsim::inputs::{load_arch, load_workload};
use sparsim::layout::packed::{EMPTY, Packed, index_bits};
use sparsim::layout::prune::keep_count;
use sparsim::layout::{LayerContext, LayoutKind, LayoutParams, build};
use sparsim::weights::synthetic::{SplitMix64, synthetic_matrix};
use sparsim::weights::{WeightMatrix, WeightSource, network_weights};
use sparsim::workload::scalesim_csv::TopologyForm;
use std::collections::HashSet;

use crate::common::fixture;

/// A synthetic matrix with a fraction of its weights zeroed (as a file's zeros would be).
fn matrix(n: usize, k: usize, zero_frac: f64, seed: u64) -> WeightMatrix {
    let mut data = synthetic_matrix(n, k, k, |j| j, seed, Default::default()).data;
    let mut g = SplitMix64::new(seed ^ 0xABCD);
    for x in &mut data {
        if g.uniform() < zero_frac {
            *x = 0.0;
        }
    }
    WeightMatrix::new(n, k, data)
}

fn magnitude(w: &WeightMatrix) -> Vec<f32> {
    w.data.iter().map(|x| x.abs()).collect()
}

/// Every kept weight sits in exactly one cell with its own value; cells hold nothing else.
fn check_cells(w: &WeightMatrix, p: &Packed) -> Result<(), TestCaseError> {
    let mut seen = HashSet::new();
    let mut kept = 0u64;
    for b in &p.blocks {
        for col in 0..b.cols() {
            let f = b.filters[col] as usize;
            for row in 0..b.rows {
                let c = b.cell(row, col);
                if c.k == EMPTY {
                    prop_assert_eq!(c.w, 0.0);
                    continue;
                }
                prop_assert!((c.k as usize) < w.k);
                prop_assert!(seen.insert((f, c.k)), "weight ({f}, {}) placed twice", c.k);
                if p.layout != LayoutKind::Masked {
                    prop_assert_eq!(c.w, w.get(f, c.k as usize), "cell value");
                }
                if c.w != 0.0 {
                    prop_assert_eq!(c.w, w.get(f, c.k as usize));
                    kept += 1;
                }
            }
        }
    }
    prop_assert_eq!(kept, p.nnz_after);
    Ok(())
}

fn kinds() -> impl Strategy<Value = LayoutKind> {
    prop::sample::select(LayoutKind::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The layout contract and each layout's own invariants.
    #[test]
    fn layouts_keep_their_invariants(
        kind in kinds(), n in 1usize..24, cg in 1usize..6, three in any::<bool>(), kfc in 1usize..90,
        zero_frac in 0.0f64..0.3, s in 0.0f64..0.95, seed in any::<u64>(),
        nm_n in 1u32..4, nm_m in 4u32..9, alpha in 1u32..9, gamma in 0.0f64..1.5,
    ) {
        let (k, ctx) = if three { (9 * cg, LayerContext { kernel: Some((3, 3, cg)) }) } else { (kfc, LayerContext { kernel: None }) };
        let w = matrix(n, k, zero_frac, seed);
        let p = LayoutParams { sparsity: s, nm: Some((nm_n, nm_m)), colcomb_alpha: alpha, colcomb_gamma: gamma, ..LayoutParams::default() };
        let packed = build(kind, &p).prune_and_pack(&w, &magnitude(&w), &ctx);
        check_cells(&w, &packed)?;
        let target_keep = keep_count(s, n * k) as u64;
        match kind {
            LayoutKind::Dense => prop_assert_eq!(packed.nnz_after, packed.nnz_before),
            LayoutKind::Masked | LayoutKind::Irregular => {
                // Exactly the target, unless the file's zeros already go beyond it.
                prop_assert_eq!(packed.nnz_after, target_keep.min(packed.nnz_before));
                if kind == LayoutKind::Irregular {
                    let ptr = u64::from(index_bits(packed.nnz_after + 1));
                    let cols = packed.blocks.first().map_or(0, |b| b.cols()) as u64;
                    prop_assert_eq!(packed.metadata_bits(),
                        packed.nnz_after * u64::from(index_bits(k as u64)) + (n as u64 + 1) * ptr * u64::from(cols > 0));
                }
            }
            LayoutKind::Nm => {
                // Exactly min(N, nonzeros) per M-block of every filter.
                let b = &packed.blocks[0];
                for col in 0..b.cols() {
                    let f = b.filters[col] as usize;
                    for start in (0..k).step_by(nm_m as usize) {
                        let end = (start + nm_m as usize).min(k);
                        let nz = (start..end).filter(|&j| w.get(f, j) != 0.0).count();
                        let kept = (0..b.rows).map(|r| b.cell(r, col)).filter(|c| c.k != EMPTY && (c.k as usize) >= start && (c.k as usize) < end).count();
                        prop_assert_eq!(kept, nz.min(nm_n as usize));
                    }
                }
                prop_assert_eq!(packed.metadata_bits(), packed.nnz_after * u64::from(index_bits(u64::from(nm_m))));
            }
            LayoutKind::Bwhm | LayoutKind::Darb => {
                let sizes = if kind == LayoutKind::Darb { p.darb_blocks.clone() } else { vec![p.bwhm_block()] };
                let mut meta = 0u64;
                for b in &packed.blocks {
                    let size = b.block_size;
                    prop_assert!(sizes.contains(&size), "block size {size} from the allowed set {sizes:?}");
                    prop_assert_eq!(b.rows, k.div_ceil(size as usize));
                    for col in 0..b.cols() {
                        for row in 0..b.rows {
                            let c = b.cell(row, col);
                            if c.k != EMPTY {
                                prop_assert_eq!(c.k as usize / size as usize, row, "one weight per block");
                                meta += u64::from(index_bits(u64::from(size)));
                            }
                        }
                    }
                    meta += b.cols() as u64 * u64::from(index_bits(sizes.len() as u64));
                }
                prop_assert_eq!(packed.metadata_bits(), meta);
                if kind == LayoutKind::Darb && packed.note.is_none() {
                    prop_assert!(packed.nnz_after <= target_keep, "darb meets the target: {} > {}", packed.nnz_after, target_keep);
                }
            }
            LayoutKind::Pconv => {
                if !three {
                    prop_assert!(packed.note.is_some());
                    prop_assert_eq!(packed.nnz_after, packed.nnz_before);
                } else if let Some(b) = packed.blocks.first() {
                    // Whole kernels of ≤ 4 taps: at most 3 weights over the target.
                    if s >= 5.0 / 9.0 {
                        prop_assert!(packed.nnz_after <= target_keep + 3, "pconv keeps {} > {} + 3", packed.nnz_after, target_keep);
                    }
                    let mut patterns = HashSet::new();
                    for col in 0..b.cols() {
                        for c in 0..cg {
                            let taps: Vec<u32> = (0..4).map(|s| b.cell(4 * c + s, col).k).filter(|&k| k != EMPTY).map(|k| k / cg as u32).collect();
                            prop_assert!(taps.len() <= 4);
                            let f = b.filters[col] as usize;
                            if !taps.is_empty() && w.get(f, 4 * cg + c) != 0.0 {
                                prop_assert!(taps.contains(&4), "the centre is kept");
                            }
                            if taps.len() == 4 {
                                patterns.insert(taps);
                            }
                        }
                    }
                    prop_assert!(patterns.len() <= p.pconv_patterns as usize, "{} patterns from a library of {}", patterns.len(), p.pconv_patterns);
                }
            }
            LayoutKind::Colcomb => {
                // The pre-sparsity search meets the target: at most the target's weights kept.
                prop_assert!(packed.nnz_after <= target_keep, "colcomb keeps {} > {}", packed.nnz_after, target_keep);
                let groups = &packed.groups;
                let mut cols_seen = HashSet::new();
                for g in groups {
                    prop_assert!(!g.is_empty() && g.len() <= alpha as usize);
                    prop_assert!(g[0] as usize / 256 == g[g.len() - 1] as usize / 256, "no group crosses a 256-column slice");
                    for &c in g {
                        prop_assert!(cols_seen.insert(c));
                    }
                }
                if let Some(b) = packed.blocks.first() {
                    prop_assert_eq!(b.rows, groups.len());
                    for (row, g) in groups.iter().enumerate() {
                        for col in 0..b.cols() {
                            let c = b.cell(row, col);
                            prop_assert!(c.k == EMPTY || g.contains(&c.k), "a cell holds a column of its group");
                        }
                    }
                    prop_assert_eq!(packed.metadata_bits(), packed.packed_cells() * u64::from(index_bits(u64::from(alpha))));
                }
            }
        }
    }
}

/// Positions of sparsim's columns in a visit order (`visit[t]` = the column at position `t`).
fn positions(visit: &[usize]) -> Vec<usize> {
    let mut pos = vec![0; visit.len()];
    for (t, &j) in visit.iter().enumerate() {
        pos[j] = t;
    }
    pos
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Column combining in either column order: its groups partition the columns that hold a
    /// weight (each exactly once, all-zero columns in none), stay within α and within one
    /// 256-column slice of the order they were formed in, and name sparsim's columns, whose
    /// cells keep their own weights. Kernels up to 3×3 over up to 39 channels (K up to 351:
    /// two slices).
    #[test]
    fn colcomb_groups_partition_the_columns_in_either_order(
        n in 1usize..20, kh in 1usize..4, kw in 1usize..4, cg in 1usize..40,
        zero_frac in 0.0f64..0.95, s in 0.0f64..0.9, seed in any::<u64>(),
        alpha in 1u32..10, gamma in 0.0f64..1.5, torch in any::<bool>(),
    ) {
        use sparsim::layout::colcomb_groups::{PAPER_SLICE, combine_columns_in_order, torch_visit_order};
        use sparsim::layout::params::ColumnOrder;
        let k = kh * kw * cg;
        let w = matrix(n, k, zero_frac, seed);
        let ctx = LayerContext { kernel: Some((kh, kw, cg)) };
        let order = if torch { ColumnOrder::Torch } else { ColumnOrder::Sparsim };
        let visit: Vec<usize> = if torch { torch_visit_order(kh, kw, cg) } else { (0..k).collect() };
        let pos = positions(&visit);
        let nonzero: Vec<bool> = (0..k).map(|j| (0..n).any(|f| w.get(f, j) != 0.0)).collect();
        // The grouping itself, on every nonzero: each nonzero column exactly once.
        let mask: Vec<bool> = w.data.iter().map(|&x| x != 0.0).collect();
        let groups = combine_columns_in_order(&mask, n, k, &visit, alpha as usize, gamma, PAPER_SLICE);
        let mut seen = vec![0usize; k];
        for g in &groups {
            prop_assert!(!g.is_empty() && g.len() <= alpha as usize);
            prop_assert!(g.windows(2).all(|p| p[0] < p[1]), "ascending: {g:?}");
            prop_assert!(g.iter().all(|&j| pos[j] / PAPER_SLICE == pos[g[0]] / PAPER_SLICE), "no group crosses a slice of its order");
            for &j in g {
                seen[j] += 1;
            }
        }
        for j in 0..k {
            prop_assert_eq!(seen[j], usize::from(nonzero[j]), "column {} appears {} times", j, seen[j]);
        }
        // The layout, nothing pruned before combining: exactly those groups.
        let p = |s| LayoutParams { sparsity: s, colcomb_alpha: alpha, colcomb_gamma: gamma, colcomb_column_order: order, ..LayoutParams::default() };
        let packed = build(LayoutKind::Colcomb, &p(0.0)).prune_and_pack(&w, &magnitude(&w), &ctx);
        let as_usize = |gs: &[Vec<u32>]| gs.iter().map(|g| g.iter().map(|&j| j as usize).collect::<Vec<_>>()).collect::<Vec<_>>();
        prop_assert_eq!(as_usize(&packed.groups), groups);
        check_cells(&w, &packed)?;
        // At a target sparsity: groups still disjoint, within a slice of the order, and every
        // kept weight sits in a group of its column.
        let packed = build(LayoutKind::Colcomb, &p(s)).prune_and_pack(&w, &magnitude(&w), &ctx);
        check_cells(&w, &packed)?;
        let mut seen = vec![0usize; k];
        for g in as_usize(&packed.groups) {
            prop_assert!(!g.is_empty() && g.len() <= alpha as usize);
            prop_assert!(g.iter().all(|&j| pos[j] / PAPER_SLICE == pos[g[0]] / PAPER_SLICE));
            for j in g {
                seen[j] += 1;
            }
        }
        prop_assert!(seen.iter().all(|&c| c <= 1), "a column in two groups");
        if let Some(b) = packed.blocks.first() {
            for (row, g) in packed.groups.iter().enumerate() {
                for col in 0..b.cols() {
                    let c = b.cell(row, col);
                    prop_assert!(c.k == EMPTY || g.contains(&c.k), "a cell holds a column of its group");
                }
            }
        }
    }

    /// Where PyTorch's flattening and sparsim's order coincide — matrices without a kernel,
    /// 1×1 kernels, one channel per group — the torch order changes nothing.
    #[test]
    fn torch_order_changes_nothing_where_the_orders_coincide(
        n in 1usize..20, kdim in 1usize..300, which in 0usize..3, zero_frac in 0.0f64..0.9,
        s in 0.0f64..0.9, seed in any::<u64>(), alpha in 1u32..10, gamma in 0.0f64..1.5,
    ) {
        use sparsim::layout::params::ColumnOrder;
        let kernel = [None, Some((1, 1, kdim)), Some((1, kdim, 1))][which];
        let ctx = LayerContext { kernel };
        let w = matrix(n, kdim, zero_frac, seed);
        let pack = |order| {
            let p = LayoutParams { sparsity: s, colcomb_alpha: alpha, colcomb_gamma: gamma, colcomb_column_order: order, ..LayoutParams::default() };
            build(LayoutKind::Colcomb, &p).prune_and_pack(&w, &magnitude(&w), &ctx)
        };
        let (a, b) = (pack(ColumnOrder::Sparsim), pack(ColumnOrder::Torch));
        prop_assert_eq!(a.groups, b.groups);
        prop_assert_eq!(a.nnz_after, b.nnz_after);
    }
}

/// The sparse engine on the dense layout equals the dense engine on every SCALE-Sim reference
/// run with a weight-stationary array (and, masked, keeps dense cycles with fewer effectual MACs).
#[test]
fn dense_layout_on_the_sparse_engine_equals_the_dense_engine() {
    let mut checked = 0;
    for base in ["scalesim_reference/runs", "scalesim_extra"] {
        let mut dirs: Vec<_> = std::fs::read_dir(fixture(base))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("config.cfg").exists())
            .collect();
        dirs.sort();
        for d in dirs {
            let (arch, _) = load_arch(&d.join("config.cfg")).unwrap();
            if arch.dataflow != Dataflow::Ws {
                continue;
            }
            let gemm = std::fs::read_to_string(d.join("meta.txt")).unwrap().trim() == "gemm";
            let form = if gemm {
                TopologyForm::Gemm
            } else {
                TopologyForm::Conv
            };
            let (net, _) = load_workload(&d.join("topology.csv"), form).unwrap();
            let weights = network_weights(&net, &WeightSource::synthetic(3)).unwrap();
            for (i, layer) in net.layers.iter().enumerate() {
                let expected = simulate_layer(&arch, layer);
                let params = LayoutParams::default();
                let packs = pack_layer(&net, &weights, i, LayoutKind::Dense, &params);
                let (got, sp) = simulate_layout(&arch, layer, &packs, false);
                assert_eq!(got, expected, "{}: layer {i}", d.display());
                assert_eq!(sp.effectual_macs, expected.macs);
                let packs = pack_layer(&net, &weights, i, LayoutKind::Masked, &params);
                let (masked, sp) = simulate_layout(&arch, layer, &packs, false);
                assert_eq!(masked.total_cycles, expected.total_cycles);
                assert!(sp.effectual_macs < expected.macs);
                assert_eq!(sp.effectual_macs + sp.ineffectual_macs, expected.macs);
                let _ = layer_context(layer);
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "{checked} layers checked");
}
