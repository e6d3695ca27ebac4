//! Layout comparison: every layout prunes the same dense weights and runs on the same array;
//! `dense` is the reference for speedups. Core logic only — no files, no printing.

use crate::config::{Arch, Dataflow, MemoryModel};
use crate::energy::{
    ActionCounts, AreaBreakdown, EnergyBreakdown, FiguresOfMerit, Provision, layer_actions,
};
use crate::engine::simulate_layer;
use crate::engine::sparse::{PeLimits, SparseStats, simulate_packed};
use crate::layout::importance::scores;
use crate::layout::packed::Packed;
use crate::layout::prune::Pruning;
use crate::layout::{LayerContext, LayoutKind, LayoutParams, build};
use crate::stats::{LayerStats, PeGrid};
use crate::verify::{Difference, cross_check_traced, fast_with_grid, verify_outputs};
use crate::weights::LayerWeights;
use crate::workload::OutputRule;
use crate::workload::{Layer, LayerOp, Network};
use serde::Serialize;

/// What to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSpec {
    /// Layouts, in report order (`dense` is always simulated as the reference).
    pub layouts: Vec<LayoutKind>,
    /// Layout parameters.
    pub params: LayoutParams,
    /// Give each layout the mux fan-in and row bus it needs instead of the arch's.
    pub size_to_fit: bool,
    /// PE states, cross-check, verification.
    pub checks: Checks,
}

impl CompareSpec {
    /// Checks the spec against the architecture: packed layouts need weight-stationary arrays.
    pub fn check(&self, arch: &Arch) -> Result<(), String> {
        self.params.validate()?;
        distinct_layouts(&self.layouts).map_err(|e| format!("layouts: {e}"))?;
        if arch.dataflow != Dataflow::Ws
            && let Some(l) = self.layouts.iter().find(|l| l.is_packed())
        {
            return Err(format!(
                "layout `{l}` needs a weight-stationary array (its weights sit in the PEs with static selects); architecture `{}` is {}: use dense or masked, or an arch with dataflow = \"ws\"",
                arch.name, arch.dataflow
            ));
        }
        if arch.memory.policy.model == MemoryModel::Scalesim {
            if let Some(l) = self.layouts.iter().find(|l| l.is_packed()) {
                return Err(format!(
                    "layout `{l}` needs sparsim's memory model: memory model `scalesim` reproduces SCALE-Sim's dense operand streams only; use dense or masked, or --memory-model sparsim (or [memory] model = \"sparsim\")"
                ));
            }
            if self.checks.cross_check || self.checks.trace {
                return Err("--cross-check and --trace run the cycle-stepped engine, which implements sparsim's memory model; the `scalesim` model is checked against SCALE-Sim's own reports instead: use --memory-model sparsim for them".to_string());
            }
        }
        Ok(())
    }
}

/// Checks that no layout is listed twice (its cycles would count twice in the totals):
/// the error says which, as "`nm` is listed twice".
pub fn distinct_layouts(layouts: &[LayoutKind]) -> Result<(), String> {
    for (i, l) in layouts.iter().enumerate() {
        if layouts[..i].contains(l) {
            return Err(format!("`{l}` is listed twice"));
        }
    }
    Ok(())
}

/// One layer under one layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    /// The `layers.csv` columns.
    #[serde(flatten)]
    pub layer: LayerStats,
    /// The sparse-layout columns.
    #[serde(flatten)]
    pub sparse: SparseStats,
    /// Total cycles of the dense reference on this layer (equal to `layer.total_cycles` for
    /// the dense layout; 0 for layers not on the array).
    pub dense_cycles: u64,
    /// Per-PE state counts from the fast engine, when asked for.
    #[serde(skip)]
    pub grid: Option<PeGrid>,
    /// Cross-check and verification against the stepped engine, when asked for.
    #[serde(skip)]
    pub check: Option<CheckOutcome>,
    /// What the hardware did ([`price_rows`] fills it).
    #[serde(skip)]
    pub actions: ActionCounts,
    /// Their energy ([`price_rows`] fills it).
    #[serde(skip)]
    pub energy: EnergyBreakdown,
}

impl CompareRow {
    /// Dense total cycles / this layout's total cycles, from the integers; `None` when this
    /// layout spends no cycles on the layer (a layer not on the array, or pruned to nothing).
    pub fn speedup_vs_dense(&self) -> Option<f64> {
        speedup(self.dense_cycles, self.layer.total_cycles)
    }
}

/// `dense / cycles`, or `None` when `cycles` is 0: the speedup of running in `cycles` what
/// the dense reference runs in `dense` is undefined then (never infinite or NaN).
pub fn speedup(dense: u64, cycles: u64) -> Option<f64> {
    (cycles > 0).then(|| dense as f64 / cycles as f64)
}

