//! `sparsim run`.

use super::Loaded;
use super::OutputFolder;
use super::{RunArgs, load, progress_bar};
use crate::compare::{
    CompareRow, CompareSpec, LayoutChoice, layout_limits, pack_layer, run_layout, scalesim_nm_layer,
};
use crate::energy::{ActionCounts, EnergyBreakdown, Provision, layer_actions, price};
use crate::engine;
use crate::engine::scalesim_view::scalesim_row;
use crate::layout::{LayoutKind, LayoutParams};
use crate::report::compare::actions_csv_of;
use crate::report::compare::compare_csv;
use crate::report::dram_trace::{DramTraceRow, dram_trace_csv, trace_rows};
use crate::report::layers_csv::layers_csv;
use crate::report::scalesim::scalesim_reports;
use crate::report::summary::{Inputs, Summary, Tool, WorkloadInfo, summary_json};
use crate::report::table::render_table;
use crate::stats::LayerStats;
use crate::weights::{LayerWeights, WeightSource, WeightSpread, network_weights};
use anyhow::{Result, bail};

/// The seed and spreads of synthetic weights.
type Synthetic = (u64, WeightSpread);

/// A sparse run's rows, its synthetic-weight parameters (if synthetic) and its weights.
type SparseRun = (
    Vec<CompareRow>,
    Option<Synthetic>,
    Vec<Option<LayerWeights>>,
);

/// The pruned and packed network under `choice`, and the seed and spreads of its weights when
/// they are synthetic; an infeasible layer is an error here.
fn run_sparse(
    a: &RunArgs,
    l: &Loaded,
    choice: &LayoutChoice,
    params: &LayoutParams,
) -> Result<SparseRun> {
    let kind = match choice {
        LayoutChoice::Uniform(k) => *k,
        LayoutChoice::LayerwiseNm => LayoutKind::Nm,
    };
    let spec = CompareSpec {
        layouts: vec![kind],
        params: params.clone(),
        size_to_fit: a.size_to_fit,
        checks: a.trust.checks(a.seed),
    };
    spec.check(&l.arch).map_err(anyhow::Error::msg)?;
    let (source, _) = super::weight_args::weight_source(
        a.weights.as_deref(),
        a.seed,
        a.weight_spread.as_deref(),
        l,
        &a.onnx,
    )?;
    let synthetic = match &source {
        WeightSource::Synthetic { seed, spread } => Some((*seed, *spread)),
        WeightSource::Tensors { .. } => None,
    };
    let weights = network_weights(&l.network, &source)?;
    let rows = run_layout(
        &l.arch,
        &l.network,
        &weights,
        choice,
        params,
        a.size_to_fit,
        &spec.checks,
    );
    if let Some(r) = rows.iter().find(|r| r.sparse.status != "ok") {
        bail!(
            "layer `{}`, layout `{}`: {} (give the arch more mux inputs, or use --size-to-fit)",
            r.layer.layer,
            r.sparse.layout,
            r.sparse.status.trim_start_matches("infeasible: ")
        );
    }
    Ok((rows, synthetic, weights))
}

/// Checks `--dram-burst-bytes` against the arch's word sizes.
fn check_burst(bytes: u64, arch: &crate::config::Arch) -> Result<()> {
    let widest = crate::engine::dram_trace::word_bytes(&arch.memory)
        .into_iter()
        .max()
        .unwrap_or(1);
    if !bytes.is_power_of_two() || bytes < widest || bytes > 4096 {
        bail!(
            "--dram-burst-bytes {bytes}: expected a power of two from the largest word size ({widest} B) to 4096"
        );
    }
    Ok(())
}

/// A layer name as a file-name part: letters, digits, `-` and `_` kept, anything else `_`.
fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

/// Writes the `--dram-trace` files: one DRAMsim3 trace per layer on the array and
/// `dram_trace.csv` with each channel's requests and words.
fn write_dram_traces(
    a: &RunArgs,
    l: &Loaded,
    layers: &[LayerStats],
    packed: &dyn Fn(usize) -> Option<crate::engine::sparse::PackedMapping>,
    folder: &mut OutputFolder,
) -> Result<()> {
    use crate::engine::dram_trace::{dramsim3_text, layer_trace};
    let mut rows: Vec<DramTraceRow> = Vec::new();
    for (i, (layer, s)) in l.network.layers.iter().zip(layers).enumerate() {
        let moved =
            s.ifmap_dram_reads + s.filter_dram_reads + s.ofmap_dram_writes + s.ofmap_dram_reads;
        let Some(t) = layer_trace(
            &l.arch,
            layer,
            packed(i).as_ref(),
            moved,
            a.dram_burst_bytes,
        )
        .map_err(anyhow::Error::msg)?
        else {
            continue;
        };
        let file = format!("layer{i:03}_{}.trace", file_part(&layer.name));
        folder.write(&file, dramsim3_text(&t).as_bytes())?;
        rows.extend(trace_rows(i, &layer.name, &file, &t, s));
    }
    folder.write("dram_trace.csv", &dram_trace_csv(&rows))?;
    Ok(())
}

