//! Running sweep points: weights are generated once per (workload, seed, weight spreads) and
//! packings computed once per (those weights, layout, layout parameters), each shared by every
//! point that needs it (they do not depend on the array or the memory); points run in
//! parallel.

use super::spec::{Point, SweepSpec, show_value};
use crate::compare::{
    layer_prunings, layer_scores, layout_limits, pack_pruned_layer, provision_for, simulate_layout,
    speedup,
};
use crate::config::{Arch, Dataflow, MemoryModel};
use crate::energy::{
    ActionCounts, EnergyBreakdown, FiguresOfMerit, Provision, area, layer_actions, price,
};
use crate::engine::chunks::LayerChunks;
use crate::engine::simulate_layer;
use crate::engine::sparse::{MappingKey, PackedMapping, finish_packed, map_chunks};
use crate::error::InputError;
use crate::layout::packed::Packed;
use crate::layout::params::Importance;
use crate::layout::prune::Pruning;
use crate::layout::{LayoutKind, LayoutParams};
use crate::report::finite::{fmt_f64, fmt_opt};
use crate::stats::LayerStats;
use crate::weights::{WeightSource, network_weights};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Network-total columns of `sweep.csv`, after `point`, `workload` and the axes.
pub const RESULT_COLUMNS: [&str; 24] = [
    "status",
    "total_cycles",
    "compute_cycles",
    "stall_cycles",
    "pe_count",
    "sram_kb",
    "macs",
    "effectual_macs",
    "pe_utilization",
    "mapping_efficiency",
    "dram_bytes",
    "speedup_vs_dense",
    "sparsity",
    "kept_weight_energy",
    "metadata_bits",
    "max_fan_in",
    "max_bus_demand",
    "decode_cycles",
    "time_us",
    "energy_pj",
    "area_mm2",
    "edp_uj_ms",
    "tops_per_w",
    "tops_per_mm2",
];

/// Per-layer columns of `sweep_layers.csv`, after `point`.
pub const LAYER_COLUMNS: [&str; 12] = [
    "layer_index",
    "layer",
    "kind",
    "status",
    "total_cycles",
    "stall_cycles",
    "pe_utilization",
    "mapping_efficiency",
    "effectual_macs",
    "max_fan_in",
    "max_bus_demand",
    "speedup_vs_dense",
];

/// The header of `sweep.csv`.
pub fn columns(spec: &SweepSpec) -> Vec<String> {
    let mut c = vec!["point".to_string(), "workload".to_string()];
    c.extend(spec.axes.iter().map(|a| a.key.clone()));
    c.extend(RESULT_COLUMNS.iter().map(|s| s.to_string()));
    c
}

/// The header of `sweep_layers.csv`.
pub fn layer_columns() -> Vec<String> {
    let mut c = vec!["point".to_string()];
    c.extend(LAYER_COLUMNS.iter().map(|s| s.to_string()));
    c
}

/// A finished point: its `sweep.csv` row and, if asked, its `sweep_layers.csv` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// Point id.
    pub id: usize,
    /// Values in [`columns`] order.
    pub row: Vec<String>,
    /// Per-layer rows in [`layer_columns`] order.
    pub layers: Vec<Vec<String>>,
}

/// A packing and the points (indices) that use it.
type PackGroup = (PackKey, Vec<usize>);

/// What points share: weights (workload, seed, spreads) and packings (also layout and
/// parameters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PackKey {
    workload: usize,
    seed: u64,
    /// The weight spreads' bits ([`crate::weights::WeightSpread::bits`]).
    spread: (u64, u64),
    layout: LayoutKind,
    params: String,
}

fn pack_key(spec: &SweepSpec, p: &Point, arch: &Arch) -> PackKey {
    let (layout, seed) = spec.layout_and_seed(p);
    PackKey {
        workload: p.workload,
        seed,
        spread: spec.weight_spread(p).bits(),
        layout,
        params: serde_json::to_string(&arch.layout).expect("parameters serialize"),
    }
}