/// `num / den`, or `None` when `den` is 0.
fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Extra work per layer × layout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checks {
    /// Compute per-PE state counts (fast engine).
    pub pe_states: bool,
    /// Run the stepped engine and compare every counter.
    pub cross_check: bool,
    /// Check the stepped engine's outputs against a reference GEMM.
    pub verify: bool,
    /// Seed of the stepped engine's activations.
    pub seed: u64,
    /// Most PE-cycles a check may step through per layer × layout ([`CHECK_BUDGET`] from
    /// the command line); bigger layers are checked on their first output rows.
    pub budget: u64,
    /// Record the stepped engine's cycle trace.
    pub trace: bool,
}

impl Checks {
    fn stepped(&self) -> bool {
        self.cross_check || self.verify || self.trace
    }
}

/// What the stepped engine said about a layer × layout.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// What was checked: `whole layer`, or the reduced layer's extent.
    pub scope: String,
    /// Counters on which the engines differ (cross-check).
    pub differences: Vec<Difference>,
    /// Output check: `None` when not asked, else Ok or the first mismatch.
    pub verified: Option<Result<(), String>>,
    /// The stepped engine's cycle trace (empty unless asked for).
    pub trace: Vec<crate::stepped::TraceSpan>,
    /// Where the layer's cycle 0 is on the trace's clock (the stepped run's
    /// `timeline.origin`).
    pub trace_origin: u64,
}

/// Most PE-cycles (R·C·total cycles) a check steps through on one layer × layout; bigger
/// layers are checked on their first output rows (or steps) so that they fit.
pub const CHECK_BUDGET: u64 = 300_000_000;

/// A smaller version of `layer` with the same weights — fewer output rows of a convolution,
/// rows of a GEMM, or LSTM steps — and a description, or `None` if the layer is small enough.
fn reduced_layer(
    layer: &Layer,
    arch: &Arch,
    packs: &[Packed],
    fit: bool,
    budget: u64,
) -> Option<(Layer, String)> {
    let cost = |l: &Layer| simulate_layout(arch, l, packs, fit).0.total_cycles * arch.array.pes();
    if cost(layer) <= budget {
        return None;
    }
    let mut keep = match &layer.op {
        LayerOp::Conv(c) => c.ofmap_h,
        LayerOp::Gemm(g) => g.shape.m,
        LayerOp::Recurrent(l) => l.steps,
        LayerOp::NonMac(_) => return None,
    };
    loop {
        keep = (keep / 2).max(1);
        let (op, what) = match &layer.op {
            LayerOp::Conv(c) => {
                let h = match c.rule {
                    OutputRule::Padded => {
                        ((keep - 1) * c.stride_h + c.dilation_h * (c.kernel_h - 1) + 1)
                            .saturating_sub(c.pad_h + c.pad_bottom)
                            .max(1)
                    }
                    OutputRule::ScaleSim => (keep - 1) * c.stride_h + c.kernel_h,
                };
                let spec = crate::workload::ConvSpec {
                    batch: c.batch,
                    ifmap: (h, c.ifmap_w),
                    channels: c.channels,
                    filters: c.filters,
                    kernel: (c.kernel_h, c.kernel_w),
                    stride: (c.stride_h, c.stride_w),
                    padding: (c.pad_h, c.pad_w),
                    padding_end: Some((c.pad_bottom, c.pad_right)),
                    dilation: (c.dilation_h, c.dilation_w),
                    groups: c.groups,
                    rule: c.rule,
                };
                let Ok(small) = crate::workload::Conv2d::new(spec) else {
                    return None;
                };
                let rows = small.ofmap_h;
                (
                    LayerOp::Conv(small),
                    format!("the first {rows} of {} output rows", c.ofmap_h),
                )
            }
            LayerOp::Gemm(g) => (
                LayerOp::Gemm(
                    crate::workload::Gemm::new(keep, g.shape.n, g.shape.k).expect("smaller GEMM"),
                ),
                format!("the first {keep} of {} GEMM rows", g.shape.m),
            ),
            LayerOp::Recurrent(l) => (
                LayerOp::Recurrent(
                    crate::workload::Recurrent::new(l.cell, l.input, l.hidden, keep, l.batch)
                        .expect("fewer steps"),
                ),
                format!("the first {keep} of {} steps", l.steps),
            ),
            LayerOp::NonMac(_) => return None,
        };
        let small = Layer {
            op,
            ..layer.clone()
        };
        if keep == 1 || cost(&small) <= budget {
            return Some((small, what));
        }
    }
}

