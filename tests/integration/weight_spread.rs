//! `--weight-spread` and a workload's `[weight_spread]`: precedence, what `summary.json`
//! records, and the errors.

use crate::common::{root, sparsim, stderr, temp_dir};
use std::path::Path;

fn lenet() -> String {
    root().join("workloads/lenet5.toml").display().to_string()
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn compare(dir: &Path, workload: &str, extra: &[&str], out: &str) {
    let mut args = vec![
        "compare",
        "--workload",
        workload,
        "--layouts",
        "dense,nm,darb",
        "--out",
        out,
        "-q",
    ];
    args.extend(extra);
    let o = sparsim(&args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_flag_overrides_the_workload_key_by_key_and_the_summary_records_the_spreads() {
    let dir = temp_dir("spread", "precedence");
    let text = std::fs::read_to_string(lenet()).unwrap();
    std::fs::write(
        dir.join("flat.toml"),
        format!("{text}\n[weight_spread]\nfilter = 0\n"),
    )
    .unwrap();
    // The defaults, given or not, are the same weights.
    compare(&dir, &lenet(), &[], "default");
    compare(
        &dir,
        &lenet(),
        &["--weight-spread", "filter=0.5,channel=0.3"],
        "given",
    );
    let csv = |out: &str| std::fs::read(dir.join(out).join("compare.csv")).unwrap();
    assert_eq!(csv("default"), csv("given"));
    let spread = |out: &str| json(&dir.join(out).join("summary.json"))["weight_spread"].clone();
    assert_eq!(
        spread("default"),
        serde_json::json!({"filter": 0.5, "channel": 0.3})
    );
    // The workload's filter = 0 with the flag's channel = 0.6 ...
    compare(
        &dir,
        "flat.toml",
        &["--weight-spread", "channel=0.6"],
        "file",
    );
    assert_eq!(
        spread("file"),
        serde_json::json!({"filter": 0.0, "channel": 0.6})
    );
    // ... are the weights of both given on the command line, and not the defaults.
    compare(
        &dir,
        &lenet(),
        &["--weight-spread", "channel=0.6,filter=0"],
        "flags",
    );
    assert_eq!(csv("file"), csv("flags"));
    assert_ne!(csv("file"), csv("default"));
    // Weights from a file have no spreads.
    let w = crate::common::fixture("weights/linear_f64.npy");
    std::fs::write(
        dir.join("one.toml"),
        "[[layer]]\nname = \"linear_f64\"\ntype = \"fc\"\nin_features = 20\nout_features = 10\nweights = \"linear_f64\"\n",
    )
    .unwrap();
    compare(
        &dir,
        "one.toml",
        &["--weights", w.to_str().unwrap()],
        "file-weights",
    );
    assert!(spread("file-weights").is_null());
}

#[test]
fn run_with_a_layout_records_the_seed_and_spreads() {
    let dir = temp_dir("spread", "run");
    let workload = lenet();
    let run = |extra: &[&str], out: &str| {
        let mut args = vec!["run", "--workload", &workload, "--out", out, "-q"];
        args.extend(extra);
        let o = sparsim(&args, &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        json(&dir.join(out).join("summary.json"))
    };
    let s = run(
        &[
            "--layout",
            "nm",
            "--size-to-fit",
            "--seed",
            "4",
            "--weight-spread",
            "filter=1",
        ],
        "nm",
    );
    assert_eq!(s["seed"], 4);
    assert_eq!(
        s["weight_spread"],
        serde_json::json!({"filter": 1.0, "channel": 0.3})
    );
    // A plain dense run generates no weights and records none.
    let s = run(&[], "plain");
    assert!(
        s.get("seed").is_none() && s.get("weight_spread").is_none(),
        "{s}"
    );
}

#[test]
fn bad_spreads_are_clear_errors() {
    let dir = temp_dir("spread", "errors");
    let w = crate::common::fixture("weights/linear_f64.npy");
    let conflict = format!(
        "error: --weight-spread: only synthetic weights have spreads, and this run reads {}: drop one of --weight-spread and --weights\n",
        w.display()
    );
    for (args, msg) in [
        (
            vec!["compare", "--weight-spread", "filter=4"],
            "error: --weight-spread: filter = 4: expected a number from 0 to 3\n",
        ),
        (
            vec!["compare", "--weight-spread", "channel=-0.1"],
            "error: --weight-spread: channel = -0.1: expected a number from 0 to 3\n",
        ),
        (
            vec!["compare", "--weight-spread", "filter=wide"],
            "error: --weight-spread: filter = wide: expected a number from 0 to 3\n",
        ),
        (
            vec!["run", "--layout", "nm", "--weight-spread", "rows=1"],
            "error: --weight-spread: unknown key `rows`: expected filter or channel\n",
        ),
        (
            vec!["run", "--weight-spread", "0.5"],
            "error: --weight-spread: `0.5` is not KEY=VALUE: expected filter=X and/or channel=Y, comma-separated (e.g. filter=0.5,channel=0.3)\n",
        ),
        (
            vec![
                "compare",
                "--weight-spread",
                "filter=1",
                "--weights",
                w.to_str().unwrap(),
            ],
            conflict.as_str(),
        ),
    ] {
        let mut full = args.clone();
        full.extend(["--workload", "x.toml", "-q"]);
        std::fs::write(
            dir.join("x.toml"),
            "[[layer]]\nname = \"f\"\ntype = \"fc\"\nin_features = 8\nout_features = 4\n",
        )
        .unwrap();
        let o = sparsim(&full, &dir);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&o), msg, "{args:?}");
    }
    // In a workload file: file, line, column, key.
    std::fs::write(
        dir.join("bad.toml"),
        "[weight_spread]\nfilter = 0.5\nchannel = 9\n[[layer]]\nname = \"f\"\ntype = \"fc\"\nin_features = 8\nout_features = 4\n",
    )
    .unwrap();
    let o = sparsim(&["compare", "--workload", "bad.toml", "-q"], &dir);
    assert_eq!(
        stderr(&o),
        "error: bad.toml:3:11: weight_spread.channel: invalid value 9: expected a number from 0 to 3\n"
    );
}
