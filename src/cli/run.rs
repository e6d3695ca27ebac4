//! `sparsim run`.

use super::{RunArgs, load, progress_bar};
use crate::engine;
use crate::engine::scalesim_view::scalesim_row;
use crate::report::atomic::write_atomic;
use crate::report::layers_csv::layers_csv;
use crate::report::scalesim::scalesim_reports;
use crate::report::summary::{Inputs, Summary, Tool, WorkloadInfo, summary_json};
use crate::report::table::render_table;
use anyhow::{Context, Result};

pub(super) fn run_command(a: RunArgs) -> Result<()> {
    let l = load(a.arch.as_deref(), a.workload.as_deref(), a.gemm)?;
    let bar = progress_bar(l.network.layers.len() as u64);
    let layers =
        engine::simulate_network(&l.arch, &l.network, |done| bar.set_position(done as u64));
    bar.finish_and_clear();
    let totals = engine::totals(&l.arch, &layers);

    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create the output folder {}", a.out.display()))?;
    let write = |name: &str, bytes: &[u8]| -> Result<()> {
        let p = a.out.join(name);
        write_atomic(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
    };
    write("layers.csv", &layers_csv(&layers))?;
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
    };
    write("summary.json", &summary_json(&summary))?;
    if a.scalesim_reports {
        let rows: Vec<_> = l
            .network
            .layers
            .iter()
            .zip(&layers)
            .filter_map(|(layer, s)| scalesim_row(&l.arch, layer, s))
            .collect();
        let (compute, bandwidth, detailed) = scalesim_reports(&rows);
        write("COMPUTE_REPORT.csv", compute.as_bytes())?;
        write("BANDWIDTH_REPORT.csv", bandwidth.as_bytes())?;
        write("DETAILED_ACCESS_REPORT.csv", detailed.as_bytes())?;
    }
    if !a.quiet {
        print!(
            "{}",
            render_table(&l.arch, &l.network.name, &layers, &totals)
        );
        println!("wrote {}", a.out.join("layers.csv").display());
    }
    Ok(())
}