pub(super) fn run_command(a: RunArgs) -> Result<()> {
    let l = load(a.arch.as_deref(), a.workload.as_deref(), a.gemm, &a.onnx)?;
    let l = super::apply_memory_model(l, a.memory_model.as_deref())?;
    super::print_warnings(&l, a.quiet);
    let params = a.params.resolve(&l.arch.layout)?;
    if let Some(s) = &a.weight_spread {
        // Checked even when no weights are needed (a plain dense run ignores it).
        super::weight_args::parse_weight_spread(s, l.network.weight_spread)
            .map_err(|e| anyhow::anyhow!("--weight-spread: {e}"))?;
    }
    let choice = match &a.layout {
        Some(s) => Some(LayoutChoice::Uniform(
            LayoutKind::parse(s).map_err(|e| anyhow::anyhow!("--layout: {e}"))?,
        )),
        None if params.layerwise_nm => Some(LayoutChoice::LayerwiseNm),
        // Checks need weights: the dense layout gives the dense engine's numbers.
        None if a.trust.any() => Some(LayoutChoice::Uniform(LayoutKind::Dense)),
        None => None,
    };
    if let (Some(LayoutChoice::Uniform(LayoutKind::Nm)), Some(_), Some(s)) =
        (&choice, &a.params.nm, a.params.sparsity)
    {
        bail!(
            "--sparsity {s} has no effect on layout nm when --nm is given (N:M fixes the sparsity to 1 − N/M): drop one of them"
        );
    }
    if choice.is_none() {
        // A plain run simulates the dense layers and makes no weights: these would be ignored.
        let mut unused: Vec<&str> = Vec::new();
        if a.weights.is_some() {
            unused.push("--weights");
        }
        if a.weight_spread.is_some() {
            unused.push("--weight-spread");
        }
        if a.size_to_fit {
            unused.push("--size-to-fit");
        }
        unused.extend(a.params.given());
        if !unused.is_empty() {
            bail!(
                "{} {} no effect without --layout (a plain run simulates the dense layers and makes no weights): add --layout L, or drop {}",
                unused.join(", "),
                if unused.len() == 1 { "has" } else { "have" },
                if unused.len() == 1 { "it" } else { "them" }
            );
        }
    }
    if a.dram_trace.is_some() {
        check_burst(a.dram_burst_bytes, &l.arch)?;
    }
    let per_pe =
        a.trust.pe_states || a.trust.cross_check || a.trust.plot || a.trust.trace.is_some();
    a.limits
        .limits()
        .check(
            &l.arch,
            &l.network,
            crate::limits::Demands {
                weights: choice.is_some(),
                layouts: 1,
                per_pe,
            },
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", l.workload_record.path))?;
    // The output folders are checked before anything is computed.
    let mut out = OutputFolder::open(&a.out, "run", a.force)?;
    let trace = super::open_side(a.trust.trace.as_deref(), "run --trace", &out, a.force)?;
    let mut dram_folder =
        super::open_side(a.dram_trace.as_deref(), "run --dram-trace", &out, a.force)?;
    let mut accelergy = super::open_side(a.accelergy.as_deref(), "run --accelergy", &out, a.force)?;
    let (sparse_rows, synthetic, weights) = match &choice {
        Some(choice) => {
            let (rows, synthetic, weights) = run_sparse(&a, &l, choice, &params)?;
            (Some(rows), synthetic, weights)
        }
        None => (None, None, Vec::new()),
    };
    let layers: Vec<LayerStats> = match &sparse_rows {
        Some(rows) => rows.iter().map(|r| r.layer.clone()).collect(),
        None => {
            let bar = progress_bar(l.network.layers.len() as u64);
            let layers =
                engine::simulate_network(&l.arch, &l.network, |done| bar.set_position(done as u64));
            bar.finish_and_clear();
            layers
        }
    };
    // Energy per layer: the compare rows are priced; a dense run on the arch as provisioned.
    let arch_hw = Provision::of_arch(&l.arch);
    let (actions, energies, hw): (Vec<ActionCounts>, Vec<EnergyBreakdown>, Provision) =
        match &sparse_rows {
            Some(rows) => {
                let kind = rows
                    .iter()
                    .find_map(|r| LayoutKind::parse(&r.sparse.layout).ok())
                    .unwrap_or(LayoutKind::Dense);
                let all: Vec<&crate::compare::CompareRow> = rows.iter().collect();
                (
                    rows.iter().map(|r| r.actions).collect(),
                    rows.iter().map(|r| r.energy).collect(),
                    crate::compare::run_provision(
                        &l.arch,
                        kind,
                        choice
                            .as_ref()
                            .is_some_and(|c| c.sized_to_fit(a.size_to_fit)),
                        &all,
                    ),
                )
            }
            None => {
                let actions: Vec<ActionCounts> = layers
                    .iter()
                    .map(|s| layer_actions(&l.arch, s, None, &arch_hw))
                    .collect();
                let energies = actions
                    .iter()
                    .map(|x| price(&l.arch, x, &arch_hw))
                    .collect();
                (actions, energies, arch_hw)
            }
        };
    let mut totals = engine::totals(&l.arch, &layers).with_cost(&l.arch, &energies, &hw);
    if let Some(rows) = &sparse_rows {
        let effectual: u64 = rows.iter().map(|r| r.sparse.effectual_macs).sum();
        totals.pe_utilization = if totals.total_cycles == 0 {
            0.0
        } else {
            effectual as f64 / (l.arch.array.pes() * totals.total_cycles) as f64
        };
    }

    super::report_onnx(&l, &mut out, a.quiet)?;
    let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
        out.write(name, bytes)?;
        Ok(())
    };
    match &sparse_rows {
        Some(rows) if a.layout.is_some() || params.layerwise_nm => {
            write("layers.csv", &compare_csv(rows))?
        }
        _ => write("layers.csv", &layers_csv(&layers, &energies))?,
    }
    let layouts: Vec<&str> = match &sparse_rows {
        Some(rows) => rows.iter().map(|r| r.sparse.layout.as_str()).collect(),
        None => vec!["dense"; layers.len()],
    };
    write(
        "actions.csv",
        &actions_csv_of(
            layers
                .iter()
                .zip(&layouts)
                .zip(&actions)
                .map(|((s, k), x)| (s.layer.as_str(), *k, x)),
        ),
    )?;
    let summary = Summary {
        tool: Tool::default(),
        inputs: Inputs {
            arch: &l.arch_record,
            workload: &l.workload_record,
        },
        arch: &l.arch,
        workload: WorkloadInfo {
            name: &l.network.name,
            layers: l.network.layers.len(),
        },
        totals: &totals,
        seed: synthetic.map(|(seed, _)| seed),
        weight_spread: synthetic.map(|(_, spread)| spread),
    };
    write("summary.json", &summary_json(&summary))?;
    if a.scalesim_reports {
        let rows: Vec<_> = l
            .network
            .layers
            .iter()
            .zip(&layers)
            .filter_map(|(layer, s)| match choice {
                // SCALE-Sim maps layer-wise N:M as dense with K compressed to K'.
                Some(LayoutChoice::LayerwiseNm) => {
                    scalesim_row(&l.arch, &scalesim_nm_layer(layer), s)
                }
                _ => scalesim_row(&l.arch, layer, s),
            })
            .collect();
        let (compute, bandwidth, detailed) = scalesim_reports(&rows);
        write("COMPUTE_REPORT.csv", compute.as_bytes())?;
        write("BANDWIDTH_REPORT.csv", bandwidth.as_bytes())?;
        write("DETAILED_ACCESS_REPORT.csv", detailed.as_bytes())?;
    }
    if let Some(folder) = dram_folder.folder(&mut out) {
        // Packed layouts: map the layer again (deterministic) for its fold demands.
        let packed = |i: usize| -> Option<crate::engine::sparse::PackedMapping> {
            let layer = &l.network.layers[i];
            let (kind, params, fit) = choice.as_ref()?.for_layer(layer, &params, a.size_to_fit);
            if !kind.is_packed() {
                return None;
            }
            weights.get(i)?.as_ref()?;
            let packs = pack_layer(&l.network, &weights, i, kind, &params);
            let limits = layout_limits(&l.arch, kind, fit);
            Some(crate::engine::sparse::map_packed(
                &l.arch, layer, &packs, limits, None,
            ))
        };
        write_dram_traces(&a, &l, &layers, &packed, folder)?;
    }
    if let Some(folder) = accelergy.folder(&mut out) {
        let mut sum = ActionCounts::default();
        for x in &actions {
            sum += *x;
        }
        super::write_accelergy(folder, None, &l.arch, &hw, &sum)?;
    }
    if let Some(dir) = accelergy.commit(&a.out)?
        && !a.quiet
    {
        println!("wrote Accelergy files to {}", dir.display());
    }
    if let Some(dir) = dram_folder.commit(&a.out)?
        && !a.quiet
    {
        println!("wrote DRAM traces to {}", dir.display());
    }
    if !a.quiet {
        print!(
            "{}",
            render_table(&l.arch, &l.network.name, &layers, &energies, &totals)
        );
        println!("wrote {}", a.out.join("layers.csv").display());
    }
    match &sparse_rows {
        Some(rows) => super::finish_checks(out, trace, rows, &a.trust, a.quiet, a.force),
        None => out.commit(),
    }
}