/// Shard `i` of `n` of `points`: the points ordered by the packing they need (then by id) and
/// cut into `n` contiguous, near-equal slices, so that each shard packs few networks. The
/// same inputs always give the same slices, and the slices partition the points.
pub fn shard(
    spec: &SweepSpec,
    points: Vec<Point>,
    i: usize,
    n: usize,
) -> Result<Vec<Point>, InputError> {
    let mut keyed: Vec<(PackKey, Point)> = points
        .into_iter()
        .map(|p| Ok((pack_key(spec, &p, &spec.arch(&p)?), p)))
        .collect::<Result<_, InputError>>()?;
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    let len = keyed.len();
    let (from, to) = (i * len / n, (i + 1) * len / n);
    Ok(keyed
        .into_iter()
        .skip(from)
        .take(to - from)
        .map(|(_, p)| p)
        .collect())
}

/// Evaluates `points` (a subset of `spec.points()`), calling `done` as each finishes (from
/// worker threads, in any order).
pub fn run_points(
    spec: &SweepSpec,
    points: &[Point],
    done: &(dyn Fn(PointResult) + Sync),
) -> Result<(), InputError> {
    // Every point's architecture first: a bad point stops the sweep before any work.
    let archs: Vec<Arch> = points
        .iter()
        .map(|p| spec.arch(p))
        .collect::<Result<_, _>>()?;
    // The dense network on each distinct array and memory (the baseline of every layout's
    // speedup), simulated once for all the points that share them.
    let mut dense_of: Vec<usize> = Vec::with_capacity(points.len());
    let mut distinct: HashMap<(usize, String), usize> = HashMap::new();
    let mut dense_jobs: Vec<(usize, usize)> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let key = (p.workload, dense_key(&archs[i]));
        let next = distinct.len();
        let id = *distinct.entry(key).or_insert_with(|| {
            dense_jobs.push((p.workload, i));
            next
        });
        dense_of.push(id);
    }
    let dense_runs: Vec<Vec<LayerStats>> = dense_jobs
        .par_iter()
        .map(|&(workload, i)| {
            let net = &spec.workloads[workload].1;
            net.layers
                .par_iter()
                .map(|layer| simulate_layer(&archs[i], layer))
                .collect()
        })
        .collect();
    let dense: Vec<&[LayerStats]> = dense_of.iter().map(|&d| &dense_runs[d][..]).collect();
    let mut groups: BTreeMap<PackKey, Vec<usize>> = BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        groups
            .entry(pack_key(spec, p, &archs[i]))
            .or_default()
            .push(i);
    }
    // Weights per (workload, seed, spreads), one at a time; the packings of one weight set run
    // in parallel.
    let mut by_weights: BTreeMap<(usize, u64, (u64, u64)), Vec<PackGroup>> = BTreeMap::new();
    for (key, members) in groups {
        by_weights
            .entry((key.workload, key.seed, key.spread))
            .or_default()
            .push((key, members));
    }
    for ((workload, seed, _), packings) in by_weights {
        let net = &spec.workloads[workload].1;
        // Dense points need no weights.
        let w = if packings.iter().all(|(k, _)| k.layout == LayoutKind::Dense) {
            vec![None; net.layers.len()]
        } else {
            // Every point of the group has these spreads.
            let spread = spec.weight_spread(&points[packings[0].1[0]]);
            network_weights(net, &WeightSource::Synthetic { seed, spread })?
        };
        // Scores per importance rule, and the prunings that share masks and rankings across
        // the packings (layouts and sparsities) of this weight set.
        let mut rules: Vec<Importance> = packings
            .iter()
            .filter(|(k, _)| k.layout != LayoutKind::Dense)
            .map(|(_, m)| archs[m[0]].layout.importance)
            .collect();
        rules.sort_by_key(|r| *r as u8);
        rules.dedup();
        let scores: Vec<Vec<Option<Vec<Vec<f32>>>>> = rules
            .iter()
            .map(|&importance| {
                let params = LayoutParams {
                    importance,
                    ..LayoutParams::default()
                };
                (0..net.layers.len())
                    .into_par_iter()
                    .map(|i| w[i].as_ref().map(|_| layer_scores(net, &w, i, &params)))
                    .collect()
            })
            .collect();
        let prunings: Vec<Vec<Option<Vec<Pruning>>>> = scores
            .iter()
            .map(|by_layer| {
                by_layer
                    .iter()
                    .enumerate()
                    .map(|(i, s)| s.as_ref().map(|s| layer_prunings(&w, i, s)))
                    .collect()
            })
            .collect();
        packings.par_iter().for_each(|(key, members)| {
            let importance = archs[members[0]].layout.importance;
            let shared = rules
                .iter()
                .position(|&r| r == importance)
                .map(|r| &prunings[r][..]);
            run_packing(spec, points, &archs, &dense, shared, key, members, done);
        });
    }
    Ok(())
}

