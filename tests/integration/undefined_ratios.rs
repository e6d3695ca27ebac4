//! Layers pruned to nothing: no result file or table ever shows NaN or infinity; a speedup
//! over no cycles is empty (CSV), `null` (JSON) or `—` (table), and network speedups are
//! ratios of integer cycle sums.

use crate::common::{csv_maps, npy_f32, npz, sparse_arch_with, sparsim, stderr, stdout, temp_dir};
use std::path::Path;

const LAYOUTS: &str = "dense,masked,irregular,nm,bwhm,darb,pconv,colcomb";

/// Fails if `text` holds NaN or an infinity in any spelling (`inf` only as `infeasible`).
fn assert_all_finite(what: &str, text: &str) {
    let lower = text.to_lowercase();
    assert!(!lower.contains("nan"), "{what} holds NaN:\n{text}");
    for (i, _) in lower.match_indices("inf") {
        assert!(
            lower[i..].starts_with("infeasible"),
            "{what} holds an infinity:\n{text}"
        );
    }
}

/// Runs `compare` on `workload` with weights `file` into `dir/out`; checks every output for
/// NaN and infinity and returns the printed table.
fn compare(dir: &Path, workload: &str, file: &str) -> String {
    compare_on(dir, workload, file, &[])
}

/// [`compare`] with extra flags (e.g. `--arch`).
fn compare_on(dir: &Path, workload: &str, file: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "compare",
        "--workload",
        workload,
        "--weights",
        file,
        "--layouts",
        LAYOUTS,
        "--out",
        "out",
        // Both engines agree on layers that no fold computes (zero outputs, zero cycles).
        "--cross-check",
    ];
    args.extend_from_slice(extra);
    let o = sparsim(&args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["compare.csv", "compare_totals.csv", "summary.json"] {
        let text = std::fs::read_to_string(dir.join("out").join(f)).unwrap();
        assert_all_finite(f, &text);
    }
    let table = stdout(&o);
    assert_all_finite("the printed table", &table);
    table
}

#[test]
fn an_all_zero_layer_from_an_npy_file_gives_no_nan_or_infinity() {
    let dir = temp_dir("undefined", "npy");
    std::fs::write(
        dir.join("w.toml"),
        "[[layer]]\nname = \"fc1\"\ntype = \"fc\"\nin_features = 64\nout_features = 32\n\
         [[layer]]\nname = \"relu1\"\ntype = \"relu\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("fc1.weight.npy"),
        npy_f32(&[32, 64], &[0.0; 32 * 64]),
    )
    .unwrap();
    // By default the output unit still writes the 32 zero outputs of the dropped filters:
    // 32 words at 10 words/cycle take 4 cycles, after no fold at all.
    compare(&dir, "w.toml", "fc1.weight.npy");
    let totals = csv_maps(&dir.join("out/compare_totals.csv"));
    for layout in ["irregular", "nm", "bwhm", "darb", "colcomb"] {
        let r = totals.iter().find(|r| r["layout"] == layout).unwrap();
        assert_eq!(r["total_cycles"], "4", "{layout}");
    }
    // When the next layer is assumed re-indexed, layouts that drop every filter run the
    // layer in no cycles: no speedup.
    sparse_arch_with(
        &dir,
        "skip.toml",
        "dropped_filters = \"write_zeros\"",
        "dropped_filters = \"skip\"",
    );
    let table = compare_on(&dir, "w.toml", "fc1.weight.npy", &["--arch", "skip.toml"]);
    let totals = csv_maps(&dir.join("out/compare_totals.csv"));
    let get = |layout: &str| totals.iter().find(|r| r["layout"] == layout).unwrap();
    for layout in ["irregular", "nm", "bwhm", "darb", "colcomb"] {
        assert_eq!(get(layout)["total_cycles"], "0", "{layout}");
        assert_eq!(get(layout)["speedup_vs_dense"], "", "{layout}");
        assert_eq!(get(layout)["dense_cycles"], get("dense")["total_cycles"]);
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("{layout} ")))
            .unwrap();
        assert_eq!(line.split_whitespace().nth(4), Some("—"), "{line}");
    }
    // Layouts that keep the array busy (zeros as ineffectual MACs) keep dense speed.
    for layout in ["dense", "masked", "pconv"] {
        assert_eq!(get(layout)["speedup_vs_dense"], "1.0", "{layout}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/summary.json")).unwrap()).unwrap();
    let nm = summary["totals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["layout"] == "nm")
        .unwrap();
    assert!(nm["speedup_vs_dense"].is_null());
    assert!(nm["metadata_bits_per_nonzero"].is_null());
    // Per layer: the pruned layer and the ReLU have an empty speedup.
    for r in csv_maps(&dir.join("out/compare.csv")) {
        let defined = r["total_cycles"] != "0";
        assert_eq!(!r["speedup_vs_dense"].is_empty(), defined, "{r:?}");
    }
}

