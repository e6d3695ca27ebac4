//! sparsim's own memory model on every SCALE-Sim v3.0.0 run under `tests/fixtures/scalesim_reference/runs` (SCALE-Sim's
//! own inputs and outputs) and `tests/fixtures/scalesim_extra` reproduced from its own
//! `config.cfg` and `topology.csv`: compute cycles, mapping efficiency, compute util and SRAM
//! counts exactly; SRAM start/stop cycles where nothing stalls; DRAM reads equal to each
//! operand's unique footprint where everything fits.

use crate::common::{col, fixture, read_report};
use sparsim::config::validate::with_memory_model;
use sparsim::config::{Arch, BandwidthMode, Dataflow, MemoryModel};
use sparsim::engine::scalesim_view::scalesim_row;
use sparsim::engine::simulate_layer;
use sparsim::inputs::{load_arch, load_workload};
use sparsim::report::scalesim::py_float;
use sparsim::workload::scalesim_csv::TopologyForm;
use sparsim::workload::{IfmapGeometry, Layer, OutputRule};
use std::collections::HashSet;
use std::path::Path;

/// Distinct ifmap addresses SCALE-Sim's operand matrix holds (its formula, computed naively).
fn oracle_ifmap_footprint(layer: &Layer) -> u64 {
    let w = layer.gemm_work().unwrap();
    match w.ifmap {
        IfmapGeometry::Matrix => w.shape.m * w.shape.k * w.instances,
        IfmapGeometry::Conv(c) => {
            assert_eq!(c.rule, OutputRule::ScaleSim);
            let mut seen = HashSet::new();
            for i in 0..w.shape.m {
                let (orow, ocol) = (i / c.ofmap_w, i % c.ofmap_w);
                let (ir, ic) = (orow * c.stride_h, ocol * c.stride_w);
                for j in 0..w.shape.k {
                    let (c_row, k) = (j / (c.kernel_w * c.channels), j % (c.kernel_w * c.channels));
                    let (c_col, ch) = (k / c.channels, k % c.channels);
                    if c_row + ir < c.ifmap_h && c_col + ic < c.ifmap_w {
                        seen.insert(((c_row + ir) * c.ifmap_w + c_col + ic) * c.channels + ch);
                    }
                }
            }
            seen.len() as u64
        }
    }
}