/// What of an architecture the dense engine reads: everything but its name, description and
/// layout parameters.
fn dense_key(arch: &Arch) -> String {
    let mut a = arch.clone();
    a.name.clear();
    a.description.clear();
    a.layout = Default::default();
    serde_json::to_string(&a).expect("architectures serialize")
}

/// Packs the network once for `key` and evaluates its `members` (indices into `points`).
#[allow(clippy::too_many_arguments)]
fn run_packing(
    spec: &SweepSpec,
    points: &[Point],
    archs: &[Arch],
    dense: &[&[LayerStats]],
    prunings: Option<&[Option<Vec<Pruning>>]>,
    key: &PackKey,
    members: &[usize],
    done: &(dyn Fn(PointResult) + Sync),
) {
    let net = &spec.workloads[key.workload].1;
    let params = archs[members[0]].layout.clone();
    let packs: Vec<Option<Vec<Packed>>> = match prunings {
        Some(prunings) if key.layout != LayoutKind::Dense => (0..net.layers.len())
            .into_par_iter()
            .map(|i| {
                prunings[i]
                    .as_ref()
                    .map(|p| pack_pruned_layer(&net.layers[i], key.layout, &params, p))
            })
            .collect(),
        _ => vec![None; net.layers.len()],
    };
    // Points whose arrays and PEs agree share the mapping of every layer; only the memory
    // model runs per point. Dense points, and packed ones on non-WS arrays, map nothing.
    let mapped = |arch: &Arch| key.layout != LayoutKind::Dense && arch.dataflow == Dataflow::Ws;
    let mut by_mapping: HashMap<MappingKey, Vec<usize>> = HashMap::new();
    let mut alone: Vec<Vec<usize>> = Vec::new();
    for &i in members {
        let arch = &archs[i];
        if !mapped(arch) {
            alone.push(vec![i]);
        } else {
            let limits = layout_limits(arch, key.layout, false);
            by_mapping
                .entry(MappingKey::new(arch, limits))
                .or_default()
                .push(i);
        }
    }
    // The packing's column chunks depend only on the array width: they are summarized once
    // per width and every mapping of that width assembles its folds from them.
    let mut by_width: BTreeMap<u32, Vec<Vec<usize>>> = BTreeMap::new();
    for group in by_mapping.into_values() {
        by_width
            .entry(archs[group[0]].array.cols)
            .or_default()
            .push(group);
    }
    // Every width's chunks come from one read of each packing's cells.
    let widths: Vec<u32> = by_width.keys().copied().collect();
    let mut cut: Vec<Option<Vec<Option<LayerChunks>>>> = (0..net.layers.len())
        .into_par_iter()
        .map(|l| {
            let k = net.layers[l].gemm_work().map_or(0, |w| w.shape.k as usize);
            packs[l].as_ref().map(|pk| {
                LayerChunks::for_widths(pk, &widths, k)
                    .into_iter()
                    .map(Some)
                    .collect()
            })
        })
        .collect();
    for (wi, (_, mut subgroups)) in by_width.into_iter().enumerate() {
        subgroups.sort();
        let chunks: Vec<Option<LayerChunks>> = cut
            .iter_mut()
            .map(|c| c.as_mut().and_then(|by_width| by_width[wi].take()))
            .collect();
        subgroups.par_iter().for_each(|group| {
            let arch = &archs[group[0]];
            let limits = layout_limits(arch, key.layout, false);
            let mappings: Vec<Option<PackedMapping>> = (0..net.layers.len())
                .into_par_iter()
                .map(|l| match (&packs[l], &chunks[l]) {
                    (Some(pk), Some(ch)) => {
                        Some(map_chunks(arch, &net.layers[l], pk, ch, limits, None))
                    }
                    _ => None,
                })
                .collect();
            let shared = Shared {
                layout: key.layout,
                packs: &packs,
                mappings: &mappings,
            };
            evaluate_group(spec, points, archs, dense, &shared, group, done);
        });
    }
    alone.sort();
    let none: Vec<Option<PackedMapping>> = vec![None; net.layers.len()];
    alone.par_iter().for_each(|group| {
        let shared = Shared {
            layout: key.layout,
            packs: &packs,
            mappings: &none,
        };
        evaluate_group(spec, points, archs, dense, &shared, group, done);
    });
}

