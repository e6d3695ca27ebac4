//! Property tests of the dense engine: closed forms, memory-model invariants, footprints.

use proptest::prelude::*;
use sparsim::config::{
    Arch, ArrayShape, BandwidthMode, Dataflow, DecodeThroughput, DroppedFilters, Memory,
    OperandMemory, PeFeatures, SramPorts,
};
use sparsim::engine::footprint::{FootprintTracker, TileKey};
use sparsim::engine::simulate_layer;
use sparsim::units::Bandwidth;
use sparsim::workload::{Conv2d, ConvSpec, Gemm, IfmapGeometry, Layer, LayerOp, OutputRule};
use std::collections::HashSet;

fn arch(
    rows: u32,
    cols: u32,
    df: Dataflow,
    kb: [u64; 3],
    bw: [f64; 3],
    mode: BandwidthMode,
) -> Arch {
    let op = |i: usize| OperandMemory {
        sram_kb: kb[i],
        word_bytes: 1,
        dram_bw: Bandwidth::from_words_per_cycle(bw[i]).unwrap(),
    };
    let memory = Memory {
        bandwidth_mode: mode,
        ifmap: op(0),
        filter: op(1),
        ofmap: op(2),
        metadata_word_bytes: 1,
        policy: Default::default(),
    };
    let pe = PeFeatures {
        mux_inputs: 1,
        row_bus_width: 1,
        weight_double_buffer: false,
        zero_gating: true,
        accumulator_bits: 32,
    };
    Arch {
        name: "prop".into(),
        description: String::new(),
        clock_mhz: 1000.0,
        array: ArrayShape { rows, cols },
        dataflow: df,
        memory: memory.clone(),
        pe,
        decode: DecodeThroughput::uniform(cols),
        ports: SramPorts::dense_need(ArrayShape { rows, cols }, df),
        dropped_filters: DroppedFilters::WriteZeros,
        layout: sparsim::layout::LayoutParams::default(),
        tech: sparsim::config::resolve_technology(
            (sparsim::energy::TechBase::Nm45, &Default::default()),
            (sparsim::energy::TechBase::Nm45, &Default::default()),
            &memory,
            &pe,
            cols,
            1000.0,
        ),
    }
}

fn gemm_layer(m: u64, n: u64, k: u64) -> Layer {
    Layer::new("g", LayerOp::Gemm(Gemm::new(m, n, k).unwrap()))
}

fn dataflow() -> impl Strategy<Value = Dataflow> {
    prop_oneof![Just(Dataflow::Ws), Just(Dataflow::Os), Just(Dataflow::Is)]
}

