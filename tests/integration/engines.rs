//! The fast and the cycle-stepped engines agree on every counter and every PE's state counts,
//! and the stepped engine computes the right outputs (`docs/model.md` §8).

use proptest::prelude::*;
use sparsim::compare::pack_layer;
use sparsim::config::validate::parse_arch_toml;
use sparsim::config::{Arch, Dataflow, FirstFill, HalfRelease};
use sparsim::engine::chunks::LayerChunks;
use sparsim::engine::sparse::PeLimits;
use sparsim::layout::{LayoutKind, LayoutParams};
use sparsim::verify::{cross_check, verify_outputs};
use sparsim::weights::{WeightSource, WeightSpread, network_weights};
use sparsim::workload::{
    Cell, Conv2d, ConvSpec, Gemm, Layer, LayerOp, Network, OutputRule, Recurrent,
};

#[allow(clippy::too_many_arguments)]
fn arch_words(
    df: Dataflow,
    r: u32,
    c: u32,
    kb: [u64; 3],
    bytes: [u32; 3],
    bw: [f64; 3],
    calc: bool,
    double: bool,
    decode: u32,
    extra: &str,
) -> Arch {
    let src = format!(
        "[array]\nrows = {r}\ncols = {c}\ndataflow = \"{}\"\n[sram]\n{extra}ifmap_kb = {}\nfilter_kb = {}\nofmap_kb = {}\n[word_bytes]\nifmap = {}\nfilter = {}\nofmap = {}\n[dram]\nbandwidth_mode = \"{}\"\nifmap_bw = {}\nfilter_bw = {}\nofmap_bw = {}\n[pe]\nweight_double_buffer = {double}\n[decode]\nirregular = {decode}\nnm = {decode}\nbwhm = {decode}\ndarb = {decode}\npconv = {decode}\ncolcomb = {decode}\n",
        df.as_str(),
        kb[0],
        kb[1],
        kb[2],
        bytes[0],
        bytes[1],
        bytes[2],
        if calc { "calc" } else { "user" },
        bw[0],
        bw[1],
        bw[2]
    );
    parse_arch_toml(&src, "<test>", "t").unwrap()
}

#[allow(clippy::too_many_arguments)]
fn arch(
    df: Dataflow,
    r: u32,
    c: u32,
    kb: [u64; 3],
    bw: [f64; 3],
    calc: bool,
    double: bool,
    decode: u32,
) -> Arch {
    arch_words(df, r, c, kb, [1, 1, 1], bw, calc, double, decode, "")
}

/// Cross-checks and verifies one layer under one layout; panics with the differences.
fn check(
    arch: &Arch,
    layer: Layer,
    kind: LayoutKind,
    params: &LayoutParams,
    bus: u32,
) -> Result<(), TestCaseError> {
    let net = Network {
        name: "n".into(),
        layers: vec![layer],
        weight_spread: WeightSpread::default(),
    };
    let weights = network_weights(&net, &WeightSource::synthetic(9)).unwrap();
    let packs = pack_layer(&net, &weights, 0, kind, params);
    let limits = PeLimits {
        mux_inputs: u32::MAX,
        row_bus_width: bus,
        ifmap_read_bw: None,
    };
    let (run, diffs) = cross_check(arch, &net.layers[0], &packs, limits, 3);
    prop_assert!(
        diffs.is_empty(),
        "{kind} on {}: {:#?}",
        arch.dataflow,
        &diffs[..diffs.len().min(6)]
    );
    prop_assert_eq!(verify_outputs(&net.layers[0], &run), Ok(()));
    let sum = run.pe.sum();
    prop_assert_eq!(
        sum.total(),
        u64::from(arch.array.rows) * u64::from(arch.array.cols) * run.stats.total_cycles
    );
    Ok(())
}

fn gemm(m: u64, n: u64, k: u64) -> Layer {
    Layer::new("g", LayerOp::Gemm(Gemm::new(m, n, k).unwrap()))
}

