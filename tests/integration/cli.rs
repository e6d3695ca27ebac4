//! The `sparsim` binary end to end.

use crate::common::{fixture, read_report, root, sparsim, stderr, stdout};
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("cli", name)
}

const LAYERS_HEADER: &str = "layer,kind,dataflow,array_rows,array_cols,m,n,k,instances,macs,folds,compute_cycles,stall_cycles,total_cycles,mapping_efficiency,pe_utilization,ifmap_sram_reads,filter_sram_reads,ofmap_sram_writes,ifmap_dram_reads,filter_dram_reads,ofmap_dram_writes,ofmap_dram_reads,operand_hops,stationary_hops,bus_beats,prefetch_cycles,time_us,energy_pj,energy_mac_pj,energy_array_pj,energy_mux_pj,energy_decode_pj,energy_sram_pj,energy_dram_pj,energy_metadata_pj,energy_static_pj";

#[test]
fn run_without_arguments_uses_the_built_in_defaults_from_any_folder() {
    let dir = temp_dir("defaults");
    let o = sparsim(&["run"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("resnet50 on tpu-32x32-ws (32x32 ws, user bandwidth)\n"),
        "{out}"
    );
    assert!(out.contains("\ntotal "), "{out}");
    let csv = std::fs::read_to_string(dir.join("results/tmp/run/layers.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(LAYERS_HEADER));
    assert_eq!(lines.count(), 54);
    let summary = std::fs::read_to_string(dir.join("results/tmp/run/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(v["tool"]["name"], "sparsim");
    assert_eq!(v["arch"]["array"]["rows"], 32);
    assert_eq!(v["workload"]["layers"], 54);
    assert_eq!(
        v["inputs"]["arch"]["path"],
        "<built-in arch/tpu-32x32-ws.toml>"
    );
    assert_eq!(
        v["inputs"]["workload"]["sha256"].as_str().unwrap().len(),
        64
    );
    assert_eq!(v["totals"]["macs"], 3_857_973_248u64);
}

#[test]
fn convnetdraw_example_runs_with_the_expected_macs() {
    let dir = temp_dir("cnd");
    let w = root().join("workloads/convnetdraw_example.txt");
    let a = root().join("arch/tpu-32x32-ws.toml");
    let o = sparsim(
        &[
            "run",
            "--arch",
            a.to_str().unwrap(),
            "--workload",
            w.to_str().unwrap(),
            "--out",
            "o",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let mut r = csv::Reader::from_path(dir.join("o/layers.csv")).unwrap();
    let rows: Vec<(String, u64)> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[9].parse().unwrap())
        })
        .filter(|(_, macs)| *macs > 0)
        .collect();
    assert_eq!(
        rows,
        vec![
            ("conv1".into(), 115_200),
            ("conv2".into(), 115_200),
            ("fullyconn1".into(), 2_560)
        ]
    );
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let dir = temp_dir("determinism");
    let w = root().join("workloads/mobilenet_v2.toml");
    let w = w.to_str().unwrap();
    for out in ["one", "two"] {
        let o = sparsim(
            &[
                "run",
                "--workload",
                w,
                "--out",
                out,
                "-q",
                "--scalesim-reports",
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in [
        "layers.csv",
        "summary.json",
        "COMPUTE_REPORT.csv",
        "DETAILED_ACCESS_REPORT.csv",
    ] {
        let a = std::fs::read(dir.join("one").join(f)).unwrap();
        let b = std::fs::read(dir.join("two").join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between identical runs");
    }
}

/// `sparsim run --arch X.cfg --workload Y.csv --scalesim-reports` on every shipped SCALE-Sim
/// run (USER and CALC) writes SCALE-Sim's three reports: same header, and every cell equal
/// (numbers compared as numbers: SCALE-Sim prints some integer cycles as `5.0`, some as `5`).
#[test]
fn scalesim_reports_match_scalesim_on_every_shipped_run() {
    let dir = temp_dir("reports");
    let mut runs: Vec<_> = std::fs::read_dir(fixture("scalesim_reference/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 18);
    for d in runs {
        let run = d.file_name().unwrap().to_str().unwrap().to_string();
        let mut args = vec![
            "run".to_string(),
            "--arch".into(),
            d.join("config.cfg").to_str().unwrap().into(),
            "--workload".into(),
            d.join("topology.csv").to_str().unwrap().into(),
            "--out".into(),
            run.clone(),
            "-q".into(),
            "--scalesim-reports".into(),
        ];
        if std::fs::read_to_string(d.join("meta.txt")).unwrap().trim() == "gemm" {
            args.push("--gemm".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sparsim(&args, &dir);
        assert!(o.status.success(), "{run}: {}", stderr(&o));
        for f in [
            "COMPUTE_REPORT.csv",
            "BANDWIDTH_REPORT.csv",
            "DETAILED_ACCESS_REPORT.csv",
        ] {
            let (h_ours, ours) = read_report(&dir.join(&run).join(f));
            let (h_ref, theirs) = read_report(&d.join(f));
            assert_eq!(h_ours, h_ref, "{run} {f} header");
            assert_eq!(ours.len(), theirs.len(), "{run} {f} rows");
            for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                for (j, (x, y)) in a.iter().zip(b).enumerate() {
                    let same = x == y || x.parse::<f64>().ok() == y.parse::<f64>().ok();
                    assert!(same, "{run} {f} row {i} `{}`: {x} vs {y}", h_ref[j]);
                }
            }
        }
    }
}

/// `--memory-model` errors are pinned.
#[test]
fn memory_model_errors_are_pinned() {
    let dir = temp_dir("memory_model");
    let o = sparsim(&["run", "--memory-model", "dramsim", "-q"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: --memory-model: unknown memory model `dramsim`: expected sparsim or scalesim\n"
    );
    let o = sparsim(
        &[
            "compare",
            "--memory-model",
            "scalesim",
            "--layouts",
            "dense,nm",
            "-q",
        ],
        &dir,
    );
    assert_eq!(
        stderr(&o),
        "error: layout `nm` needs sparsim's memory model: memory model `scalesim` reproduces SCALE-Sim's dense operand streams only; use dense or masked, or --memory-model sparsim (or [memory] model = \"sparsim\")\n"
    );
    std::fs::write(
        dir.join("frac.toml"),
        "[array]\nrows = 4\ncols = 4\n[dram]\nfilter_bw = 0.5\n",
    )
    .unwrap();
    let o = sparsim(
        &[
            "run",
            "--arch",
            "frac.toml",
            "--memory-model",
            "scalesim",
            "-q",
        ],
        &dir,
    );
    assert_eq!(
        stderr(&o),
        "error: --memory-model scalesim: `dram.filter_bw` 0.5 words/cycle: memory.model = \"scalesim\" moves whole DRAM lines, so it needs an integer bandwidth of at least 1 (or use model = \"sparsim\")\n"
    );
    let lenet = root().join("workloads/lenet5.toml");
    let o = sparsim(
        &[
            "run",
            "--memory-model",
            "scalesim",
            "--cross-check",
            "-q",
            "-w",
            lenet.to_str().unwrap(),
        ],
        &dir,
    );
    assert_eq!(
        stderr(&o),
        "error: --cross-check and --trace run the cycle-stepped engine, which implements sparsim's memory model; the `scalesim` model is checked against SCALE-Sim's own reports instead: use --memory-model sparsim for them\n"
    );
}

#[test]
fn gemm_flag_reads_mnk_topologies() {
    let dir = temp_dir("gemm");
    let t = fixture("scalesim_reference/runs/a_scale_user_ws_mnk/topology.csv");
    let o = sparsim(
        &[
            "run",
            "--workload",
            t.to_str().unwrap(),
            "--gemm",
            "--out",
            "g",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.join("g/layers.csv")).unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("Test 1,gemm,ws,32,32,256,128,256,1,8388608,")
    );
}

#[test]
fn check_accepts_every_shipped_file() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["arch", "arch/sweeps", "workloads"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = e.unwrap().path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 18);
    for f in files {
        let o = sparsim(&["check", f.to_str().unwrap()], &root());
        assert!(o.status.success(), "{}: {}", f.display(), stderr(&o));
        assert!(stdout(&o).starts_with("ok: "), "{}", stdout(&o));
    }
    // An architecture's check states its area and technology tables: the plain 32×32 array
    // is 1,024 PEs of 442.6 (MAC) + 48 × 4.522 (registers) + 8 × 1.862 µm² (1-input mux)
    // and 192 kB of SRAM at 0.346 / 0.75 µm² per bit.
    let o = sparsim(&["check", "arch/tpu-32x32-ws.toml"], &root());
    let pe = 64.0 * 1.064 + 56.0 * 4.256 + 32.0 * 4.256 + 48.0 * 4.522 + 8.0 * 1.862;
    let mm2 = (1024.0 * pe + 192.0 * 8192.0 * 0.346 / 0.75) * 1e-6;
    assert!(
        stdout(&o).ends_with(&format!(
            "user bandwidth, {mm2:.3} mm² as provisioned (45nm energy table, 45nm area table)\n"
        )),
        "{}",
        stdout(&o)
    );
}

/// Smoke: every shipped architecture runs every shipped workload.
#[test]
fn every_arch_runs_every_workload() {
    let dir = temp_dir("smoke");
    let mut archs: Vec<PathBuf> = std::fs::read_dir(root().join("arch"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    let mut works: Vec<PathBuf> = std::fs::read_dir(root().join("workloads"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    archs.sort();
    works.sort();
    // A `.cfg` runs on the `scalesim` memory model, which follows every address: it runs the
    // small workloads (an LSTM, depthwise layers, FC layers among them); the large ones, 10 to
    // 60 s each on that model, run the `.cfg` on sparsim's model to keep CI short.
    let heavy = [
        "alexnet.toml",
        "lstm_ptb_medium.toml",
        "resnet50.toml",
        "resnet50_scalesim.csv",
        "vgg16_imagenet.toml",
    ];
    for a in &archs {
        for w in &works {
            let mut args = vec![
                "run",
                "-q",
                "--arch",
                a.to_str().unwrap(),
                "--workload",
                w.to_str().unwrap(),
                "--out",
                "s",
            ];
            let name = w.file_name().unwrap().to_str().unwrap();
            if a.extension().is_some_and(|e| e == "cfg") && heavy.contains(&name) {
                args.extend(["--memory-model", "sparsim"]);
            }
            let o = sparsim(&args, &dir);
            assert!(
                o.status.success(),
                "{} x {}: {}",
                a.display(),
                w.display(),
                stderr(&o)
            );
        }
    }
}

#[test]
fn errors_name_the_file_and_exit_non_zero() {
    let dir = temp_dir("errors");
    std::fs::write(dir.join("bad.toml"), "[array]\nrows = 0\ncols = 4\n").unwrap();
    let o = sparsim(&["run", "--arch", "bad.toml"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: bad.toml:2:8: array.rows: invalid value: integer `0`, expected an integer from 1 to 65536\n"
    );
    let o = sparsim(&["run", "--workload", "missing.toml"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: missing.toml: cannot read the file: "),
        "{}",
        stderr(&o)
    );
    let o = sparsim(&["run", "--arch", "x.yaml"], &dir);
    assert!(
        stderr(&o).starts_with("error: x.yaml: cannot read the file"),
        "{}",
        stderr(&o)
    );
    std::fs::write(dir.join("what.toml"), "name = \"x\"\n").unwrap();
    let o = sparsim(&["check", "what.toml"], &dir);
    assert_eq!(
        stderr(&o),
        "error: what.toml: cannot tell whether this is an architecture (it would have an [array] table), a workload (it would have [[layer]] tables) or a sweep (it would have an [axes] table)\n"
    );
    std::fs::write(dir.join("x.yaml"), "a: 1\n").unwrap();
    let o = sparsim(&["run", "--arch", "x.yaml"], &dir);
    assert_eq!(
        stderr(&o),
        "error: x.yaml: unknown architecture file type `.yaml`: expected .toml (sparsim) or .cfg (SCALE-Sim)\n"
    );
}

/// `sparsim list` names every built-in, architectures then workloads, each in name order, with
/// its array or its layers and MACs, its file and its description.
#[test]
fn list_prints_the_built_ins_in_order() {
    let dir = temp_dir("list");
    let o = sparsim(&["list"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let first = |l: &&str| l.split_whitespace().next().unwrap_or("").to_string();
    assert_eq!(lines[0], "Built-in architectures (--arch NAME):");
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "ARRAY", "FILE", "DESCRIPTION"]
    );
    let archs: Vec<String> = lines[2..7].iter().map(first).collect();
    assert_eq!(
        archs,
        [
            "eyeriss-12x14-os",
            "scalesim-32x32-ws",
            "sparse-32x32-ws",
            "tpu-128x128-ws",
            "tpu-32x32-ws"
        ]
    );
    assert_eq!(lines[7], "");
    assert_eq!(lines[8], "Built-in workloads (--workload NAME):");
    assert_eq!(
        lines[9].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "LAYERS", "MACS", "FILE", "DESCRIPTION"]
    );
    let works: Vec<String> = lines[10..22].iter().map(first).collect();
    assert_eq!(
        works,
        [
            "alexnet",
            "convnetdraw_example",
            "lenet5",
            "llm_mlp_gate",
            "lstm_mnist_rows",
            "lstm_ptb_medium",
            "minilm_l6",
            "mobilenet_v2",
            "resnet50",
            "resnet50_scalesim",
            "vgg16_cifar10",
            "vgg16_imagenet"
        ]
    );
    let row = |name: &str| -> Vec<String> {
        let l = lines.iter().find(|l| first(l) == name).unwrap();
        l.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(
        row("sparse-32x32-ws"),
        [
            "sparse-32x32-ws",
            "32x32 ws",
            "arch/sparse-32x32-ws.toml",
            "32x32 WS array, 64 kB SRAM per operand, 10 words/cycle DRAM, 16-input PE muxes, 16-wide row buses"
        ]
    );
    assert_eq!(
        row("resnet50"),
        [
            "resnet50",
            "54",
            "3,857,973,248",
            "workloads/resnet50.toml",
            "ResNet-50 (mlperf layer list), ImageNet 224x224"
        ]
    );
    assert_eq!(
        lines[22..],
        [
            "",
            "A name is looked up only when no file of that name exists (a file always wins).",
            "Defaults: run uses tpu-32x32-ws and resnet50; compare uses sparse-32x32-ws and vgg16_cifar10."
        ]
    );
    // Deterministic: the same bytes again.
    assert_eq!(stdout(&sparsim(&["list"], &dir)), out);
}

/// `--workload NAME` and `--arch NAME` read the built-ins from an empty folder, with the same
/// results as the shipped files; `check NAME` validates a built-in.
#[test]
fn built_ins_by_name_work_from_an_empty_folder() {
    let dir = temp_dir("names");
    let o = sparsim(
        &[
            "run",
            "--workload",
            "resnet50",
            "--arch",
            "sparse-32x32-ws",
            "-q",
            "--out",
            "by-name",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(dir.join("by-name/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(
        v["inputs"]["workload"]["path"],
        "<built-in workloads/resnet50.toml>"
    );
    assert_eq!(
        v["inputs"]["arch"]["path"],
        "<built-in arch/sparse-32x32-ws.toml>"
    );
    assert_eq!(v["workload"]["layers"], 54);
    let w = root().join("workloads/resnet50.toml");
    let a = root().join("arch/sparse-32x32-ws.toml");
    let o = sparsim(
        &[
            "run",
            "--workload",
            w.to_str().unwrap(),
            "--arch",
            a.to_str().unwrap(),
            "-q",
            "--out",
            "by-file",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["layers.csv", "actions.csv"] {
        assert_eq!(
            std::fs::read(dir.join("by-name").join(f)).unwrap(),
            std::fs::read(dir.join("by-file").join(f)).unwrap(),
            "{f}"
        );
    }
    let by_file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("by-file/summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        v["inputs"]["workload"]["sha256"],
        by_file["inputs"]["workload"]["sha256"]
    );
    // compare, a SCALE-Sim .cfg and a SCALE-Sim .csv by name.
    let o = sparsim(
        &[
            "compare",
            "--workload",
            "lenet5",
            "--arch",
            "sparse-32x32-ws",
            "--layouts",
            "dense,nm",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sparsim(
        &[
            "run",
            "--workload",
            "resnet50_scalesim",
            "--arch",
            "scalesim-32x32-ws",
            "--memory-model",
            "sparsim",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sparsim(&["check", "resnet50"], &dir);
    assert_eq!(
        stdout(&o),
        "ok: workload `resnet50`: 54 layers (54 on the array), 3,857,973,248 MACs\n"
    );
    let o = sparsim(&["check", "tpu-32x32-ws"], &dir);
    assert!(
        stdout(&o).starts_with("ok: architecture `tpu-32x32-ws`: 32x32 ws array"),
        "{}",
        stdout(&o)
    );
}

/// A file always wins over a built-in of the same name.
#[test]
fn a_file_wins_over_a_built_in_name() {
    let dir = temp_dir("file-wins");
    std::fs::write(dir.join("lenet5"), "input(8, 8, 1)\nconv(6, 6, 4)\n").unwrap();
    let o = sparsim(&["run", "--workload", "lenet5", "-q", "--out", "o"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("o/summary.json")).unwrap())
            .unwrap();
    assert_eq!(v["inputs"]["workload"]["path"], "lenet5");
    assert_eq!(v["workload"]["layers"], 1);
    // A folder of that name is not a file: the built-in is read.
    std::fs::create_dir(dir.join("resnet50")).unwrap();
    let o = sparsim(&["check", "resnet50"], &dir);
    assert!(stdout(&o).starts_with("ok: workload `resnet50`: 54 layers"));
}

/// An argument that is neither a file nor a built-in name is an error naming it, saying there
/// is no such file and listing the built-in names.
#[test]
fn unknown_names_list_the_built_ins() {
    let dir = temp_dir("unknown-names");
    let o = sparsim(&["run", "--workload", "resnet5"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: resnet5: no such file, and no built-in workload has this name; built-in workloads: alexnet, convnetdraw_example, lenet5, llm_mlp_gate, lstm_mnist_rows, lstm_ptb_medium, minilm_l6, mobilenet_v2, resnet50, resnet50_scalesim, vgg16_cifar10, vgg16_imagenet (`sparsim list` describes them)\n"
    );
    let o = sparsim(&["compare", "--arch", "resnet50"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: resnet50: no such file, and no built-in architecture has this name (`resnet50` is a built-in workload); built-in architectures: eyeriss-12x14-os, scalesim-32x32-ws, sparse-32x32-ws, tpu-128x128-ws, tpu-32x32-ws (`sparsim list` describes them)\n"
    );
    let o = sparsim(&["run", "--workload", "nets/resnet50.toml"], &dir);
    assert_eq!(
        stderr(&o),
        "error: nets/resnet50.toml: cannot read the file: no such file (the built-in `resnet50` is the shipped workloads/resnet50.toml)\n"
    );
    let o = sparsim(&["run", "--arch", "mine.toml"], &dir);
    assert_eq!(
        stderr(&o),
        "error: mine.toml: cannot read the file: no such file (a built-in is given by its name alone, without folder or extension; built-in architectures: eyeriss-12x14-os, scalesim-32x32-ws, sparse-32x32-ws, tpu-128x128-ws, tpu-32x32-ws)\n"
    );
    let o = sparsim(&["check", "nope"], &dir);
    assert_eq!(
        stderr(&o),
        "error: nope: no such file, and no built-in architecture or workload has this name; built-in architectures: eyeriss-12x14-os, scalesim-32x32-ws, sparse-32x32-ws, tpu-128x128-ws, tpu-32x32-ws; built-in workloads: alexnet, convnetdraw_example, lenet5, llm_mlp_gate, lstm_mnist_rows, lstm_ptb_medium, minilm_l6, mobilenet_v2, resnet50, resnet50_scalesim, vgg16_cifar10, vgg16_imagenet (`sparsim list` describes them)\n"
    );
    // No built-in is an ONNX model, so --batch still asks for one.
    let o = sparsim(&["run", "--workload", "lenet5", "--batch", "2"], &dir);
    assert!(
        stderr(&o).starts_with("error: --batch and --dim size the free dimensions of an ONNX"),
        "{}",
        stderr(&o)
    );
}