/// Runs the stepped engine on a layer × layout (or its reduced version) as `checks` asks.
fn check_layer(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    fit: bool,
    checks: &Checks,
) -> CheckOutcome {
    let kind = packs[0].layout;
    let limits = layout_limits(arch, kind, fit);
    let (subject, scope) = match reduced_layer(layer, arch, packs, fit, checks.budget) {
        Some((l, what)) => (l, what),
        None => (layer.clone(), "whole layer".to_string()),
    };
    let (mut run, differences) =
        cross_check_traced(arch, &subject, packs, limits, checks.seed, checks.trace);
    CheckOutcome {
        trace: std::mem::take(&mut run.trace),
        trace_origin: run.stats.timeline.origin,
        scope,
        differences: if checks.cross_check {
            differences
        } else {
            Vec::new()
        },
        verified: checks.verify.then(|| verify_outputs(&subject, &run)),
    }
}

/// One layer under one layout, with the extras `checks` asks for.
fn evaluate(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    fit: bool,
    checks: &Checks,
    dense_cycles: Option<u64>,
) -> CompareRow {
    let kind = packs[0].layout;
    let (s, sp, grid) = if checks.pe_states || checks.cross_check {
        let (s, sp, g) = fast_with_grid(arch, layer, packs, layout_limits(arch, kind, fit));
        (s, sp, Some(g))
    } else {
        let (s, sp) = simulate_layout(arch, layer, packs, fit);
        (s, sp, None)
    };
    let check = checks
        .stepped()
        .then(|| check_layer(arch, layer, packs, fit, checks));
    CompareRow {
        dense_cycles: dense_cycles.unwrap_or(s.total_cycles),
        layer: s,
        sparse: sp,
        grid,
        check,
        actions: ActionCounts::default(),
        energy: EnergyBreakdown::default(),
    }
}

/// A row for a layer that is not on the array.
fn non_mac_row(arch: &Arch, layer: &Layer, kind: LayoutKind) -> CompareRow {
    CompareRow {
        layer: simulate_layer(arch, layer),
        sparse: SparseStats {
            layout: kind.as_str().to_string(),
            status: "ok".into(),
            ..SparseStats::default()
        },
        dense_cycles: 0,
        grid: None,
        check: None,
        actions: ActionCounts::default(),
        energy: EnergyBreakdown::default(),
    }
}

/// What the layout knows about a layer.
pub fn layer_context(layer: &Layer) -> LayerContext {
    LayerContext {
        kernel: match &layer.op {
            LayerOp::Conv(c) => Some((
                c.kernel_h as usize,
                c.kernel_w as usize,
                (c.channels / c.groups) as usize,
            )),
            _ => None,
        },
    }
}

/// Prunes and packs every weight instance of layer `index` with `kind`.
pub fn pack_layer(
    network: &Network,
    weights: &[Option<LayerWeights>],
    index: usize,
    kind: LayoutKind,
    params: &LayoutParams,
) -> Vec<Packed> {
    let scores = layer_scores(network, weights, index, params);
    let prunings = layer_prunings(weights, index, &scores);
    pack_pruned_layer(&network.layers[index], kind, params, &prunings)
}

/// The importance scores of every weight matrix of layer `index`, as [`pack_layer`] uses
/// them.
pub fn layer_scores(
    network: &Network,
    weights: &[Option<LayerWeights>],
    index: usize,
    params: &LayoutParams,
) -> Vec<Vec<f32>> {
    let lw = weights[index].as_ref().expect("MAC layers have weights");
    lw.matrices
        .iter()
        .map(|m| scores(network, weights, index, m, params.importance))
        .collect()
}

/// The weight matrices of layer `index` with their scores, ready to be pruned by several
/// layouts that share what they compute (the irregular masks).
pub fn layer_prunings<'a>(
    weights: &'a [Option<LayerWeights>],
    index: usize,
    scores: &'a [Vec<f32>],
) -> Vec<Pruning<'a>> {
    let lw = weights[index].as_ref().expect("MAC layers have weights");
    lw.matrices
        .iter()
        .zip(scores)
        .map(|(m, s)| Pruning::new(m, s))
        .collect()
}

/// Packs `layer`, one matrix per pruning, under `kind`.
pub fn pack_pruned_layer(
    layer: &Layer,
    kind: LayoutKind,
    params: &LayoutParams,
    prunings: &[Pruning],
) -> Vec<Packed> {
    let layout = build(kind, params);
    let ctx = layer_context(layer);
    prunings
        .iter()
        .map(|p| layout.pack_pruned(p, &ctx))
        .collect()
}

