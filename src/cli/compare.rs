//! `sparsim compare`: every layout on the same weights and array.

use super::OutputFolder;
use super::{CompareArgs, load_with_defaults, progress_bar};
use crate::compare::{CompareSpec, compare, layout_totals};
use crate::inputs;
use crate::layout::LayoutKind;
use crate::report::compare::{actions_csv, compare_csv, render_compare_table, totals_csv};
use crate::weights::{WeightSource, network_weights};
use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct CompareSummary<'a> {
    tool: crate::report::summary::Tool,
    inputs: Vec<&'a inputs::InputRecord>,
    arch: &'a crate::config::Arch,
    workload: &'a str,
    layouts: Vec<&'static str>,
    params: &'a crate::layout::LayoutParams,
    seed: Option<u64>,
    weight_spread: Option<crate::weights::WeightSpread>,
    size_to_fit: bool,
    totals: Vec<crate::report::compare::TotalsJson<'a>>,
}

pub(super) fn compare_command(a: CompareArgs) -> Result<()> {
    let l = load_with_defaults(
        a.arch.as_deref(),
        a.workload.as_deref(),
        a.gemm,
        &a.onnx,
        inputs::builtin_sparse_arch,
        inputs::builtin_compare_workload,
    )?;
    let l = super::apply_memory_model(l, a.memory_model.as_deref())?;
    super::print_warnings(&l, a.quiet);
    let layouts = a
        .layouts
        .iter()
        .map(|s| LayoutKind::parse(s).map_err(|e| anyhow::anyhow!("--layouts: {e}")))
        .collect::<Result<Vec<_>>>()?;
    crate::compare::distinct_layouts(&layouts).map_err(|e| anyhow::anyhow!("--layouts: {e}"))?;
    let params = a.layout.resolve(&l.arch.layout)?;
    if let (Some((n, m)), Some(sparsity)) = (params.nm, a.layout.sparsity)
        && layouts.contains(&LayoutKind::Nm)
        && !a.quiet
    {
        eprintln!(
            "warning: --nm {n}:{m} prunes the nm layout to sparsity {:.3}, not the --sparsity {sparsity} the other layouts use",
            1.0 - f64::from(n) / f64::from(m)
        );
    }
    let spec = CompareSpec {
        layouts,
        params,
        size_to_fit: a.size_to_fit,
        checks: a.trust.checks(a.seed),
    };
    spec.check(&l.arch).map_err(anyhow::Error::msg)?;
    a.limits
        .limits()
        .check(
            &l.arch,
            &l.network,
            crate::limits::Demands {
                weights: true,
                layouts: spec.layouts.len() as u64,
                per_pe: spec.checks.pe_states || spec.checks.trace,
            },
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", l.workload_record.path))?;
    // The output folders are checked before anything is computed.
    let mut out = OutputFolder::open(&a.out, "compare", a.force)?;
    let trace = super::open_side(a.trust.trace.as_deref(), "compare --trace", &out, a.force)?;
    let mut accelergy =
        super::open_side(a.accelergy.as_deref(), "compare --accelergy", &out, a.force)?;
    let mut records = vec![&l.arch_record, &l.workload_record];
    let (source, weights_record) = super::weight_args::weight_source(
        a.weights.as_deref(),
        a.seed,
        a.weight_spread.as_deref(),
        &l,
        &a.onnx,
    )?;
    let spread = match &source {
        WeightSource::Synthetic { spread, .. } => Some(*spread),
        WeightSource::Tensors { .. } => None,
    };
    if let Some(r) = &weights_record {
        records.push(r);
    }
    let weights = network_weights(&l.network, &source)?;
    let bar = progress_bar(l.network.layers.len() as u64);
    let rows = compare(&l.arch, &l.network, &weights, &spec, |done| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();
    let totals = layout_totals(&l.arch, &rows, spec.size_to_fit);

    super::report_onnx(&l, &mut out, a.quiet)?;
    out.write("compare.csv", &compare_csv(&rows))?;
    out.write("compare_totals.csv", &totals_csv(&totals))?;
    out.write("actions.csv", &actions_csv(&rows))?;
    let summary = CompareSummary {
        tool: crate::report::summary::Tool::default(),
        inputs: records,
        arch: &l.arch,
        workload: &l.network.name,
        layouts: spec.layouts.iter().map(|k| k.as_str()).collect(),
        params: &spec.params,
        seed: a.weights.is_none().then_some(a.seed),
        weight_spread: spread,
        size_to_fit: spec.size_to_fit,
        totals: crate::report::compare::totals_json(&totals),
    };
    out.write(
        "summary.json",
        &crate::report::summary::json_file("summary.json", &summary),
    )?;
    if let Some(folder) = accelergy.folder(&mut out) {
        for t in &totals {
            let rows_of: Vec<&crate::compare::CompareRow> = rows
                .iter()
                .filter(|r| r.sparse.layout == t.layout)
                .collect();
            let kind = LayoutKind::parse(&t.layout).map_err(anyhow::Error::msg)?;
            let hw = crate::compare::run_provision(&l.arch, kind, spec.size_to_fit, &rows_of);
            let mut actions = crate::energy::ActionCounts::default();
            for r in &rows_of {
                actions += r.actions;
            }
            super::write_accelergy(folder, Some(&t.layout), &l.arch, &hw, &actions)?;
        }
    }
    if let Some(dir) = accelergy.commit(&a.out)?
        && !a.quiet
    {
        println!("wrote Accelergy files to {}", dir.display());
    }
    if !a.quiet {
        print!(
            "{}",
            render_compare_table(&l.arch, &l.network.name, &spec, &totals)
        );
        println!("wrote {}", a.out.join("compare.csv").display());
    }
    super::finish_checks(out, trace, &rows, &a.trust, a.quiet, a.force)
}
