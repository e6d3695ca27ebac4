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
    let mut w = synthetic_matrix(n, k, k, |j| j, seed, Default::default());
    let mut g = SplitMix64::new(seed ^ 0xABCD);
    for x in &mut w.data {
        if g.uniform() < zero_frac {
            *x = 0.0;
        }
    }
    w
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