/// Simulates one packed layer under a layout (dense and masked on any dataflow; packed
/// layouts on WS only, as [`CompareSpec::check`] ensures).
pub fn simulate_layout(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    size_to_fit: bool,
) -> (LayerStats, SparseStats) {
    let kind = packs[0].layout;
    // Off weight stationarity, and under the `scalesim` memory model, only in-place
    // layouts (dense, masked) run: the dense engine times them.
    if arch.dataflow != Dataflow::Ws || arch.memory.policy.model == MemoryModel::Scalesim {
        let s = simulate_layer(arch, layer);
        let work = layer.gemm_work().expect("MAC layer");
        let kept: u64 = if work.weights_shared {
            packs[0].nnz_after
        } else {
            packs.iter().map(|p| p.nnz_after).sum()
        };
        let effectual = kept
            * work.shape.m
            * if work.weights_shared {
                work.instances
            } else {
                1
            };
        let (eb, ea) = packs.iter().fold((0.0, 0.0), |(a, b), p| {
            (a + p.weight_sq_before, b + p.weight_sq_after)
        });
        let total: u64 = packs.iter().map(|p| (p.n * p.k) as u64).sum();
        let kept_all: u64 = packs.iter().map(|p| p.nnz_after).sum();
        let kept_sq = if eb == 0.0 { 1.0 } else { ea / eb };
        let sp = SparseStats {
            layout: kind.as_str().to_string(),
            weights: total,
            kept_weights: kept_all,
            sparsity: 1.0 - kept_all as f64 / total as f64,
            kept_weight_energy: kept_sq,
            weight_sq: (eb, ea),
            distortion: (1.0 - kept_sq).max(0.0).sqrt(),
            max_fan_in: 1,
            max_bus_demand: 1,
            effectual_macs: effectual,
            ineffectual_macs: s.macs - effectual,
            status: "ok".into(),
            ..SparseStats::default()
        };
        let mut s = s;
        s.pe_utilization = effectual as f64 / (arch.array.pes() * s.total_cycles) as f64;
        return (s, sp);
    }
    simulate_packed(arch, layer, packs, layout_limits(arch, kind, size_to_fit))
}

/// The PE limits a layout maps under: the arch's mux, row bus and ifmap SRAM port, or
/// (`size_to_fit`) as much as it needs; plain arrays (dense, masked) get a one-wide bus.
pub fn layout_limits(arch: &Arch, kind: LayoutKind, size_to_fit: bool) -> PeLimits {
    if !kind.is_packed() {
        PeLimits {
            mux_inputs: u32::MAX,
            row_bus_width: 1,
            ifmap_read_bw: None,
        }
    } else if size_to_fit {
        PeLimits {
            mux_inputs: u32::MAX,
            row_bus_width: u32::MAX,
            ifmap_read_bw: Some(u32::MAX),
        }
    } else {
        PeLimits {
            mux_inputs: arch.pe.mux_inputs,
            row_bus_width: arch.pe.row_bus_width,
            ifmap_read_bw: None,
        }
    }
}

/// Runs the comparison over every layer (layers in parallel; the result order and values do
/// not depend on the thread count); `progress(done)` after each layer with the layers done.
pub fn compare(
    arch: &Arch,
    network: &Network,
    weights: &[Option<LayerWeights>],
    spec: &CompareSpec,
    progress: impl Fn(usize) + Sync,
) -> Vec<CompareRow> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut kinds = vec![LayoutKind::Dense];
    kinds.extend(
        spec.layouts
            .iter()
            .copied()
            .filter(|k| *k != LayoutKind::Dense),
    );
    let done = AtomicUsize::new(0);
    let per_layer: Vec<Vec<CompareRow>> = (0..network.layers.len())
        .into_par_iter()
        .map(|i| {
            let rows = compare_layer(arch, network, weights, spec, &kinds, i);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            rows
        })
        .collect();
    let keep_dense = spec.layouts.contains(&LayoutKind::Dense);
    let mut rows: Vec<CompareRow> = (0..kinds.len())
        .filter(|&li| kinds[li] != LayoutKind::Dense || keep_dense)
        .flat_map(|li| per_layer.iter().map(move |rows| rows[li].clone()))
        .collect();
    price_rows(arch, &mut rows, spec.size_to_fit);
    rows
}

/// The largest fan-in and the longest row list of a layout's rows.
fn fan_and_demand(rows: &[&CompareRow]) -> (u32, u32) {
    let max = |f: fn(&CompareRow) -> u32| rows.iter().map(|r| f(r)).max().unwrap_or(1);
    (
        max(|r| r.sparse.max_fan_in),
        max(|r| r.sparse.max_bus_demand),
    )
}

/// The hardware `kind` needs on this array, from its rows: a mux as wide as its largest
/// fan-in, a bus as wide as its largest row demand (within the bus it was mapped on), select
/// registers for the longest row list, and its decoders when it has metadata.
pub fn needed_provision(
    arch: &Arch,
    kind: LayoutKind,
    size_to_fit: bool,
    rows: &[&CompareRow],
) -> Provision {
    let (fan, demand) = fan_and_demand(rows);
    provision_for(arch, kind, size_to_fit, fan, demand).1
}

