//! SCALE-Sim v3.0.0's layer-wise N:M sparsity (`SparsitySupport = true`, a topology `N:M`
//! column) reproduced by sparsim's `nm` layout: compute cycles, mapping efficiency, compute
//! util, filter SRAM reads (K'·N) and ofmap SRAM writes, on every run of
//! `tests/fixtures/scalesim_nm`.

use crate::common::{col, fixture, read_report};
use sparsim::compare::{Checks, LayoutChoice, run_layout, scalesim_nm_layer};
use sparsim::config::BandwidthMode;
use sparsim::engine::scalesim_view::scalesim_row;
use sparsim::inputs::{load_arch, load_workload};
use sparsim::report::scalesim::py_float;
use sparsim::weights::{WeightSource, network_weights};
use sparsim::workload::scalesim_csv::TopologyForm;

#[test]
fn layerwise_nm_matches_scalesim() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixture("scalesim_nm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("config.cfg").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10);
    let mut layers = 0;
    for d in dirs {
        let id = d.file_name().unwrap().to_string_lossy().into_owned();
        let (arch, _) = load_arch(&d.join("config.cfg")).unwrap();
        assert!(arch.layout.layerwise_nm, "{id}: SparsitySupport = true");
        let gemm = std::fs::read_to_string(d.join("meta.txt")).unwrap().trim() == "gemm";
        let form = if gemm {
            TopologyForm::Gemm
        } else {
            TopologyForm::Conv
        };
        let (net, _) = load_workload(&d.join("topology.csv"), form).unwrap();
        let weights = network_weights(&net, &WeightSource::synthetic(5)).unwrap();
        // Also cross-check every layer against the stepped engine (bounded stepping).
        let checks = Checks {
            pe_states: true,
            cross_check: true,
            verify: true,
            seed: 1,
            budget: 50_000_000,
            trace: false,
        };
        let rows = run_layout(
            &arch,
            &net,
            &weights,
            &LayoutChoice::LayerwiseNm,
            &arch.layout,
            false,
            &checks,
        );
        let (ch, compute) = read_report(&d.join("COMPUTE_REPORT.csv"));
        let (dh, detailed) = read_report(&d.join("DETAILED_ACCESS_REPORT.csv"));
        assert_eq!(rows.len(), compute.len(), "{id}: layers");
        for (i, row) in rows.iter().enumerate() {
            let at = format!("{id} layer {i} ({})", row.layer.layer);
            let (c, dr) = (&compute[i], &detailed[i]);
            let total: u64 = col(&ch, c, "Total Cycles").parse().unwrap();
            let stall: u64 = col(&ch, c, "Stall Cycles").parse().unwrap();
            assert_eq!(
                row.layer.compute_cycles,
                total - stall + 1,
                "{at}: compute cycles"
            );
            let s = &row.layer;
            assert_eq!(
                s.filter_sram_reads,
                col(&dh, dr, "SRAM Filter Reads").parse::<u64>().unwrap(),
                "{at}: filter SRAM reads"
            );
            assert_eq!(
                s.ofmap_sram_writes,
                col(&dh, dr, "SRAM OFMAP Writes").parse::<u64>().unwrap(),
                "{at}: ofmap SRAM writes"
            );
            let view = scalesim_row(&arch, &scalesim_nm_layer(&net.layers[i]), s).unwrap();
            assert_eq!(
                py_float(view.mapping_eff_pct),
                col(&ch, c, "Mapping Efficiency %"),
                "{at}: mapping efficiency"
            );
            assert_eq!(
                py_float(view.compute_util_pct),
                col(&ch, c, "Compute Util %"),
                "{at}: compute util"
            );
            if arch.memory.bandwidth_mode == BandwidthMode::Calc {
                assert_eq!(
                    py_float(view.overall_util_pct),
                    col(&ch, c, "Overall Util %"),
                    "{at}: overall util"
                );
            }
            let c = row.check.as_ref().unwrap();
            assert!(
                c.differences.is_empty(),
                "{at}: fast and stepped engines differ: {:?}",
                c.differences
            );
            assert_eq!(c.verified, Some(Ok(())), "{at}");
            layers += 1;
        }
    }
    assert!(layers > 100, "{layers} layers");
}