/// What the points of one packing and mapping share.
struct Shared<'a> {
    layout: LayoutKind,
    packs: &'a [Option<Vec<Packed>>],
    mappings: &'a [Option<PackedMapping>],
}

/// Evaluates the points `group` (indices into `points`) that share a packing and mappings.
fn evaluate_group(
    spec: &SweepSpec,
    points: &[Point],
    archs: &[Arch],
    dense: &[&[LayerStats]],
    shared: &Shared,
    group: &[usize],
    done: &(dyn Fn(PointResult) + Sync),
) {
    group.par_iter().for_each(|&i| {
        done(evaluate(spec, &points[i], &archs[i], dense[i], shared));
    });
}

/// One point's results.
fn evaluate(
    spec: &SweepSpec,
    p: &Point,
    arch: &Arch,
    dense_run: &[LayerStats],
    shared: &Shared,
) -> PointResult {
    let (layout, packs, mappings) = (shared.layout, shared.packs, shared.mappings);
    let net = &spec.workloads[p.workload].1;
    let mut row = vec![p.id.to_string(), spec.workloads[p.workload].0.clone()];
    row.extend(p.values.iter().map(show_value));
    let scalesim = arch.memory.policy.model == MemoryModel::Scalesim;
    if layout.is_packed() && (arch.dataflow != Dataflow::Ws || scalesim) {
        let status = if scalesim {
            format!(
                "infeasible: layout {layout} needs sparsim's memory model, this point uses memory.model = scalesim"
            )
        } else {
            format!(
                "infeasible: layout {layout} needs a weight-stationary array, this point is {}",
                arch.dataflow
            )
        };
        row.push(status);
        row.extend(std::iter::repeat_n(String::new(), RESULT_COLUMNS.len() - 1));
        return PointResult {
            id: p.id,
            row,
            layers: Vec::new(),
        };
    }
    let mut layers_out = Vec::new();
    let mut t = Totals::default();
    // Each layer's actions, priced once the network's longest row list decides the select
    // registers of the hardware the point runs on (a sweep runs on the arch's own mux, so
    // the counts do not wait for it).
    let own = Provision::of_arch(arch);
    let mut actions: Vec<ActionCounts> = Vec::with_capacity(net.layers.len());
    let mut infeasible: Vec<String> = Vec::new();
    for (i, layer) in net.layers.iter().enumerate() {
        let dense = &dense_run[i];
        let (s, eff, fan, bus, meta, decode, kept, weights, weight_sq, status, counts) =
            match &packs[i] {
                None => {
                    let w = layer.gemm_work().map_or(0, |w| {
                        w.shape.n * w.shape.k * if w.weights_shared { 1 } else { w.instances }
                    });
                    // Unpruned: every weight kept, all its w² kept (relative units).
                    let on = dense.folds > 0;
                    let weight_sq = if on { (1.0, 1.0) } else { (0.0, 0.0) };
                    (
                        dense.clone(),
                        dense.macs,
                        u32::from(on),
                        u32::from(on),
                        0,
                        0,
                        w,
                        w,
                        weight_sq,
                        "ok".to_string(),
                        None,
                    )
                }
                Some(pk) => {
                    // The `scalesim` model times in-place layouts as the dense engine does.
                    let (s, sp) = match &mappings[i] {
                        Some(m) if !scalesim => finish_packed(arch, m, None),
                        _ => simulate_layout(arch, layer, pk, false),
                    };
                    (
                        s,
                        sp.effectual_macs,
                        sp.max_fan_in,
                        sp.max_bus_demand,
                        sp.metadata_bits,
                        sp.decode_cycles,
                        sp.kept_weights,
                        sp.weights,
                        sp.weight_sq,
                        sp.status.clone(),
                        Some(sp.packed_counts()),
                    )
                }
            };
        if status != "ok" {
            infeasible.push(format!(
                "`{}`: {}",
                layer.name,
                status.trim_start_matches("infeasible: ")
            ));
        }
        actions.push(layer_actions(arch, &s, counts.as_ref(), &own));
        t.add(
            arch,
            &s,
            eff,
            fan,
            bus,
            meta,
            decode,
            kept,
            weights,
            weight_sq,
            dense.total_cycles,
        );
        if spec.per_layer {
            layers_out.push(vec![
                p.id.to_string(),
                i.to_string(),
                layer.name.clone(),
                s.kind.clone(),
                status,
                s.total_cycles.to_string(),
                s.stall_cycles.to_string(),
                fmt_f64(s.pe_utilization),
                fmt_f64(s.mapping_efficiency),
                eff.to_string(),
                fan.to_string(),
                bus.to_string(),
                fmt_opt(speedup(dense.total_cycles, s.total_cycles)),
            ]);
        }
    }
    let status = match infeasible.first() {
        None => "ok".to_string(),
        Some(first) => format!("infeasible: {} layers (first {first})", infeasible.len()),
    };
    let (hw, _) = provision_for(arch, layout, false, t.fan, t.bus);
    debug_assert_eq!(hw.mux_inputs, own.mux_inputs);
    for a in &actions {
        t.energy += price(arch, a, &hw);
    }
    row.push(status);
    row.extend(t.values(arch, &hw));
    PointResult {
        id: p.id,
        row,
        layers: layers_out,
    }
}