/// The hardware `kind` runs on: the arch as provisioned — with the select registers and
/// decoders a packed layout needs if the arch has none — or (`size_to_fit`) what it needs.
pub fn run_provision(
    arch: &Arch,
    kind: LayoutKind,
    size_to_fit: bool,
    rows: &[&CompareRow],
) -> Provision {
    let (fan, demand) = fan_and_demand(rows);
    provision_for(arch, kind, size_to_fit, fan, demand).0
}

/// (the hardware `kind` runs on, the hardware it needs) when its largest fan-in is `fan` and
/// its longest row list `demand`: see [`run_provision`] and [`needed_provision`].
pub fn provision_for(
    arch: &Arch,
    kind: LayoutKind,
    size_to_fit: bool,
    fan: u32,
    demand: u32,
) -> (Provision, Provision) {
    let limits = layout_limits(arch, kind, size_to_fit);
    let packed = kind.is_packed();
    let needed = Provision {
        mux_inputs: fan.max(1),
        row_bus_width: demand.min(limits.row_bus_width).max(1),
        select_bits: if packed {
            crate::energy::actions::bits_for(u64::from(demand))
        } else {
            0
        },
        decoder_lanes: if packed {
            arch.decode.for_layout(kind).unwrap_or(0)
        } else {
            0
        },
        selects: packed,
    };
    if size_to_fit {
        return (needed, needed);
    }
    let own = Provision::of_arch(arch);
    let run = Provision {
        select_bits: own.select_bits.max(needed.select_bits),
        decoder_lanes: own.decoder_lanes.max(needed.decoder_lanes),
        selects: packed,
        ..own
    };
    (run, needed)
}

/// Fills every row's actions and energy, each layout priced on the hardware it runs on
/// ([`run_provision`] over all of that layout's rows).
pub fn price_rows(arch: &Arch, rows: &mut [CompareRow], size_to_fit: bool) {
    let mut provisions: Vec<(String, Provision)> = Vec::new();
    for r in rows.iter() {
        let name = &r.sparse.layout;
        if provisions.iter().any(|(n, _)| n == name) {
            continue;
        }
        let Ok(kind) = LayoutKind::parse(name) else {
            continue;
        };
        let mine: Vec<&CompareRow> = rows.iter().filter(|x| &x.sparse.layout == name).collect();
        provisions.push((name.clone(), run_provision(arch, kind, size_to_fit, &mine)));
    }
    for r in rows.iter_mut() {
        let hw = provisions
            .iter()
            .find(|(n, _)| *n == r.sparse.layout)
            .map_or_else(|| Provision::of_arch(arch), |(_, p)| *p);
        r.actions = layer_actions(arch, &r.layer, Some(&r.sparse.packed_counts()), &hw);
        r.energy = crate::energy::price(arch, &r.actions, &hw);
    }
}

/// Every layout of `kinds` (dense first) on layer `i`.
fn compare_layer(
    arch: &Arch,
    network: &Network,
    weights: &[Option<LayerWeights>],
    spec: &CompareSpec,
    kinds: &[LayoutKind],
    i: usize,
) -> Vec<CompareRow> {
    let layer = &network.layers[i];
    let mut dense_cycles = 0u64;
    // Every layout prunes by the same scores, and those at the same sparsity share its mask.
    let scores = weights[i]
        .as_ref()
        .map(|_| layer_scores(network, weights, i, &spec.params));
    let prunings = scores.as_ref().map(|s| layer_prunings(weights, i, s));
    kinds
        .iter()
        .map(|&kind| {
            let Some(prunings) = &prunings else {
                return non_mac_row(arch, layer, kind);
            };
            let packs = pack_pruned_layer(layer, kind, &spec.params, prunings);
            let row = evaluate(
                arch,
                layer,
                &packs,
                spec.size_to_fit,
                &spec.checks,
                (kind != LayoutKind::Dense).then_some(dense_cycles),
            );
            if kind == LayoutKind::Dense {
                dense_cycles = row.layer.total_cycles;
            }
            row
        })
        .collect()
}