#[test]
fn small_cases_by_hand() {
    let p = LayoutParams::default();
    for df in [Dataflow::Ws, Dataflow::Os, Dataflow::Is] {
        let a = arch(df, 4, 3, [1, 1, 1], [2.0, 3.0, 1.5], false, false, 3);
        check(&a, gemm(5, 7, 9), LayoutKind::Dense, &p, 1).unwrap();
        check(&a, gemm(5, 7, 9), LayoutKind::Masked, &p, 1).unwrap();
    }
    let a = arch(
        Dataflow::Ws,
        4,
        3,
        [1, 1, 1],
        [2.0, 3.0, 1.5],
        false,
        false,
        3,
    );
    for kind in LayoutKind::ALL {
        check(&a, gemm(5, 7, 19), kind, &p, 2).unwrap();
    }
}

fn layers() -> impl Strategy<Value = Layer> {
    prop_oneof![
        (1u64..40, 1u64..40, 1u64..60).prop_map(|(m, n, k)| gemm(m, n, k)),
        (
            3u64..9,
            1u64..5,
            1u64..6,
            1u64..4,
            1u64..3,
            0u64..2,
            1u64..3,
            any::<bool>(),
            1u64..3,
            0u64..2,
        )
            .prop_filter_map(
                "a valid conv",
                |(h, cpg, fpg, kk, s, p, g, scalesim, d, extra)| {
                    let rule = if scalesim {
                        OutputRule::ScaleSim
                    } else {
                        OutputRule::Padded
                    };
                    let conv = Conv2d::new(ConvSpec {
                        batch: 1,
                        ifmap: (h, h + 1),
                        channels: cpg * g,
                        filters: fpg * g,
                        kernel: (kk, kk),
                        stride: (s, s),
                        padding: if scalesim { (0, 0) } else { (p, p) },
                        // Dilated kernels and an extra bottom row of padding (ONNX `pads`).
                        padding_end: (!scalesim).then_some((p + extra, p)),
                        dilation: if scalesim { (1, 1) } else { (d, d) },
                        groups: g,
                        rule,
                    })
                    .ok()?;
                    Some(Layer::new("c", LayerOp::Conv(conv)))
                }
            ),
        (1u64..8, 1u64..6, 1u64..4, 1u64..3).prop_map(|(i, h, t, b)| Layer::new(
            "l",
            LayerOp::Recurrent(Recurrent::new(Cell::Lstm, i, h, t, b).unwrap())
        )),
    ]
}