fn conv_layer() -> impl Strategy<Value = Layer> {
    (
        1u64..12,
        1u64..12,
        1u64..4,
        1u64..4,
        1u64..4,
        1u64..3,
        0u64..2,
        1u64..3,
        any::<bool>(),
    )
        .prop_filter_map("kernel fits", |(h, w, cpg, kh, kw, s, p, g, scalesim)| {
            let rule = if scalesim {
                OutputRule::ScaleSim
            } else {
                OutputRule::Padded
            };
            let conv = Conv2d::new(ConvSpec {
                batch: 1,
                ifmap: (h, w),
                channels: cpg * g,
                filters: 2 * g,
                kernel: (kh, kw),
                stride: (s, s),
                padding: if scalesim { (0, 0) } else { (p, p) },
                padding_end: None,
                dilation: (1, 1),
                groups: g,
                rule,
            })
            .ok()?;
            Some(Layer::new("c", LayerOp::Conv(conv)))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Folds, cycles, mapping efficiency and SRAM counts follow the closed forms of `docs/model.md` §2.
    #[test]
    fn dense_counts_follow_the_closed_forms(
        r in 1u32..17, c in 1u32..17, m in 1u64..80, n in 1u64..80, k in 1u64..80, df in dataflow()
    ) {
        let a = arch(r, c, df, [64, 64, 64], [10.0; 3], BandwidthMode::User);
        let s = simulate_layer(&a, &gemm_layer(m, n, k));
        let (r, c) = (u64::from(r), u64::from(c));
        let (sr, sc, t) = match df { Dataflow::Ws => (k, n, m), Dataflow::Os => (m, n, k), Dataflow::Is => (k, m, n) };
        let (rf, cf) = (sr.div_ceil(r), sc.div_ceil(c));
        let l_fold = match df { Dataflow::Os => t + r + c - 2, _ => 2 * r + c + t - 2 };
        prop_assert_eq!(s.folds, rf * cf);
        prop_assert_eq!(s.compute_cycles, rf * cf * l_fold);
        prop_assert_eq!(s.total_cycles, s.compute_cycles + s.stall_cycles);
        let (ifr, flr, ofw) = match df {
            Dataflow::Os => (cf * m * k, rf * n * k, m * n),
            Dataflow::Ws => (cf * m * k, k * n, rf * m * n),
            Dataflow::Is => (k * m, cf * n * k, rf * n * m),
        };
        prop_assert_eq!((s.ifmap_sram_reads, s.filter_sram_reads, s.ofmap_sram_writes), (ifr, flr, ofw));
        let eff = (sr * sc) as f64 / ((rf * cf * r * c) as f64);
        prop_assert!((s.mapping_efficiency - eff).abs() < 1e-12);
        prop_assert!(s.pe_utilization > 0.0 && s.pe_utilization <= s.mapping_efficiency + 1e-12);
        prop_assert_eq!(s.macs, m * n * k);
    }

    /// CALC mode never stalls; traffic is counted all the same.
    #[test]
    fn calc_mode_never_stalls(r in 1u32..9, c in 1u32..9, layer in conv_layer(), df in dataflow()) {
        let a = arch(r, c, df, [1, 1, 1], [1.0; 3], BandwidthMode::Calc);
        let s = simulate_layer(&a, &layer);
        prop_assert_eq!(s.stall_cycles, 0);
        let u = simulate_layer(&arch(r, c, df, [1, 1, 1], [1.0; 3], BandwidthMode::User), &layer);
        prop_assert_eq!((s.ifmap_dram_reads, s.filter_dram_reads, s.ofmap_dram_writes),
                        (u.ifmap_dram_reads, u.filter_dram_reads, u.ofmap_dram_writes));
    }

    /// More DRAM bandwidth never makes a layer slower, and never changes its traffic.
    #[test]
    fn more_bandwidth_is_never_slower(
        r in 1u32..9, c in 1u32..9, m in 1u64..300, n in 1u64..300, k in 1u64..300,
        df in dataflow(), bw in 0.25f64..16.0, kb in 1u64..4
    ) {
        let layer = gemm_layer(m, n, k);
        let slow = simulate_layer(&arch(r, c, df, [kb; 3], [bw; 3], BandwidthMode::User), &layer);
        let fast = simulate_layer(&arch(r, c, df, [kb; 3], [2.0 * bw; 3], BandwidthMode::User), &layer);
        prop_assert!(fast.total_cycles <= slow.total_cycles, "{} > {}", fast.total_cycles, slow.total_cycles);
        prop_assert_eq!(fast.ifmap_dram_reads, slow.ifmap_dram_reads);
    }

    /// DRAM reads are at least the unique footprint, equal to it when everything fits, and
    /// never grow with a larger SRAM.
    #[test]
    fn dram_reads_respect_footprints(
        r in 1u32..9, c in 1u32..9, layer in conv_layer(), df in dataflow(), small in 1u64..3
    ) {
        let w = layer.gemm_work().unwrap();
        let filter_fp = w.shape.n * w.shape.k * w.instances;
        let big = simulate_layer(&arch(r, c, df, [1 << 20; 3], [8.0; 3], BandwidthMode::User), &layer);
        let tiny = simulate_layer(&arch(r, c, df, [small; 3], [8.0; 3], BandwidthMode::User), &layer);
        prop_assert_eq!(big.filter_dram_reads, filter_fp);
        prop_assert!(tiny.filter_dram_reads >= big.filter_dram_reads);
        prop_assert!(tiny.ifmap_dram_reads >= big.ifmap_dram_reads);
        let outputs = w.shape.m * w.shape.n * w.instances;
        prop_assert_eq!(big.ofmap_dram_writes, outputs);
        prop_assert!(tiny.ofmap_dram_writes >= outputs);
    }

    /// The bitmap footprint of any tile equals the distinct real-input pixels its windows read.
    #[test]
    fn conv_tile_footprints_match_a_naive_count(
        layer in conv_layer(), cuts in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0), 1..6)
    ) {
        let w = layer.gemm_work().unwrap();
        let LayerOp::Conv(c) = layer.op else { unreachable!() };
        let mut tracker = FootprintTracker::ifmap(IfmapGeometry::Conv(c));
        let mut all: HashSet<u64> = HashSet::new();
        for (i, (a, b, x, y)) in cuts.into_iter().enumerate() {
            let cut = |u: f64, v: f64, len: u64| {
                let (p, q) = ((u * len as f64) as u64, (v * len as f64) as u64);
                let (lo, hi) = (p.min(q).min(len - 1), p.max(q).min(len - 1));
                lo..hi + 1
            };
            let (rows, cols) = (cut(a, b, w.shape.m), cut(x, y, w.shape.k));
            let group = i as u64 % c.groups;
            let cg = c.channels / c.groups;
            let mut tile: HashSet<u64> = HashSet::new();
            for mi in rows.clone() {
                let (ho, wo) = (mi / c.ofmap_w, mi % c.ofmap_w);
                for j in cols.clone() {
                    let (p, ch) = (j / cg, j % cg);
                    let (rr, qq) = (p / c.kernel_w, p % c.kernel_w);
                    let y = (ho * c.stride_h + rr) as i64 - c.pad_h as i64;
                    let x = (wo * c.stride_w + qq) as i64 - c.pad_w as i64;
                    if y >= 0 && x >= 0 && (y as u64) < c.ifmap_h && (x as u64) < c.ifmap_w {
                        tile.insert(((y as u64 * c.ifmap_w) + x as u64) * c.channels + group * cg + ch);
                    }
                }
            }
            let new = tile.difference(&all).count() as u64;
            all.extend(&tile);
            let got = tracker.touch(TileKey { instance: group, a: i as u64, b: 0 }, rows, cols);
            prop_assert_eq!(got.tile, tile.len() as u64);
            prop_assert_eq!(got.new, new);
        }
    }
}