/// Network totals of one layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutTotals {
    /// Layout.
    pub layout: String,
    /// Kept / all weights, as a sparsity.
    pub sparsity: f64,
    /// Σw²(kept) / Σw²(dense) over the network.
    pub kept_weight_energy: f64,
    /// Sum of total cycles.
    pub total_cycles: u64,
    /// Sum of stall cycles.
    pub stall_cycles: u64,
    /// Sum of the dense reference's total cycles over the same layers.
    pub dense_cycles: u64,
    /// `dense_cycles / total_cycles`; `None` (an empty cell, JSON `null`) when the layout
    /// spends no cycles at all.
    pub speedup_vs_dense: Option<f64>,
    /// Effectual MACs / (R·C·total cycles).
    pub pe_utilization: f64,
    /// Occupied PE slots / (folds·R·C).
    pub mapping_efficiency: f64,
    /// Sum of effectual MACs.
    pub effectual_macs: u64,
    /// Largest mux fan-in needed.
    pub max_fan_in: u32,
    /// Largest row-bus demand.
    pub max_bus_demand: u32,
    /// Sum of metadata bits.
    pub metadata_bits: u64,
    /// Metadata bits per kept weight; `None` when no weight is kept.
    pub metadata_bits_per_nonzero: Option<f64>,
    /// Sum of decode stall cycles.
    pub decode_cycles: u64,
    /// DRAM traffic, bytes: weights (filter channel, without metadata), metadata, ifmap, ofmap.
    pub filter_dram_bytes: u64,
    /// Metadata DRAM bytes.
    pub metadata_dram_bytes: u64,
    /// Ifmap DRAM bytes.
    pub ifmap_dram_bytes: u64,
    /// Ofmap DRAM bytes (writes and partial-sum read-backs).
    pub ofmap_dram_bytes: u64,
    /// `ok`, or `infeasible (n layers)`.
    pub status: String,
    /// Energy, area and figures of merit (written after the columns above).
    #[serde(skip)]
    pub cost: LayoutCost,
}

/// A layout's energy over the network, the area of the hardware it runs on, and their
/// figures of merit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct LayoutCost {
    /// Energy per inference by component.
    #[serde(flatten)]
    pub energy: EnergyBreakdown,
    /// Area of the hardware the layout runs on (the arch as provisioned, or with
    /// `--size-to-fit` what the layout needs).
    #[serde(flatten)]
    pub area: AreaBreakdown,
    /// Area of the hardware the layout needs on this array (its mux, bus and decoders), mm².
    pub needed_area_mm2: f64,
    /// EDP, TOPS/W, TOPS/mm².
    #[serde(flatten)]
    pub merit: FiguresOfMerit,
}

/// The cost of one layout's rows.
fn layout_cost(arch: &Arch, name: &str, rs: &[&CompareRow], size_to_fit: bool) -> LayoutCost {
    let mut energy = EnergyBreakdown::default();
    for r in rs {
        energy += r.energy;
    }
    let (run, needed) = match LayoutKind::parse(name) {
        Ok(kind) => {
            let (fan, demand) = fan_and_demand(rs);
            provision_for(arch, kind, size_to_fit, fan, demand)
        }
        Err(_) => (Provision::of_arch(arch), Provision::of_arch(arch)),
    };
    let area = crate::energy::area(arch, &run);
    let cycles: u64 = rs.iter().map(|r| r.layer.total_cycles).sum();
    let macs: u64 = rs.iter().map(|r| r.layer.macs).sum();
    LayoutCost {
        energy,
        area,
        needed_area_mm2: crate::energy::area(arch, &needed).area_mm2,
        merit: FiguresOfMerit::new(
            energy.energy_pj,
            cycles as f64 / arch.clock_mhz,
            macs,
            area.area_mm2,
        ),
    }
}

