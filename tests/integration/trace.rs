//! `--trace DIR`: the stepped engine's run-length-encoded cycle trace agrees with the cycle
//! counts of the same run.

use crate::common::root;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("trace", name)
}

fn sparsim(args: &[&str], cwd: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_sparsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Rows of a CSV as maps from column name to value.
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Checks every traced (layer, layout) against its row in `results`: spans tile the cycles
/// from 0 to total_cycles, array-busy spans add up to compute_cycles, folds run in order.
fn check_trace(trace: &Path, results: &Path, busy: &[&str]) -> usize {
    let spans = table(trace);
    let rows = table(results);
    let mut checked = 0;
    for row in rows.iter().filter(|r| r["folds"] != "0") {
        let layout = row.get("layout").cloned().unwrap_or_else(|| "dense".into());
        let mine: Vec<&BTreeMap<String, String>> = spans
            .iter()
            .filter(|s| s["layer"] == row["layer"] && s["layout"] == layout)
            .collect();
        assert!(!mine.is_empty(), "no trace for {} {layout}", row["layer"]);
        assert_eq!(mine[0]["scope"], "whole layer");
        let num = |s: &BTreeMap<String, String>, k: &str| s[k].parse::<u64>().unwrap();
        let mut t = 0;
        let mut compute = 0;
        let mut folds_seen: Vec<u64> = Vec::new();
        for s in &mine {
            assert_eq!(num(s, "start_cycle"), t, "gap in {} {layout}", row["layer"]);
            assert!(num(s, "cycles") > 0);
            t += num(s, "cycles");
            if busy.contains(&s["array"].as_str()) {
                compute += num(s, "cycles");
                assert!(!s["fold"].is_empty());
            }
            if s["array"] == "idle" {
                assert!(s["fold"].is_empty());
            }
            if !s["fold"].is_empty() {
                let f = num(s, "fold");
                if folds_seen.last() != Some(&f) {
                    assert!(!folds_seen.contains(&f), "fold {f} comes back");
                    folds_seen.push(f);
                }
            }
        }
        assert_eq!(t, num(row, "total_cycles"), "{} {layout}", row["layer"]);
        assert_eq!(
            compute,
            num(row, "compute_cycles"),
            "{} {layout}",
            row["layer"]
        );
        assert_eq!(folds_seen.len() as u64, num(row, "folds"));
        assert!(folds_seen.windows(2).all(|w| w[0] < w[1]));
        checked += 1;
    }
    checked
}

#[test]
fn the_trace_of_a_comparison_tiles_every_layers_cycles() {
    let dir = temp_dir("compare");
    let lenet = root().join("workloads/lenet5.toml");
    sparsim(
        &[
            "compare",
            "-q",
            "--workload",
            lenet.to_str().unwrap(),
            "--layouts",
            "dense,nm,colcomb",
            "--out",
            "c",
            "--trace",
            "t",
        ],
        &dir,
    );
    let n = check_trace(
        &dir.join("t/trace.csv"),
        &dir.join("c/compare.csv"),
        &["load", "decode_wait", "stream"],
    );
    assert_eq!(n, 15, "5 MAC layers x 3 layouts");
    let text = std::fs::read_to_string(dir.join("t/trace.csv")).unwrap();
    assert!(text.starts_with(
        "layer,layout,scope,start_cycle,cycles,fold,array,ifmap_dram,filter_dram,ofmap_dram\n"
    ));
    // Column combining decodes metadata; somewhere a DRAM channel overlaps the array.
    assert!(
        text.lines()
            .any(|l| l.contains(",stream,1,") || l.contains(",load,1,"))
    );
}

#[test]
fn the_trace_of_an_output_stationary_run_tiles_every_layers_cycles() {
    let dir = temp_dir("os");
    let r = root();
    sparsim(
        &[
            "run",
            "-q",
            "--arch",
            r.join("arch/eyeriss-12x14-os.toml").to_str().unwrap(),
            "--workload",
            r.join("workloads/lenet5.toml").to_str().unwrap(),
            "--out",
            "o",
            "--trace",
            "t",
        ],
        &dir,
    );
    let n = check_trace(
        &dir.join("t/trace.csv"),
        &dir.join("o/layers.csv"),
        &["compute"],
    );
    assert_eq!(n, 5);
}