#[test]
fn network_speedups_are_ratios_of_integer_cycle_sums() {
    let dir = temp_dir("undefined", "npz");
    std::fs::write(
        dir.join("w.toml"),
        "[[layer]]\nname = \"fc1\"\ntype = \"fc\"\nin_features = 64\nout_features = 32\n\
         [[layer]]\nname = \"relu1\"\ntype = \"relu\"\n\
         [[layer]]\nname = \"fc2\"\ntype = \"fc\"\nin_features = 32\nout_features = 48\n",
    )
    .unwrap();
    // fc1 all zero, fc2 a deterministic spread of values with no zero.
    let fc2: Vec<f32> = (0..48 * 32)
        .map(|i| ((i * 37 % 101) as f32 - 50.5) / 50.0)
        .collect();
    let file = npz(&[
        ("fc1.weight", npy_f32(&[32, 64], &[0.0; 32 * 64])),
        ("fc2.weight", npy_f32(&[48, 32], &fc2)),
    ]);
    std::fs::write(dir.join("w.npz"), file).unwrap();
    compare(&dir, "w.toml", "w.npz");
    let rows = csv_maps(&dir.join("out/compare.csv"));
    let totals = csv_maps(&dir.join("out/compare_totals.csv"));
    let int = |s: &str| s.parse::<u64>().unwrap();
    let dense_total = int(&totals[0]["total_cycles"]);
    for t in &totals {
        // The dense reference cycles are the dense layout's total for every layout ...
        assert_eq!(int(&t["dense_cycles"]), dense_total, "{t:?}");
        // ... and the sum of the layout's per-layer dense_cycles.
        let per_layer: u64 = rows
            .iter()
            .filter(|r| r["layout"] == t["layout"])
            .map(|r| int(&r["dense_cycles"]))
            .sum();
        assert_eq!(per_layer, dense_total);
        let cycles = int(&t["total_cycles"]);
        assert!(cycles > 0, "fc2 keeps weights under every layout: {t:?}");
        let speedup: f64 = t["speedup_vs_dense"].parse().unwrap();
        assert_eq!(speedup, dense_total as f64 / cycles as f64, "{t:?}");
    }
    // nm ran no fold of fc1, only its 32 zero outputs' drain (4 cycles at 10 words/cycle).
    let nm = totals.iter().find(|t| t["layout"] == "nm").unwrap();
    let nm_fc1 = rows
        .iter()
        .find(|r| r["layout"] == "nm" && r["layer"] == "fc1")
        .unwrap();
    assert_eq!(nm_fc1["total_cycles"], "4");
    assert!(nm["speedup_vs_dense"].parse::<f64>().unwrap() > 1.0);
}

#[test]
fn a_layout_listed_twice_is_refused() {
    let dir = temp_dir("undefined", "twice");
    let o = sparsim(&["compare", "--layouts", "dense,nm,nm", "-q"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: --layouts: `nm` is listed twice\n");
}

#[test]
fn a_non_finite_weight_in_a_file_is_an_error_naming_the_element() {
    let dir = temp_dir("undefined", "nan-weight");
    std::fs::write(
        dir.join("w.toml"),
        "[[layer]]\nname = \"fc1\"\ntype = \"fc\"\nin_features = 4\nout_features = 2\n",
    )
    .unwrap();
    let mut w = [0.5f32; 8];
    w[6] = f32::INFINITY;
    std::fs::write(dir.join("fc1.weight.npy"), npy_f32(&[2, 4], &w)).unwrap();
    let o = sparsim(
        &[
            "compare",
            "--workload",
            "w.toml",
            "--weights",
            "fc1.weight.npy",
            "-q",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: fc1.weight.npy: layer `fc1`: tensor `fc1.weight` holds inf at [1, 2]: weights must be finite numbers\n"
    );
    let o = sparsim(
        &["pack", "--layout", "nm", "--weights", "fc1.weight.npy"],
        &dir,
    );
    assert_eq!(
        stderr(&o),
        "error: fc1.weight.npy: tensor `fc1.weight` holds inf at [1, 2]: weights must be finite numbers\n"
    );
    // `run --layout` reads the same way; a NaN in an .npz entry.
    w[6] = 0.5;
    w[1] = f32::NAN;
    std::fs::write(
        dir.join("w.npz"),
        npz(&[("fc1.weight", npy_f32(&[2, 4], &w))]),
    )
    .unwrap();
    let o = sparsim(
        &[
            "run",
            "--workload",
            "w.toml",
            "--layout",
            "nm",
            "--weights",
            "w.npz",
            "-q",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: w.npz: layer `fc1`: tensor `fc1.weight` holds NaN at [0, 1]: weights must be finite numbers\n"
    );
    let o = sparsim(&["pack", "--layout", "nm", "--weights", "w.npz"], &dir);
    assert_eq!(
        stderr(&o),
        "error: w.npz: tensor `fc1.weight` holds NaN at [0, 1]: weights must be finite numbers\n"
    );
}