/// Network totals per layout, in the order the rows list layouts; `size_to_fit` as the rows
/// were run (it decides the hardware whose area they are charged).
pub fn layout_totals(arch: &Arch, rows: &[CompareRow], size_to_fit: bool) -> Vec<LayoutTotals> {
    let mut order: Vec<&str> = Vec::new();
    for r in rows {
        if !order.contains(&r.sparse.layout.as_str()) {
            order.push(&r.sparse.layout);
        }
    }
    let pes = arch.array.pes() as f64;
    let mem = &arch.memory;
    let totals: Vec<LayoutTotals> = order
        .iter()
        .map(|name| {
            let rs: Vec<&CompareRow> = rows.iter().filter(|r| r.sparse.layout == *name).collect();
            let sum = |f: &dyn Fn(&CompareRow) -> u64| rs.iter().map(|r| f(r)).sum::<u64>();
            let weights = sum(&|r| r.sparse.weights);
            let kept = sum(&|r| r.sparse.kept_weights);
            let total = sum(&|r| r.layer.total_cycles);
            let folds = sum(&|r| r.layer.folds);
            let occupied: f64 = rs
                .iter()
                .map(|r| r.layer.mapping_efficiency * r.layer.folds as f64 * pes)
                .sum();
            let infeasible = rs.iter().filter(|r| r.sparse.status != "ok").count();
            let meta_dram =
                sum(&|r| r.sparse.metadata_dram_reads) * u64::from(mem.metadata_word_bytes);
            let filter_words = sum(&|r| r.layer.filter_dram_reads);
            let meta_filter_words = meta_dram.div_ceil(u64::from(mem.filter.word_bytes));
            let e_before: f64 = rs.iter().map(|r| r.sparse.weight_sq.0).sum();
            let e_after: f64 = rs.iter().map(|r| r.sparse.weight_sq.1).sum();
            let dense_cycles = sum(&|r| r.dense_cycles);
            let metadata_bits = sum(&|r| r.sparse.metadata_bits);
            LayoutTotals {
                layout: name.to_string(),
                sparsity: if weights == 0 {
                    0.0
                } else {
                    1.0 - kept as f64 / weights as f64
                },
                kept_weight_energy: if e_before == 0.0 {
                    1.0
                } else {
                    e_after / e_before
                },
                total_cycles: total,
                stall_cycles: sum(&|r| r.layer.stall_cycles),
                dense_cycles,
                speedup_vs_dense: speedup(dense_cycles, total),
                pe_utilization: if total == 0 {
                    0.0
                } else {
                    sum(&|r| r.sparse.effectual_macs) as f64 / (pes * total as f64)
                },
                mapping_efficiency: if folds == 0 {
                    0.0
                } else {
                    occupied / (folds as f64 * pes)
                },
                effectual_macs: sum(&|r| r.sparse.effectual_macs),
                max_fan_in: rs.iter().map(|r| r.sparse.max_fan_in).max().unwrap_or(0),
                max_bus_demand: rs
                    .iter()
                    .map(|r| r.sparse.max_bus_demand)
                    .max()
                    .unwrap_or(0),
                metadata_bits,
                metadata_bits_per_nonzero: ratio(metadata_bits, kept),
                decode_cycles: sum(&|r| r.sparse.decode_cycles),
                filter_dram_bytes: filter_words.saturating_sub(meta_filter_words)
                    * u64::from(mem.filter.word_bytes),
                metadata_dram_bytes: meta_dram,
                ifmap_dram_bytes: sum(&|r| r.layer.ifmap_dram_reads)
                    * u64::from(mem.ifmap.word_bytes),
                ofmap_dram_bytes: (sum(&|r| r.layer.ofmap_dram_writes)
                    + sum(&|r| r.layer.ofmap_dram_reads))
                    * u64::from(mem.ofmap.word_bytes),
                status: if infeasible == 0 {
                    "ok".into()
                } else {
                    format!("infeasible ({infeasible} layers)")
                },
                cost: layout_cost(arch, name, &rs, size_to_fit),
            }
        })
        .collect();
    totals
}

/// How `run --layout` (or SCALE-Sim's layer-wise N:M) picks each layer's layout.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutChoice {
    /// One layout for every layer.
    Uniform(LayoutKind),
    /// `nm` with the N:M each layer's topology row declares (1:1 when none), as SCALE-Sim's
    /// `SparsitySupport` runs them, on PEs sized to fit.
    LayerwiseNm,
}

impl LayoutChoice {
    /// Whether this choice runs its layers sized to fit under the `size_to_fit` flag
    /// (layer-wise N:M always does, as SCALE-Sim's N:M hardware).
    pub fn sized_to_fit(&self, size_to_fit: bool) -> bool {
        size_to_fit || matches!(self, LayoutChoice::LayerwiseNm)
    }

    /// The layout, its parameters and whether its PEs are sized to fit, for `layer`:
    /// layer-wise N:M takes the N:M the layer declares (1:1 when none) on PEs sized to fit.
    pub fn for_layer(
        &self,
        layer: &Layer,
        params: &LayoutParams,
        size_to_fit: bool,
    ) -> (LayoutKind, LayoutParams, bool) {
        match self {
            LayoutChoice::Uniform(k) => (*k, params.clone(), size_to_fit),
            LayoutChoice::LayerwiseNm => (
                LayoutKind::Nm,
                LayoutParams {
                    nm: Some(layer.declared_nm.unwrap_or((1, 1))),
                    ..params.clone()
                },
                true,
            ),
        }
    }
}

/// Runs a whole network under one layout choice: one row per layer, with the speedup over
/// the dense engine.
pub fn run_layout(
    arch: &Arch,
    network: &Network,
    weights: &[Option<LayerWeights>],
    choice: &LayoutChoice,
    params: &LayoutParams,
    size_to_fit: bool,
    checks: &Checks,
) -> Vec<CompareRow> {
    use rayon::prelude::*;
    let mut rows: Vec<CompareRow> = (0..network.layers.len())
        .into_par_iter()
        .map(|i| {
            let layer = &network.layers[i];
            let dense = simulate_layer(arch, layer);
            let (kind, params, fit) = choice.for_layer(layer, params, size_to_fit);
            if weights[i].is_none() {
                return non_mac_row(arch, layer, kind);
            }
            let packs = pack_layer(network, weights, i, kind, &params);
            evaluate(arch, layer, &packs, fit, checks, Some(dense.total_cycles))
        })
        .collect();
    price_rows(arch, &mut rows, choice.sized_to_fit(size_to_fit));
    rows
}