fn check_run(dir: &Path) -> usize {
    let id = dir.file_name().unwrap().to_string_lossy().into_owned();
    let meta = std::fs::read_to_string(dir.join("meta.txt")).unwrap();
    let form = if meta.trim() == "gemm" {
        TopologyForm::Gemm
    } else {
        TopologyForm::Conv
    };
    // sparsim's own memory model (the `scalesim` model has its own test).
    let (arch, _) = load_arch(&dir.join("config.cfg")).unwrap_or_else(|e| panic!("{id}: {e}"));
    let arch = with_memory_model(arch, MemoryModel::Sparsim).unwrap();
    let (net, _) =
        load_workload(&dir.join("topology.csv"), form).unwrap_or_else(|e| panic!("{id}: {e}"));
    let (ch, compute) = read_report(&dir.join("COMPUTE_REPORT.csv"));
    let (dh, detailed) = read_report(&dir.join("DETAILED_ACCESS_REPORT.csv"));
    assert_eq!(compute.len(), net.layers.len(), "{id}: layer count");
    for (i, layer) in net.layers.iter().enumerate() {
        let (c, d) = (&compute[i], &detailed[i]);
        let at = format!("{id} layer {i} ({})", layer.name);
        let s = simulate_layer(&arch, layer);
        let total: u64 = col(&ch, c, "Total Cycles").parse().unwrap();
        let stall: u64 = col(&ch, c, "Stall Cycles").parse().unwrap();
        assert_eq!(s.compute_cycles, total - stall + 1, "{at}: compute cycles");
        let eff: f64 = col(&ch, c, "Mapping Efficiency %").parse().unwrap();
        assert!(
            (s.mapping_efficiency * 100.0 - eff).abs() < 1e-9,
            "{at}: mapping efficiency {} vs {eff}",
            s.mapping_efficiency
        );
        let view = scalesim_row(&arch, layer, &s).unwrap();
        assert_eq!(
            py_float(view.mapping_eff_pct),
            col(&ch, c, "Mapping Efficiency %"),
            "{at}: mapping eff text"
        );
        assert_eq!(
            py_float(view.compute_util_pct),
            col(&ch, c, "Compute Util %"),
            "{at}: compute util text"
        );
        let n = |name: &str| -> u64 {
            col(&dh, d, name)
                .parse()
                .unwrap_or_else(|_| panic!("{at}: {name}"))
        };
        assert_eq!(
            s.ifmap_sram_reads,
            n("SRAM IFMAP Reads"),
            "{at}: ifmap SRAM reads"
        );
        assert_eq!(
            s.filter_sram_reads,
            n("SRAM Filter Reads"),
            "{at}: filter SRAM reads"
        );
        let (r, cols) = (u64::from(arch.array.rows), u64::from(arch.array.cols));
        let os_extra = if arch.dataflow == Dataflow::Os {
            (r + cols) * s.folds
        } else {
            0
        };
        assert_eq!(
            s.ofmap_sram_writes + os_extra,
            n("SRAM OFMAP Writes"),
            "{at}: ofmap SRAM writes"
        );
        assert_eq!(
            view.sram_counts[2],
            n("SRAM OFMAP Writes"),
            "{at}: ofmap writes in the SCALE-Sim view"
        );
        if arch.memory.bandwidth_mode == BandwidthMode::Calc {
            assert_eq!(s.stall_cycles, 0, "{at}: calc mode never stalls");
            assert_eq!(view.total_cycles, total, "{at}: Total Cycles");
            assert_eq!(
                py_float(view.overall_util_pct),
                col(&ch, c, "Overall Util %"),
                "{at}: overall util"
            );
            // SCALE-Sim stamps windows that run past the input edge as "no request"; when the
            // last window row or column does so its stop cycle moves. sparsim stamps the
            // scheduled access, so compare only where every window lies inside the input.
            let edge_exact = match layer.gemm_work().unwrap().ifmap {
                IfmapGeometry::Conv(c) => {
                    (c.ifmap_h - c.kernel_h) % c.stride_h == 0
                        && (c.ifmap_w - c.kernel_w) % c.stride_w == 0
                }
                IfmapGeometry::Matrix => true,
            };
            for (k, op) in ["IFMAP", "Filter", "OFMAP"]
                .iter()
                .enumerate()
                .filter(|_| edge_exact)
            {
                let start = col(&dh, d, &format!("SRAM {op} Start Cycle"));
                let stop = col(&dh, d, &format!("SRAM {op} Stop Cycle"));
                assert_eq!(
                    py_float(view.sram_windows[k].0),
                    start,
                    "{at}: SRAM {op} start"
                );
                assert_eq!(
                    py_float(view.sram_windows[k].1),
                    stop,
                    "{at}: SRAM {op} stop"
                );
            }
        }
        // DRAM: each operand's unique footprint when the whole layer fits in SRAM.
        let ifmap_fp = oracle_ifmap_footprint(layer);
        let w = layer.gemm_work().unwrap();
        let filter_fp = w.shape.n * w.shape.k * if w.weights_shared { 1 } else { w.instances };
        if ifmap_fp <= arch.memory.ifmap.sram_words() {
            assert_eq!(
                s.ifmap_dram_reads, ifmap_fp,
                "{at}: ifmap DRAM reads = footprint"
            );
        }
        if filter_fp <= arch.memory.filter.sram_words() {
            assert_eq!(
                s.filter_dram_reads, filter_fp,
                "{at}: filter DRAM reads = footprint"
            );
        }
        assert!(
            s.ifmap_dram_reads >= ifmap_fp,
            "{at}: ifmap DRAM reads below the footprint"
        );
        assert!(
            s.filter_dram_reads >= filter_fp,
            "{at}: filter DRAM reads below the footprint"
        );
    }
    net.layers.len()
}

fn run_dirs(rel: &str) -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(fixture(rel))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("config.cfg").exists())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn shipped_reference_runs_match() {
    let dirs = run_dirs("scalesim_reference/runs");
    assert_eq!(dirs.len(), 18);
    for d in dirs {
        check_run(&d);
    }
}

#[test]
fn extra_reference_runs_match() {
    let dirs = run_dirs("scalesim_extra");
    for d in &dirs {
        check_run(d);
    }
}

/// The unique footprint oracle agrees with the engine's bitmap footprint on a whole layer.
#[test]
fn footprint_oracle_agrees_on_the_reference_layers() {
    let arch: Arch = load_arch(&fixture(
        "scalesim_reference/runs/a_google_user_ws_test/config.cfg",
    ))
    .unwrap()
    .0;
    let arch = with_memory_model(arch, MemoryModel::Sparsim).unwrap();
    let (net, _) = load_workload(
        &fixture("scalesim_reference/runs/a_scale_calc_ws_alexnet_part/topology.csv"),
        TopologyForm::Conv,
    )
    .unwrap();
    let s = simulate_layer(&arch, &net.layers[0]);
    assert_eq!(s.ifmap_dram_reads, oracle_ifmap_footprint(&net.layers[0]));
}