/// Network totals of a point.
#[derive(Default)]
struct Totals {
    total: u64,
    compute: u64,
    stall: u64,
    macs: u64,
    effectual: u64,
    occupied: f64,
    folds: u64,
    dram_bytes: u64,
    dense_total: u64,
    kept: u64,
    weights: u64,
    weight_sq: (f64, f64),
    meta: u64,
    fan: u32,
    bus: u32,
    decode: u64,
    energy: EnergyBreakdown,
}

impl Totals {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        arch: &Arch,
        s: &LayerStats,
        eff: u64,
        fan: u32,
        bus: u32,
        meta: u64,
        decode: u64,
        kept: u64,
        weights: u64,
        weight_sq: (f64, f64),
        dense_total: u64,
    ) {
        let m = &arch.memory;
        self.total += s.total_cycles;
        self.compute += s.compute_cycles;
        self.stall += s.stall_cycles;
        self.macs += s.macs;
        self.effectual += eff;
        self.occupied += s.mapping_efficiency * (s.folds * arch.array.pes()) as f64;
        self.folds += s.folds;
        self.dram_bytes += s.ifmap_dram_reads * u64::from(m.ifmap.word_bytes)
            + s.filter_dram_reads * u64::from(m.filter.word_bytes)
            + (s.ofmap_dram_writes + s.ofmap_dram_reads) * u64::from(m.ofmap.word_bytes);
        self.dense_total += dense_total;
        self.kept += kept;
        self.weights += weights;
        self.weight_sq.0 += weight_sq.0;
        self.weight_sq.1 += weight_sq.1;
        self.meta += meta;
        self.fan = self.fan.max(fan);
        self.bus = self.bus.max(bus);
        self.decode += decode;
    }

    fn values(&self, arch: &Arch, hw: &Provision) -> Vec<String> {
        let pes = arch.array.pes();
        let m = &arch.memory;
        // Fractions of nothing are 0 (no cycles, folds or weights: nothing used or pruned);
        // a speedup over no cycles is undefined, an empty cell.
        let ratio = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let area_mm2 = area(arch, hw).area_mm2;
        let time_us = self.total as f64 / arch.clock_mhz;
        let merit = FiguresOfMerit::new(self.energy.energy_pj, time_us, self.macs, area_mm2);
        vec![
            self.total.to_string(),
            self.compute.to_string(),
            self.stall.to_string(),
            pes.to_string(),
            (m.ifmap.sram_kb + m.filter.sram_kb + m.ofmap.sram_kb).to_string(),
            self.macs.to_string(),
            self.effectual.to_string(),
            fmt_f64(ratio(self.effectual as f64, (pes * self.total) as f64)),
            fmt_f64(ratio(self.occupied, (self.folds * pes) as f64)),
            self.dram_bytes.to_string(),
            fmt_opt(speedup(self.dense_total, self.total)),
            fmt_f64(1.0 - ratio(self.kept as f64, self.weights as f64)),
            // Nothing to lose retains everything.
            fmt_f64(if self.weight_sq.0 == 0.0 {
                1.0
            } else {
                self.weight_sq.1 / self.weight_sq.0
            }),
            self.meta.to_string(),
            self.fan.to_string(),
            self.bus.to_string(),
            self.decode.to_string(),
            fmt_f64(self.total as f64 / arch.clock_mhz),
            fmt_f64(self.energy.energy_pj),
            fmt_f64(area_mm2),
            fmt_f64(merit.edp_uj_ms),
            fmt_opt(merit.tops_per_w),
            fmt_opt(merit.tops_per_mm2),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::pack_layer;
    use crate::inputs::parse_workload_text;
    use crate::sweep::spec::parse_sweep_file;
    use crate::workload::scalesim_csv::TopologyForm;
    use std::sync::Mutex;

    /// Memory keys, word sizes, decode and PE features all vary, so a key missing from
    /// `MappingKey` would make a shared mapping differ from simulating the point alone.
    const SWEEP: &str = r#"
base_arch = "base.toml"
workloads = ["lenet5.toml"]
[axes]
layout = ["nm", "colcomb", "masked"]
"dram.filter_bw" = [1, 64]
"sram.filter_kb" = [1, 256]
"word_bytes.filter" = [1, 2]
"word_bytes.metadata" = [1, 4]
"pe.weight_double_buffer" = [false, true]
"decode.colcomb" = [1, 64]
"#;

    fn lenet_spec() -> SweepSpec {
        let base = include_str!("../../arch/sparse-32x32-ws.toml");
        let net = parse_workload_text(
            include_str!("../../workloads/lenet5.toml"),
            "lenet5.toml",
            "lenet5",
            "toml",
            TopologyForm::Detect,
        )
        .unwrap();
        parse_sweep_file(SWEEP, "t.toml", "t")
            .unwrap()
            .resolve(base, "base.toml", vec![("lenet5".into(), net)])
            .unwrap()
    }

    #[test]
    fn shards_partition_the_points_in_near_equal_slices_by_packing() {
        let spec = lenet_spec();
        let all = spec.points().unwrap();
        for n in 1..=7 {
            let mut seen = Vec::new();
            let mut sizes = Vec::new();
            for i in 0..n {
                let s = shard(&spec, all.clone(), i, n).unwrap();
                assert_eq!(s, shard(&spec, all.clone(), i, n).unwrap());
                sizes.push(s.len());
                seen.extend(s.iter().map(|p| p.id));
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..all.len()).collect::<Vec<_>>(), "n = {n}");
            assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
        }
        // Three layouts in three shards: each shard packs exactly one layout.
        for i in 0..3 {
            let s = shard(&spec, all.clone(), i, 3).unwrap();
            let layouts: std::collections::HashSet<_> =
                s.iter().map(|p| spec.layout_and_seed(p).0).collect();
            assert_eq!(layouts.len(), 1);
        }
    }

    #[test]
    fn shared_mappings_give_the_rows_of_simulating_each_point_alone() {
        let spec = lenet_spec();
        let points = spec.points().unwrap();
        assert_eq!(points.len(), 192);
        let got = Mutex::new(Vec::new());
        run_points(&spec, &points, &|r| got.lock().unwrap().push(r)).unwrap();
        let mut got = got.into_inner().unwrap();
        got.sort_by_key(|r| r.id);
        let net = &spec.workloads[0].1;
        let weights = network_weights(net, &WeightSource::synthetic(spec.seed)).unwrap();
        let none = vec![None; net.layers.len()];
        let mut distinct = std::collections::HashSet::new();
        for p in &points {
            let arch = spec.arch(p).unwrap();
            let (layout, _) = spec.layout_and_seed(p);
            let packs: Vec<Option<Vec<Packed>>> = (0..net.layers.len())
                .map(|i| {
                    weights[i]
                        .as_ref()
                        .map(|_| pack_layer(net, &weights, i, layout, &arch.layout))
                })
                .collect();
            let dense: Vec<LayerStats> = net
                .layers
                .iter()
                .map(|l| simulate_layer(&arch, l))
                .collect();
            let shared = Shared {
                layout,
                packs: &packs,
                mappings: &none,
            };
            let alone = evaluate(&spec, p, &arch, &dense, &shared);
            assert_eq!(got[p.id], alone, "point {}", p.id);
            distinct.insert(alone.row[10..].to_vec());
        }
        // The axes do change the results.
        assert!(distinct.len() >= 40, "{}", distinct.len());
    }
}