fn word_bytes() -> impl Strategy<Value = u32> {
    prop_oneof![Just(1u32), Just(4), Just(16)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::proptest_cases(256)))]

    /// Random arrays (1..16 × 1..16), layers, layouts, dataflows, SRAM sizes, word sizes,
    /// bandwidths, bandwidth modes, bus widths, SRAM read ports, decode throughputs, double
    /// buffering, dropped-filter policies and memory policies (half release, first fill,
    /// DRAM read latency): the
    /// two engines agree on every counter and every PE's state counts, the states sum to
    /// R·C·total_cycles, and the outputs equal the reference GEMM.
    #[test]
    fn fast_and_stepped_engines_agree(
        df in prop_oneof![Just(Dataflow::Ws), Just(Dataflow::Os), Just(Dataflow::Is)],
        layout in prop::sample::select(LayoutKind::ALL.to_vec()),
        r in 1u32..17, c in 1u32..17, layer in layers(),
        kb in prop::array::uniform3(1u64..3), bytes in prop::array::uniform3(word_bytes()),
        bw in prop::array::uniform3(0.25f64..12.0), calc in any::<bool>(), double in any::<bool>(),
        decode in 1u32..9, bus in 1u32..9, sparsity in 0.0f64..0.9, alpha in 1u32..6, gamma in 0.0f64..1.0,
        ports in prop::option::of((1u32..40, 1u32..18, 1u32..6)), skip in any::<bool>(),
        policy in (any::<bool>(), any::<bool>(), prop_oneof![Just(0u32), 1u32..40]),
    ) {
        let kind = if df == Dataflow::Ws { layout } else if layout.is_packed() { LayoutKind::Masked } else { layout };
        // SRAM read ports narrower than the dense array's reads exist only under WS.
        let extra = match ports {
            Some((i, f, m)) if df == Dataflow::Ws => format!(
                "ifmap_read_bw = {i}\nfilter_read_bw = {f}\nmetadata_read_bw = {m}\n"
            ),
            _ => String::new(),
        };
        let mut a = arch_words(df, r, c, kb, bytes, bw, calc, double, decode, &extra);
        if skip {
            a.dropped_filters = sparsim::config::DroppedFilters::Skip;
        }
        let (fold_end, prefetch, latency) = policy;
        let p = &mut a.memory.policy;
        if fold_end {
            p.half_release = HalfRelease::FoldEnd;
        }
        if prefetch {
            p.first_fill = FirstFill::Prefetch;
        }
        p.dram_read_latency = latency;
        let p = LayoutParams { sparsity, colcomb_alpha: alpha, colcomb_gamma: gamma, ..LayoutParams::default() };
        check(&a, layer, kind, &p, bus)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::proptest_cases(256)))]

    /// The column chunks a sweep merges for several array widths from one read of the cells
    /// (sub-chunks of the widths' greatest common divisor) equal those cut for each width on
    /// its own, for every layout, layer and set of widths (chains such as 2, 4, 8 and
    /// co-prime ones such as 3, 5).
    #[test]
    fn chunks_merged_for_several_widths_equal_chunks_cut_per_width(
        layout in prop::sample::select(LayoutKind::ALL.to_vec()),
        layer in layers(),
        widths in prop::collection::btree_set(1u32..24, 2..5),
        sparsity in 0.0f64..0.9, alpha in 1u32..6, gamma in 0.0f64..1.0,
    ) {
        let net = Network {
            name: "n".into(),
            layers: vec![layer],
            weight_spread: WeightSpread::default(),
        };
        let weights = network_weights(&net, &WeightSource::synthetic(5)).unwrap();
        let p = LayoutParams { sparsity, colcomb_alpha: alpha, colcomb_gamma: gamma, ..LayoutParams::default() };
        let packs = pack_layer(&net, &weights, 0, layout, &p);
        let k = net.layers[0].gemm_work().unwrap().shape.k as usize;
        let widths: Vec<u32> = widths.into_iter().collect();
        let merged = LayerChunks::for_widths(&packs, &widths, k);
        prop_assert_eq!(merged.len(), widths.len());
        for (&w, chunks) in widths.iter().zip(&merged) {
            prop_assert_eq!(chunks, &LayerChunks::new(&packs, w, k), "width {}", w);
        }
    }
}

/// A layer above the check budget is checked on its first output rows, and says so.
#[test]
fn big_layers_are_checked_on_their_first_rows() {
    use sparsim::compare::{Checks, LayoutChoice, run_layout};
    let a = arch(Dataflow::Ws, 8, 8, [64, 64, 64], [10.0; 3], true, false, 8);
    let conv = Conv2d::new(ConvSpec {
        batch: 1,
        ifmap: (30, 30),
        channels: 4,
        filters: 8,
        kernel: (3, 3),
        stride: (1, 1),
        padding: (1, 1),
        padding_end: None,
        dilation: (1, 1),
        groups: 1,
        rule: OutputRule::Padded,
    })
    .unwrap();
    let net = Network {
        name: "n".into(),
        layers: vec![Layer::new("c", LayerOp::Conv(conv))],
        weight_spread: WeightSpread::default(),
    };
    let weights = network_weights(&net, &WeightSource::synthetic(2)).unwrap();
    let checks = Checks {
        pe_states: true,
        cross_check: true,
        verify: true,
        seed: 1,
        budget: 20_000,
        trace: false,
    };
    let rows = run_layout(
        &a,
        &net,
        &weights,
        &LayoutChoice::Uniform(LayoutKind::Dense),
        &LayoutParams::default(),
        false,
        &checks,
    );
    let c = rows[0].check.as_ref().unwrap();
    assert!(
        c.scope.starts_with("the first ") && c.scope.ends_with(" of 30 output rows"),
        "{}",
        c.scope
    );
    assert!(c.differences.is_empty(), "{:?}", c.differences);
    assert_eq!(c.verified, Some(Ok(())));
}
