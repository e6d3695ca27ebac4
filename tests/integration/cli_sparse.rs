//! `compare`, `pack` and `run --layout` end to end.

use crate::common::{csv_maps, fixture, root, sparse_arch_with, sparsim, stderr, stdout};
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("sparse", name)
}

fn path(rel: &str) -> String {
    root().join(rel).display().to_string()
}

/// Rows of compare_totals.csv as (layout, column → value).
fn totals(dir: &Path) -> Vec<std::collections::HashMap<String, String>> {
    csv_maps(&dir.join("compare_totals.csv"))
}

#[test]
fn compare_on_lenet_writes_every_layout_and_is_deterministic() {
    let dir = temp_dir("lenet");
    for out in ["a", "b"] {
        let o = sparsim(
            &[
                "compare",
                "--workload",
                &path("workloads/lenet5.toml"),
                "--layouts",
                "dense,masked,irregular,nm,bwhm,darb,pconv,colcomb",
                "--out",
                out,
                "--seed",
                "7",
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        if out == "a" {
            let s = stdout(&o);
            assert!(
                s.starts_with(
                    "lenet5 on sparse-32x32-ws (32x32 ws, mux 16 / bus 16 / ifmap port 512), target sparsity 0.75\n"
                ),
                "{s}"
            );
        }
    }
    let a = std::fs::read(dir.join("a/compare.csv")).unwrap();
    assert_eq!(
        a,
        std::fs::read(dir.join("b/compare.csv")).unwrap(),
        "same seed, same bytes"
    );
    let csv = String::from_utf8(a).unwrap();
    let header = csv.lines().next().unwrap();
    for col in [
        "layout",
        "sparsity",
        "kept_weight_energy",
        "metadata_bits",
        "max_fan_in",
        "max_bus_demand",
        "effectual_macs",
        "speedup_vs_dense",
        "status",
    ] {
        assert!(
            header.split(',').any(|h| h == col),
            "compare.csv lacks {col}"
        );
    }
    assert_eq!(csv.lines().count(), 1 + 12 * 8);
    let t = totals(&dir.join("a"));
    let get = |layout: &str, col: &str| -> String {
        t.iter().find(|r| r["layout"] == layout).unwrap()[col].clone()
    };
    assert_eq!(get("dense", "speedup_vs_dense"), "1.0");
    // A PE selects among the lanes of its row's 16-lane bus: fan-in = min(bus demand, 16).
    // Irregular rows on LeNet's FC layers need more than 16 activations per vector; they
    // take two beats on the bus, and their PEs still need only 16-input muxes.
    let f = |layout: &str, col: &str| -> u64 { get(layout, col).parse().unwrap() };
    for layout in sparsim::layout::LayoutKind::ALL.map(|k| k.as_str()) {
        assert_eq!(
            f(layout, "max_fan_in"),
            f(layout, "max_bus_demand").min(16),
            "{layout}"
        );
        assert_eq!(get(layout, "status"), "ok", "{layout}");
    }
    assert!(f("irregular", "max_bus_demand") > 16);
    // Another seed gives other weights.
    let o = sparsim(
        &[
            "compare",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--out",
            "c",
            "--seed",
            "8",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success());
    assert_ne!(
        std::fs::read(dir.join("a/compare_totals.csv")).unwrap(),
        std::fs::read(dir.join("c/compare_totals.csv")).unwrap()
    );
}

#[test]
fn size_to_fit_makes_every_layout_feasible() {
    let dir = temp_dir("fit");
    // A 16-lane bus but no muxes (1-input): a PE cannot choose among lanes, so every
    // layout whose rows need more than one activation per vector is infeasible.
    sparse_arch_with(&dir, "nomux.toml", "mux_inputs = 16", "mux_inputs = 1");
    let o = sparsim(
        &[
            "compare",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--arch",
            "nomux.toml",
            "--out",
            "nomux",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for r in &totals(&dir.join("nomux")) {
        // LeNet has no 3x3 convolution, so pconv leaves it dense and plain PEs suffice.
        let needs_mux = r["max_fan_in"] != "1";
        assert_eq!(
            r["status"].starts_with("infeasible"),
            needs_mux,
            "{r:?}: these PEs have a 1-input mux"
        );
        assert_eq!(
            needs_mux,
            !matches!(r["layout"].as_str(), "dense" | "masked" | "pconv")
        );
    }
    // Plain PEs on a 1-lane bus need no mux at all: every row's activations arrive one per
    // beat and each PE latches its own, so every layout maps (at one beat per activation).
    let o = sparsim(
        &[
            "compare",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--arch",
            &path("arch/tpu-32x32-ws.toml"),
            "--out",
            "plain",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for r in &totals(&dir.join("plain")) {
        assert_eq!(
            (r["status"].as_str(), r["max_fan_in"].as_str()),
            ("ok", "1")
        );
    }
    let o = sparsim(
        &[
            "compare",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--arch",
            "nomux.toml",
            "--out",
            "fit",
            "-q",
            "--size-to-fit",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(totals(&dir.join("fit")).iter().all(|r| r["status"] == "ok"));
}

#[test]
fn compare_errors_are_clear() {
    let dir = temp_dir("errors");
    let o = sparsim(
        &[
            "compare",
            "--arch",
            &path("arch/eyeriss-12x14-os.toml"),
            "--workload",
            &path("workloads/lenet5.toml"),
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: layout `irregular` needs a weight-stationary array (its weights sit in the PEs with static selects); architecture `eyeriss-12x14-os` is os: use dense or masked, or an arch with dataflow = \"ws\"\n"
    );
    let o = sparsim(
        &[
            "compare",
            "--arch",
            &path("arch/eyeriss-12x14-os.toml"),
            "--workload",
            &path("workloads/lenet5.toml"),
            "--layouts",
            "dense,masked",
            "-q",
        ],
        &dir,
    );
    assert!(
        o.status.success(),
        "dense and masked run on any dataflow: {}",
        stderr(&o)
    );
    for (args, msg) in [
        (
            vec!["--layouts", "dense,sparse"],
            "error: --layouts: unknown layout `sparse`: expected one of dense, masked, irregular, nm, bwhm, darb, pconv, colcomb\n",
        ),
        (
            vec!["--sparsity", "1.2"],
            "error: layout parameters: sparsity = 1.2 is outside [0, 1)\n",
        ),
        (
            vec!["--nm", "5:4"],
            "error: layout parameters: N:M = 5:4: need 1 ≤ N ≤ M ≤ 1024\n",
        ),
        (
            vec!["--nm", "0:4"],
            "error: layout parameters: N:M = 0:4: need 1 ≤ N ≤ M ≤ 1024\n",
        ),
        (
            vec!["--nm", "two:four"],
            "error: layout parameters: N:M = \"two:four\": expected two integers as \"N:M\", e.g. \"2:4\"\n",
        ),
        (
            vec!["--alpha", "0"],
            "error: layout parameters: colcomb alpha = 0: need 1 to 256\n",
        ),
        (
            vec!["--gamma=-1"],
            "error: layout parameters: colcomb gamma = -1: need a number ≥ 0\n",
        ),
        (
            vec!["--darb-blocks", "4,2"],
            "error: layout parameters: darb blocks = [4, 2]: need ascending distinct sizes from 1 to 4096, e.g. [1, 2, 4, 8, 16]\n",
        ),
        (
            vec!["--pconv-patterns", "60"],
            "error: layout parameters: pconv patterns = 60: need 1 to 56 (the 4-tap patterns that keep the centre)\n",
        ),
    ] {
        let mut full = vec!["compare", "--workload", "x.toml"];
        full.extend(args.iter());
        std::fs::write(
            dir.join("x.toml"),
            "[[layer]]\nname = \"f\"\ntype = \"fc\"\nin_features = 8\nout_features = 4\n",
        )
        .unwrap();
        let o = sparsim(&full, &dir);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&o), msg, "{args:?}");
    }
}

#[test]
fn pack_prints_the_packing_as_json() {
    let dir = temp_dir("pack");
    let w = fixture("weights/linear_f64.npy");
    let o = sparsim(
        &[
            "pack",
            "--layout",
            "colcomb",
            "--weights",
            w.to_str().unwrap(),
            "--json",
            "--alpha",
            "4",
            "--gamma",
            "0.5",
            "--sparsity",
            "0.6",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (rows, cols) = (
        v["packed_rows"].as_u64().unwrap(),
        v["packed_cols"].as_u64().unwrap(),
    );
    let nnz = v["nnz_after"].as_u64().unwrap();
    assert_eq!(v["nnz_before"], 200);
    assert!((v["utilization"].as_f64().unwrap() - nnz as f64 / (rows * cols) as f64).abs() < 1e-12);
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len() as u64, cols);
    let mut all: Vec<u64> = groups
        .iter()
        .flat_map(|g| g.as_array().unwrap().iter().map(|c| c.as_u64().unwrap()))
        .collect();
    assert!(groups.iter().all(|g| g.as_array().unwrap().len() <= 4));
    all.sort_unstable();
    all.dedup();
    assert!(all.iter().all(|&c| c < 20));
    // A conv tensor from a multi-tensor file needs --tensor.
    let st = fixture("weights/model.safetensors");
    let o = sparsim(
        &["pack", "--layout", "nm", "--weights", st.to_str().unwrap()],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("choose one with --tensor"),
        "{}",
        stderr(&o)
    );
    let conv = fixture("weights/conv_f32.npy");
    let o = sparsim(
        &[
            "pack",
            "--layout",
            "pconv",
            "--weights",
            conv.to_str().unwrap(),
            "--json",
            "--sparsity",
            "0.8",
        ],
        &dir,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["n"].as_u64(), v["k"].as_u64()), (Some(8), Some(36)));
    assert!(v["max_column_demand"].as_u64().unwrap() <= 9);
}

#[test]
fn run_with_a_layout_reports_the_layout_columns() {
    let dir = temp_dir("run-layout");
    let o = sparsim(
        &[
            "run",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--arch",
            &path("arch/sparse-32x32-ws.toml"),
            "--layout",
            "colcomb",
            "--out",
            "o",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.join("o/layers.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(",layout,"));
    assert!(csv.lines().nth(1).unwrap().contains(",colcomb,"));
    sparse_arch_with(&dir, "mux4.toml", "mux_inputs = 16", "mux_inputs = 4");
    let o = sparsim(
        &[
            "run",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--arch",
            "mux4.toml",
            "--layout",
            "irregular",
            "-q",
        ],
        &dir,
    );
    assert_eq!(
        stderr(&o),
        "error: layer `conv1`, layout `irregular`: needs mux fan-in 5 but the arch has mux_inputs = 4 (give the arch more mux inputs, or use --size-to-fit)\n"
    );
}

/// Issue acceptance: `compare` with and without `--size-to-fit` on LeNet-5, VGG-16 (CIFAR-10),
/// ResNet-50, MobileNet-V2 and the PTB LSTM, for all layouts and masked.
#[test]
fn compare_runs_on_the_five_reference_networks() {
    let dir = temp_dir("five");
    for w in [
        "lenet5",
        "vgg16_cifar10",
        "resnet50",
        "mobilenet_v2",
        "lstm_ptb_medium",
    ] {
        for fit in [false, true] {
            let out = format!("{w}-{fit}");
            let workload = path(&format!("workloads/{w}.toml"));
            let mut args = vec!["compare", "-q", "--workload", &workload, "--out", &out];
            args.extend([
                "--layouts",
                "dense,masked,irregular,nm,bwhm,darb,pconv,colcomb",
            ]);
            if fit {
                args.push("--size-to-fit");
            }
            let o = sparsim(&args, &dir);
            assert!(o.status.success(), "{w} fit={fit}: {}", stderr(&o));
            let t = totals(&dir.join(&out));
            assert_eq!(t.len(), 8, "{w}: every layout has a totals row");
            if fit {
                assert!(
                    t.iter().all(|r| r["status"] == "ok"),
                    "{w}: sized to fit, every layout maps"
                );
            }
            let f = |layout: &str, col: &str| -> f64 {
                t.iter().find(|r| r["layout"] == layout).unwrap()[col]
                    .parse()
                    .unwrap()
            };
            // The model's definitions, whatever the ranking: a PE selects among at most the
            // row bus's lanes (16 on this arch, or the row's whole demand sized to fit), and
            // the plain layouts take one activation per row.
            for r in &t {
                let (fan, demand) = (
                    f(&r["layout"], "max_fan_in"),
                    f(&r["layout"], "max_bus_demand"),
                );
                let bus = if fit { f64::INFINITY } else { 16.0 };
                assert_eq!(fan, demand.min(bus), "{w} {}", r["layout"]);
            }
            assert_eq!(f("dense", "max_bus_demand"), 1.0, "{w}");
        }
    }
}

/// Issue acceptance: `compare --cross-check --verify` on LeNet-5 exits 0, says the engines
/// agree, and every layer's pe_states.csv rows sum to R·C·total_cycles.
#[test]
fn cross_check_and_verify_on_lenet() {
    let dir = temp_dir("crosscheck");
    let o = sparsim(
        &[
            "compare",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--cross-check",
            "--verify",
            "--out",
            "cc",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("cross-check: the fast and cycle-stepped engines agree on every counter and every PE's state counts for all 35 layer x layout runs\n"), "{out}");
    assert!(out.contains("verify: every output of the stepped engine equals the reference GEMM of the kept weights, for all 35 layer x layout runs\n"), "{out}");
    // pe_states.csv: per layer × layout, the states of all R·C PEs sum to R·C·total_cycles.
    let mut totals = std::collections::HashMap::<(String, String), u64>::new();
    let mut r = csv::Reader::from_path(dir.join("cc/pe_states.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let states: u64 = (4..10).map(|i| rec[i].parse::<u64>().unwrap()).sum();
        assert_eq!(states, rec[10].parse::<u64>().unwrap());
        *totals
            .entry((rec[0].to_string(), rec[1].to_string()))
            .or_default() += states;
    }
    let mut c = csv::Reader::from_path(dir.join("cc/compare.csv")).unwrap();
    let h = c.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let mut checked = 0;
    for rec in c.records() {
        let rec = rec.unwrap();
        let cycles: u64 = rec[col("total_cycles")].parse().unwrap();
        if cycles == 0 {
            continue;
        }
        let key = (
            rec[col("layer")].to_string(),
            rec[col("layout")].to_string(),
        );
        assert_eq!(totals[&key], 32 * 32 * cycles, "{key:?}");
        checked += 1;
    }
    assert_eq!(checked, 35);
}

#[test]
fn run_cross_check_covers_dense_runs() {
    let dir = temp_dir("run-cc");
    let o = sparsim(
        &[
            "run",
            "--workload",
            &path("workloads/convnetdraw_example.txt"),
            "--arch",
            &path("arch/eyeriss-12x14-os.toml"),
            "--cross-check",
            "--verify",
            "--out",
            "o",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "agree on every counter and every PE's state counts for all 3 layer x layout runs"
        ),
        "{}",
        stdout(&o)
    );
    let csv = std::fs::read_to_string(dir.join("o/layers.csv")).unwrap();
    assert!(
        !csv.lines().next().unwrap().contains(",layout,"),
        "a plain run keeps the dense columns"
    );
}

/// On 4-lane row buses with 16-input muxes, VGG-16's packed rows that need more than 4
/// activations per vector take several beats: no PE needs a mux wider than the bus, so no
/// layer is infeasible, and `max_bus_demand` still shows the rows' real demand.
#[test]
fn a_narrow_bus_limits_the_fan_in_not_the_demand() {
    let dir = temp_dir("bus4");
    sparse_arch_with(&dir, "bus4.toml", "row_bus_width = 16", "row_bus_width = 4");
    let o = sparsim(
        &[
            "compare",
            "-q",
            "--arch",
            "bus4.toml",
            "--layouts",
            "dense,irregular,nm,darb,pconv,colcomb",
            "--out",
            "vgg",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(dir.join("vgg/compare.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (fan, demand, status) = (
        h.iter().position(|c| c == "max_fan_in").unwrap(),
        h.iter().position(|c| c == "max_bus_demand").unwrap(),
        h.iter().position(|c| c == "status").unwrap(),
    );
    let mut wide_rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (f, d): (u32, u32) = (rec[fan].parse().unwrap(), rec[demand].parse().unwrap());
        assert!(f <= 4, "{rec:?}");
        assert_eq!(f, d.min(4), "{rec:?}");
        assert_eq!(&rec[status], "ok", "{rec:?}");
        wide_rows += usize::from(d > 4);
    }
    assert!(
        wide_rows > 0,
        "some rows need more than 4 activations per vector"
    );
    // The stepped engine runs such folds and computes the right outputs (LeNet-5, whole).
    let o = sparsim(
        &[
            "compare",
            "-q",
            "--arch",
            "bus4.toml",
            "--workload",
            &path("workloads/lenet5.toml"),
            "--cross-check",
            "--verify",
            "--out",
            "lenet",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `--column-order torch` reaches column combining through `compare` (LeNet-5's 5×5 convs
/// group differently) and is recorded in the summary; the default order is left out of it, so
/// summaries written before the option keep their bytes.
#[test]
fn compare_takes_the_column_order() {
    let dir = temp_dir("column-order");
    let lenet = path("workloads/lenet5.toml");
    let mut summaries = Vec::new();
    for (out, extra) in [("default", None), ("torch", Some("torch"))] {
        let mut args = vec![
            "compare",
            "--workload",
            &lenet,
            "--layouts",
            "colcomb",
            "--out",
            out,
        ];
        if let Some(o) = extra {
            args.extend(["--column-order", o]);
        }
        let o = sparsim(&args, &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.join(out).join("summary.json")).unwrap();
        summaries.push(serde_json::from_str::<serde_json::Value>(&text).unwrap());
    }
    assert!(summaries[0]["params"].get("colcomb_column_order").is_none());
    assert_eq!(summaries[1]["params"]["colcomb_column_order"], "torch");
    let colcomb_row = |d: &str| {
        totals(&dir.join(d))
            .into_iter()
            .find(|r| r["layout"] == "colcomb")
            .unwrap()
    };
    let (a, b) = (colcomb_row("default"), colcomb_row("torch"));
    assert_ne!(
        (&a["total_cycles"], &a["kept_weight_energy"]),
        (&b["total_cycles"], &b["kept_weight_energy"]),
        "the torch order packs LeNet-5's convolutions differently"
    );
}