/// The layer as SCALE-Sim's layer-wise N:M maps it — a GEMM whose K is compressed to
/// `K' = ⌊K/M⌋·N + min(N, K mod M)` — for SCALE-Sim-format reports of such runs.
pub fn scalesim_nm_layer(layer: &Layer) -> Layer {
    let Some(w) = layer.gemm_work() else {
        return layer.clone();
    };
    let (n, m) = layer.declared_nm.unwrap_or((1, 1));
    let k = crate::layout::nm::compressed_k(w.shape.k, u64::from(n), u64::from(m));
    let g = crate::workload::Gemm::new(w.shape.m, w.shape.n, k)
        .expect("a compressed K is a valid GEMM size");
    Layer::new(layer.name.clone(), LayerOp::Gemm(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer × layout row with the counts the totals read.
    fn row(layout: &str, total: u64, dense: u64, kept: u64, meta: u64) -> CompareRow {
        CompareRow {
            layer: LayerStats {
                total_cycles: total,
                ..LayerStats::default()
            },
            sparse: SparseStats {
                layout: layout.to_string(),
                weights: 100,
                kept_weights: kept,
                metadata_bits: meta,
                status: "ok".into(),
                ..SparseStats::default()
            },
            dense_cycles: dense,
            grid: None,
            check: None,
            actions: ActionCounts::default(),
            energy: EnergyBreakdown::default(),
        }
    }

    #[test]
    fn totals_divide_integer_sums_and_leave_undefined_ratios_empty() {
        let arch = crate::inputs::builtin_sparse_arch().0;
        let rows = [
            // dense: two MAC layers and a ReLU (no cycles).
            row("dense", 300, 300, 100, 0),
            row("dense", 200, 200, 100, 0),
            row("dense", 0, 0, 0, 0),
            // nm prunes the second layer to nothing: 0 cycles there.
            row("nm", 150, 300, 20, 40),
            row("nm", 0, 200, 0, 8),
            row("nm", 0, 0, 0, 0),
            // darb prunes everything and keeps only block codes.
            row("darb", 0, 300, 0, 64),
            row("darb", 0, 200, 0, 32),
            row("darb", 0, 0, 0, 0),
        ];
        let t = layout_totals(&arch, &rows, false);
        let get = |l: &str| t.iter().find(|x| x.layout == l).unwrap();
        // (300 + 200) / 150 by hand: 10/3.
        assert_eq!(get("nm").dense_cycles, 500);
        assert_eq!(get("nm").total_cycles, 150);
        assert_eq!(get("nm").speedup_vs_dense, Some(10.0 / 3.0));
        // 48 metadata bits over 20 kept weights.
        assert_eq!(get("nm").metadata_bits_per_nonzero, Some(2.4));
        assert_eq!(get("dense").speedup_vs_dense, Some(1.0));
        assert_eq!(get("dense").metadata_bits_per_nonzero, Some(0.0));
        // No cycles: no speedup; no kept weight: no bits per kept weight.
        assert_eq!(get("darb").speedup_vs_dense, None);
        assert_eq!(get("darb").metadata_bits_per_nonzero, None);
        assert_eq!(get("darb").sparsity, 1.0);
        // Per row: the pruned-away layer and the ReLU have no speedup.
        let speedups: Vec<Option<f64>> = rows[3..6].iter().map(|r| r.speedup_vs_dense()).collect();
        assert_eq!(speedups, [Some(2.0), None, None]);
        assert!(crate::report::finite::first_non_finite(&t).is_none());
    }

    #[test]
    fn a_speedup_over_no_cycles_is_undefined() {
        assert_eq!(speedup(3, 2), Some(1.5));
        assert_eq!(speedup(5, 0), None);
        assert_eq!(speedup(0, 0), None);
        assert_eq!(speedup(0, 7), Some(0.0));
    }

    #[test]
    fn a_layout_listed_twice_is_refused() {
        use LayoutKind::*;
        assert_eq!(distinct_layouts(&[Dense, Nm, Darb]), Ok(()));
        assert_eq!(
            distinct_layouts(&[Dense, Nm, Darb, Nm]),
            Err("`nm` is listed twice".to_string())
        );
        let spec = CompareSpec {
            layouts: vec![Masked, Masked],
            params: LayoutParams::default(),
            size_to_fit: false,
            checks: Checks::default(),
        };
        let arch = crate::inputs::builtin_sparse_arch().0;
        assert_eq!(
            spec.check(&arch),
            Err("layouts: `masked` is listed twice".to_string())
        );
    }
}
