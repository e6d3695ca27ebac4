//! The `scalesim` memory model against SCALE-Sim v3.0.0's own USER- and CALC-mode runs: every
//! run under `tests/fixtures/scalesim_reference/runs`, `tests/fixtures/scalesim_extra` and
//! `tests/fixtures/scalesim_user_extra` (other arrays, small SRAMs, unequal bandwidths),
//! reproduced from its `config.cfg` and `topology.csv` (a `.cfg` selects the model), must give
//! SCALE-Sim's Total Cycles, Stall Cycles, Total Cycles (incl. prefetch), DRAM reads and
//! writes and DRAM start/stop cycles per layer, and its SRAM start/stop cycles.

use crate::common::{col, fixture, read_report};
use sparsim::config::{BandwidthMode, MemoryModel};
use sparsim::engine::scalesim_view::scalesim_row;
use sparsim::engine::simulate_layer;
use sparsim::inputs::{load_arch, load_workload};
use sparsim::report::scalesim::py_float;
use sparsim::workload::scalesim_csv::TopologyForm;
use std::path::Path;

const COMPUTE: [&str; 4] = [
    "Total Cycles (incl. prefetch)",
    "Total Cycles",
    "Stall Cycles",
    "Overall Util %",
];

const DETAILED: [&str; 18] = [
    "SRAM IFMAP Start Cycle",
    "SRAM IFMAP Stop Cycle",
    "SRAM IFMAP Reads",
    "SRAM Filter Start Cycle",
    "SRAM Filter Stop Cycle",
    "SRAM Filter Reads",
    "SRAM OFMAP Start Cycle",
    "SRAM OFMAP Stop Cycle",
    "SRAM OFMAP Writes",
    "DRAM IFMAP Start Cycle",
    "DRAM IFMAP Stop Cycle",
    "DRAM IFMAP Reads",
    "DRAM Filter Start Cycle",
    "DRAM Filter Stop Cycle",
    "DRAM Filter Reads",
    "DRAM OFMAP Start Cycle",
    "DRAM OFMAP Stop Cycle",
    "DRAM OFMAP Writes",
];

/// Mismatches of one run, as `layer column: ours vs SCALE-Sim` lines.
fn mismatches(dir: &Path, mode: BandwidthMode) -> Option<Vec<String>> {
    let id = dir.file_name().unwrap().to_string_lossy().into_owned();
    let form = match std::fs::read_to_string(dir.join("meta.txt"))
        .unwrap()
        .trim()
    {
        "gemm" => TopologyForm::Gemm,
        _ => TopologyForm::Conv,
    };
    let (arch, _) = load_arch(&dir.join("config.cfg")).unwrap();
    if arch.memory.bandwidth_mode != mode {
        return None;
    }
    assert_eq!(arch.memory.policy.model, MemoryModel::Scalesim, "{id}");
    let (net, _) = load_workload(&dir.join("topology.csv"), form).unwrap();
    let (ch, compute) = read_report(&dir.join("COMPUTE_REPORT.csv"));
    let (dh, detailed) = read_report(&dir.join("DETAILED_ACCESS_REPORT.csv"));
    let mut bad = Vec::new();
    for (i, layer) in net.layers.iter().enumerate() {
        let s = simulate_layer(&arch, layer);
        let v = scalesim_row(&arch, layer, &s).unwrap();
        let ours_c = [
            v.total_cycles_incl_prefetch.to_string(),
            v.total_cycles.to_string(),
            v.stall_cycles.to_string(),
            py_float(v.overall_util_pct),
        ];
        let mut ours_d = Vec::new();
        for o in 0..3 {
            ours_d.push(py_float(v.sram_windows[o].0));
            ours_d.push(py_float(v.sram_windows[o].1));
            ours_d.push(v.sram_counts[o].to_string());
        }
        for o in 0..3 {
            let (a, b) = v.dram_windows[o].unwrap();
            ours_d.push(py_float(a));
            ours_d.push(py_float(b));
            ours_d.push(v.dram_counts[o].to_string());
        }
        for (name, ours) in COMPUTE.iter().zip(&ours_c) {
            let want = col(&ch, &compute[i], name);
            if want != ours {
                bad.push(format!("{id} layer {i} {name}: {ours} vs {want}"));
            }
        }
        for (name, ours) in DETAILED.iter().zip(&ours_d) {
            // SCALE-Sim prints a float with or without `.0` depending on its numpy path.
            let want = col(&dh, &detailed[i], name);
            let same = want == ours || want.parse::<f64>().ok() == ours.parse::<f64>().ok();
            if !same {
                bad.push(format!("{id} layer {i} {name}: {ours} vs {want}"));
            }
        }
    }
    Some(bad)
}

fn run_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs = Vec::new();
    for base in [
        "scalesim_reference/runs",
        "scalesim_extra",
        "scalesim_user_extra",
    ] {
        for e in std::fs::read_dir(fixture(base)).unwrap() {
            let p = e.unwrap().path();
            if p.join("config.cfg").exists() {
                dirs.push(p);
            }
        }
    }
    dirs.sort();
    dirs
}

fn check(mode: BandwidthMode) {
    let mut bad = Vec::new();
    let mut runs = 0;
    for d in run_dirs() {
        if let Some(b) = mismatches(&d, mode) {
            runs += 1;
            bad.extend(b);
        }
    }
    assert!(runs >= 5, "{runs} runs");
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn user_mode_runs_match_scalesim() {
    check(BandwidthMode::User);
}

#[test]
fn calc_mode_runs_match_scalesim() {
    check(BandwidthMode::Calc);
}
