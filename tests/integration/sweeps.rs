//! `sparsim sweep` and `sparsim merge` end to end: resume after an interruption, shards,
//! constraints, infeasible points and malformed sweep files.

use crate::common::{root, sparsim, stderr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("sweeps", name)
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The head of a sweep file naming the shipped sparse arch and `workload`.
fn head(workload: &str) -> String {
    let r = root();
    format!(
        "base_arch = \"{}\"\nworkloads = [\"{}\"]\n",
        r.join("arch/sparse-32x32-ws.toml").display(),
        r.join("workloads").join(workload).display()
    )
}

/// A small but real sweep: 36 points over array shape, layout and sparsity on LeNet-5, with
/// per-layer rows and a Pareto front.
fn small_sweep(dir: &Path) -> PathBuf {
    let p = dir.join("small.toml");
    std::fs::write(
        &p,
        head("lenet5.toml")
            + "name = \"small\"\nper_layer = true\npareto = [\"total_cycles\", \"pe_count\"]\n\
               [axes]\n\"array.rows\" = [8, 16, 32]\n\"array.cols\" = [8, 16]\n\
               layout = [\"dense\", \"nm\", \"colcomb\"]\nsparsity = [0.5, 0.75]\n",
    )
    .unwrap();
    p
}

const FILES: [&str; 4] = [
    "sweep.csv",
    "sweep_layers.csv",
    "pareto.csv",
    "sweep.meta.json",
];

fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
        assert_eq!(
            read(&a.join(f)),
            read(&b.join(f)),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_sweep_writes_one_row_per_point_sorted_with_layers_and_front() {
    let dir = temp_dir("basic");
    let file = small_sweep(&dir);
    let o = sparsim(&["sweep", file.to_str().unwrap(), "-o", "full"], &dir);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("small: 36 points (0 infeasible) in "),
        "{out}"
    );
    let table = read(&dir.join("full/sweep.csv"));
    let mut lines = table.lines();
    assert_eq!(
        lines.next().unwrap(),
        "point,workload,array.rows,array.cols,layout,layout.sparsity,status,total_cycles,\
         compute_cycles,stall_cycles,pe_count,sram_kb,macs,effectual_macs,pe_utilization,\
         mapping_efficiency,dram_bytes,speedup_vs_dense,sparsity,kept_weight_energy,metadata_bits,\
         max_fan_in,max_bus_demand,decode_cycles,time_us,energy_pj,area_mm2,edp_uj_ms,tops_per_w,\
         tops_per_mm2"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 36);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], i.to_string());
        assert_eq!(r[1], "lenet5");
        assert_eq!(r[6], "ok");
    }
    // The last axis moves fastest: point 1 is point 0 at the next sparsity.
    assert_eq!(&rows[0][2..6], ["8", "8", "dense", "0.5"]);
    assert_eq!(&rows[1][2..6], ["8", "8", "dense", "0.75"]);
    assert_eq!(&rows[2][2..6], ["8", "8", "nm", "0.5"]);
    // Dense points ignore the sparsity axis.
    assert_eq!(rows[0][7], rows[1][7]);
    let cycles = |r: &Vec<&str>| r[7].parse::<u64>().unwrap();
    // Layer rows: LeNet-5's layers for every point, in point order.
    let layers = read(&dir.join("full/sweep_layers.csv"));
    let per_point = layers
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("0,"))
        .count();
    assert!(per_point >= 5, "{layers}");
    assert_eq!(layers.lines().count(), 1 + 36 * per_point);
    // The front: no front point is dominated by any point.
    let front = read(&dir.join("full/pareto.csv"));
    let pts: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| (cycles(r), r[10].parse().unwrap()))
        .collect();
    for l in front.lines().skip(1) {
        let id: usize = l.split(',').next().unwrap().parse().unwrap();
        let (c, p) = pts[id];
        assert!(
            !pts.iter()
                .any(|&(c2, p2)| c2 <= c && p2 <= p && (c2 < c || p2 < p)),
            "point {id} is dominated"
        );
    }
    assert!(front.lines().count() > 2);
}

#[test]
fn resuming_a_torn_journal_gives_the_uninterrupted_files() {
    let dir = temp_dir("torn");
    let file = small_sweep(&dir);
    ok(&sparsim(
        &["sweep", file.to_str().unwrap(), "-o", "full", "-q"],
        &dir,
    ));
    let full = dir.join("full");
    // What an interruption leaves: the meta file, journals holding some points in finishing
    // order, one point's layer rows without its summary row, and a cut-off last line.
    let part = dir.join("part");
    std::fs::create_dir_all(&part).unwrap();
    std::fs::copy(full.join("sweep.meta.json"), part.join("sweep.meta.json")).unwrap();
    // The manifest a sweep writes before its journals: this folder is an unfinished sweep's.
    std::fs::write(
        part.join("sparsim-manifest.json"),
        "{\n  \"command\": \"sweep\",\n  \"complete\": false,\n  \"files\": {\n    \
         \"sweep.journal.csv\": \"\",\n    \"sweep.meta.json\": \"\",\n    \
         \"sweep_layers.journal.csv\": \"\"\n  }\n}\n",
    )
    .unwrap();
    let table = read(&full.join("sweep.csv"));
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let done = [7usize, 2, 30, 11, 0, 19];
    let mut journal = format!("{header}\n");
    for &i in &done {
        journal += rows[i];
        journal += "\n";
    }
    journal += &rows[5][..rows[5].len() / 2];
    std::fs::write(part.join("sweep.journal.csv"), journal).unwrap();
    let layers = read(&full.join("sweep_layers.csv"));
    let mut llines = layers.lines();
    let mut ljournal = format!("{}\n", llines.next().unwrap());
    let lrows: Vec<&str> = llines.collect();
    for &i in done.iter().chain([5usize].iter()) {
        for l in lrows.iter().filter(|l| l.starts_with(&format!("{i},"))) {
            ljournal += l;
            ljournal += "\n";
        }
    }
    ljournal += "12,conv";
    std::fs::write(part.join("sweep_layers.journal.csv"), ljournal).unwrap();
    // Without --resume the sweep refuses to overwrite the unfinished one.
    let o = sparsim(&["sweep", file.to_str().unwrap(), "-o", "part"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: part holds an unfinished sweep (6 of its points done): pass --resume to continue it, or --force to discard them and start over\n"
    );
    let o = sparsim(
        &["sweep", file.to_str().unwrap(), "-o", "part", "--resume"],
        &dir,
    );
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("small: 36 points"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_same_files(&full, &part);
    assert!(!part.join("sweep.journal.csv").exists());
    assert!(!part.join("sweep_layers.journal.csv").exists());
    // Resuming a finished sweep (a requeued job) has nothing to do.
    let o = sparsim(
        &["sweep", file.to_str().unwrap(), "-o", "part", "--resume"],
        &dir,
    );
    ok(&o);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "small: already finished in part/sweep.csv; nothing to resume\n"
    );
    assert_same_files(&full, &part);
}

#[test]
fn killing_a_sweep_and_resuming_gives_the_uninterrupted_files() {
    let dir = temp_dir("kill");
    let file = dir.join("kill.toml");
    std::fs::write(
        &file,
        head("resnet50.toml")
            + "name = \"kill\"\npareto = [\"total_cycles\", \"max:pe_utilization\"]\n\
               [axes]\n\"array.rows\" = [16, 32, 64, 128]\n\"array.cols\" = [16, 32, 64, 128]\n\
               layout = [\"dense\"]\n\"dram.ifmap_bw\" = [4, 16]\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    ok(&sparsim(&["sweep", f, "-o", "full", "-q"], &dir));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sparsim"))
        .args(["sweep", f, "-o", "cut", "-q"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a few points are in (if it finishes first, resuming must still agree).
    let journal = dir.join("cut/sweep.journal.csv");
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::fs::read_to_string(&journal).is_ok_and(|t| t.lines().count() > 4) {
            child.kill().unwrap();
            child.wait().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    ok(&sparsim(&["sweep", f, "-o", "cut", "-q", "--resume"], &dir));
    for name in ["sweep.csv", "pareto.csv", "sweep.meta.json"] {
        assert_eq!(
            read(&dir.join("full").join(name)),
            read(&dir.join("cut").join(name)),
            "{name}"
        );
    }
}

#[test]
fn merged_shards_equal_the_unsharded_run() {
    let dir = temp_dir("shards");
    let file = small_sweep(&dir);
    let f = file.to_str().unwrap();
    ok(&sparsim(&["sweep", f, "-o", "full", "-q"], &dir));
    for i in 0..3 {
        let shard = format!("{i}/3");
        let o = sparsim(
            &["sweep", f, "-o", &format!("s{i}"), "--shard", &shard],
            &dir,
        );
        ok(&o);
        assert!(
            String::from_utf8_lossy(&o.stdout)
                .starts_with(&format!("small: 12 points of 36 (shard {i}/3)")),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    let o = sparsim(&["merge", "s0", "s1", "s2", "--out", "merged"], &dir);
    ok(&o);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "merged 36 points from 3 folders into merged\n"
    );
    assert_same_files(&dir.join("full"), &dir.join("merged"));
    // Shards given in any order merge the same.
    ok(&sparsim(
        &["merge", "s2", "s0", "s1", "--out", "merged2"],
        &dir,
    ));
    assert_same_files(&dir.join("full"), &dir.join("merged2"));
    // A missing shard, a doubled shard and a shard of another sweep are refused.
    let o = sparsim(&["merge", "s0", "s1", "--out", "m"], &dir);
    assert_eq!(
        stderr(&o),
        "error: the shards hold 24 of the sweep's 36 points: the merge would be incomplete\n"
    );
    let o = sparsim(&["merge", "s0", "s1", "s1", "--out", "m"], &dir);
    assert_eq!(
        stderr(&o),
        "error: s1 and s1 are the same shard folder: name each shard once\n"
    );
    std::fs::create_dir_all(dir.join("s1copy")).unwrap();
    for e in std::fs::read_dir(dir.join("s1")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("s1copy").join(e.file_name())).unwrap();
    }
    let o = sparsim(&["merge", "s0", "s1", "s1copy", "--out", "m"], &dir);
    assert_eq!(
        stderr(&o),
        "error: the shards overlap: 12 points appear twice, e.g. point 2 in s1 and in s1copy\n"
    );
    let other = dir.join("other.toml");
    std::fs::write(&other, read(&file).replace("[8, 16, 32]", "[8, 16, 64]")).unwrap();
    ok(&sparsim(
        &[
            "sweep",
            other.to_str().unwrap(),
            "-o",
            "o2",
            "-q",
            "--shard",
            "2/3",
        ],
        &dir,
    ));
    let o = sparsim(&["merge", "s0", "s1", "o2", "--out", "m"], &dir);
    assert_eq!(
        stderr(&o),
        "error: o2: a shard of another sweep (its sweep.meta.json differs from s0)\n"
    );
    let o = sparsim(&["sweep", f, "--shard", "3/3"], &dir);
    assert_eq!(
        stderr(&o),
        "error: --shard 3/3: expected i/n with 0 ≤ i < n, e.g. 0/4\n"
    );
}

#[test]
fn constraints_skip_points_and_infeasible_points_are_rows() {
    let dir = temp_dir("constraints");
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        head("lenet5.toml")
            + "name = \"c\"\nconstraints = [\"array.rows * array.cols <= 256\", \"array.rows >= array.cols\"]\n\
               [axes]\n\"array.rows\" = [8, 16, 32]\n\"array.cols\" = [8, 16, 32]\n\
               layout = [\"irregular\"]\n\"pe.mux_inputs\" = [1, 64]\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = sparsim(&["check", f], &dir);
    ok(&o);
    // Kept (rows, cols): (8,8), (16,8), (16,16), (32,8): 4 of 9 shapes, x2 muxes.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "ok: sweep `c`: 4 axes, 8 points (10 skipped by constraints)\n"
    );
    let o = sparsim(&["sweep", f, "-o", "out"], &dir);
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("c: 8 points (4 infeasible) in "),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let table = read(&dir.join("out/sweep.csv"));
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 8);
    assert!(
        rows[0].starts_with("0,lenet5,8,8,irregular,1,infeasible: "),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("needs mux fan-in"), "{}", rows[0]);
    assert!(
        rows[1].starts_with("1,lenet5,8,8,irregular,64,ok,"),
        "{}",
        rows[1]
    );
}

/// The error `sparsim sweep` prints for a sweep file whose body (after the head) is `body`.
fn sweep_error(dir: &Path, name: &str, body: &str) -> String {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, head("lenet5.toml") + body).unwrap();
    let o = sparsim(&["sweep", &format!("{name}.toml"), "-o", name], dir);
    assert_eq!(o.status.code(), Some(1), "{name} was accepted");
    stderr(&o)
}

#[test]
fn malformed_sweep_files_get_clear_errors() {
    let dir = temp_dir("malformed");
    let cases = [
        (
            "unknown_key_path",
            "[axes]\n\"array.rowz\" = [8, 16]\n",
            "error: unknown_key_path.toml:4:1: axes.\"array.rowz\": array.rowz = 8 does not make a valid architecture: array.rowz: unknown field `rowz`, expected one of `rows`, `cols`, `dataflow`\n",
        ),
        (
            "empty_axis",
            "[axes]\n\"array.rows\" = []\n",
            "error: empty_axis.toml:4:1: axes.\"array.rows\": the axis has no values\n",
        ),
        (
            "bad_range",
            "[axes]\n\"array.rows\" = { from = 64, to = 8, step = 8 }\n",
            "error: bad_range.toml:4:1: axes.\"array.rows\": bad range from = 64, to = 8, step = 8: need from ≤ to and step > 0\n",
        ),
        (
            "zero_step",
            "[axes]\n\"array.rows\" = { from = 8, to = 64, step = 0 }\n",
            "error: zero_step.toml:4:1: axes.\"array.rows\": bad range from = 8, to = 64, step = 0: need from ≤ to and step > 0\n",
        ),
        (
            "range_without_step",
            "[axes]\n\"array.rows\" = { from = 8, to = 64 }\n",
            "error: range_without_step.toml:4:1: axes.\"array.rows\": a range needs `from`, `to` and `step`; `step` is missing\n",
        ),
        (
            "bad_value",
            "[axes]\n\"array.rows\" = [8, 0]\n",
            "error: bad_value.toml:4:1: axes.\"array.rows\": array.rows = 0 does not make a valid architecture: array.rows: invalid value: integer `0`, expected an integer from 1 to 65536\n",
        ),
        (
            "bad_column_order",
            "[axes]\n\"layout.colcomb_column_order\" = [\"torch\", \"pytorch\"]\n",
            "error: bad_column_order.toml:4:1: axes.\"layout.colcomb_column_order\": layout.colcomb_column_order = \"pytorch\" does not make a valid architecture: layout.colcomb_column_order: unknown variant `pytorch`, expected `sparsim` or `torch`\n",
        ),
        (
            "unknown_top_key",
            "speed = 3\n[axes]\n\"array.rows\" = [8]\n",
            "error: unknown_top_key.toml:3:1: speed: unknown field `speed`, expected one of `name`, `description`, `base_arch`, `workloads`, `seed`, `per_layer`, `pareto`, `zip`, `constraints`, `axes`\n",
        ),
        (
            "zip_lengths",
            "zip = [[\"array.rows\", \"array.cols\"]]\n[axes]\n\"array.rows\" = [8, 16]\n\"array.cols\" = [8, 16, 32]\n",
            "error: zip_lengths.toml:3:1: zip[0]: zipped axes need equal lengths: `array.rows` has 2 values, `array.cols` has 3\n",
        ),
        (
            "bad_constraint",
            "constraints = [\"array.rows * <= 5\"]\n[axes]\n\"array.rows\" = [8, 16]\n",
            "error: bad_constraint.toml:3:1: constraints[0]: `array.rows * <= 5`: unexpected `<`\n",
        ),
        (
            "unknown_objective",
            "pareto = [\"cycles\"]\n[axes]\n\"array.rows\" = [8, 16]\n",
            "error: unknown_objective.toml:3:1: pareto: unknown objective `cycles`: expected one of total_cycles, compute_cycles, stall_cycles, pe_count, sram_kb, pe_utilization, mapping_efficiency, dram_bytes, speedup_vs_dense, kept_weight_energy, metadata_bits, time_us, energy_pj, area_mm2, edp_uj_ms, tops_per_w, tops_per_mm2 (prefix max: to maximize)\n",
        ),
        (
            "unknown_layout",
            "[axes]\nlayout = [\"nm\", \"sparse\"]\n",
            "error: unknown_layout.toml:4:1: axes.\"layout\": unknown layout `sparse`: expected one of dense, masked, irregular, nm, bwhm, darb, pconv, colcomb\n",
        ),
        (
            "no_axes",
            "",
            "error: no_axes.toml:1:1: axes: missing field `axes`\n",
        ),
        (
            "path_through_a_value",
            "[axes]\n\"array.rows.x\" = [1]\n",
            "error: path_through_a_value.toml:4:1: axes.\"array.rows.x\": `array.rows` is a value, not a table, so it has no key `x`\n",
        ),
        (
            "infinite_range",
            "[axes]\nsparsity = { from = 0.5, to = inf, step = 0.1 }\n",
            "error: infinite_range.toml:4:1: axes.\"sparsity\": bad range from = 0.5, to = inf, step = 0.1: the bounds and step must be finite numbers\n",
        ),
        (
            "too_many_points",
            "[axes]\nseed = { from = 0, to = 99999, step = 1 }\n\"array.rows\" = { from = 1, to = 1000, step = 1 }\n",
            "error: too_many_points.toml:3:1: axes: 1 workloads × axes of 100000 × 1000 values make more than 10000000 points; split the sweep\n",
        ),
        (
            "spread_out_of_range",
            "[axes]\n\"weight_spread.filter\" = [0, 0.5, 3.5]\n",
            "error: spread_out_of_range.toml:4:1: axes.\"weight_spread.filter\": invalid spread 3.5: expected a number from 0 to 3\n",
        ),
        (
            "spread_not_a_number",
            "[axes]\n\"weight_spread.channel\" = [\"wide\"]\n",
            "error: spread_not_a_number.toml:4:1: axes.\"weight_spread.channel\": invalid spread wide: expected a number from 0 to 3\n",
        ),
        (
            "unknown_spread",
            "[axes]\n\"weight_spread.layer\" = [0.5]\n",
            "error: unknown_spread.toml:4:1: axes.\"weight_spread.layer\": unknown axis `weight_spread.layer`: the weight spreads are weight_spread.filter and weight_spread.channel\n",
        ),
        (
            "division_by_zero",
            "constraints = [\"array.rows / (array.cols - 32) >= 0\"]\n[axes]\n\"array.cols\" = [16, 32]\n",
            "error: division_by_zero.toml:3:1: constraints: `array.rows / (array.cols - 32) >= 0`: division by zero at point array.cols = 32\n",
        ),
    ];
    for (name, body, expected) in cases {
        assert_eq!(sweep_error(&dir, name, body), expected, "{name}");
    }
}

#[test]
fn a_fresh_sweep_leaves_nothing_of_the_last_one_and_layer_rows_survive_duplicate_names() {
    let dir = temp_dir("fresh");
    let first = small_sweep(&dir);
    ok(&sparsim(
        &["sweep", first.to_str().unwrap(), "-o", "out", "-q"],
        &dir,
    ));
    assert!(dir.join("out/pareto.csv").exists());
    assert!(dir.join("out/sweep_layers.csv").exists());
    // A workload whose layers share names, swept without a front into the same folder.
    let net = read(&root().join("workloads/lenet5.toml")).replace("\"conv2\"", "\"conv1\"");
    std::fs::write(dir.join("dup.toml"), net).unwrap();
    let second = dir.join("second.toml");
    std::fs::write(
        &second,
        format!(
            "base_arch = \"{}\"\nworkloads = [\"dup.toml\"]\nname = \"second\"\n\
             constraints = [\"sparsity < 0.8\"]\n\
             [axes]\nlayout = [\"nm\"]\nsparsity = [0.5, 0.75, 0.875]\n",
            root().join("arch/sparse-32x32-ws.toml").display()
        ),
    )
    .unwrap();
    // Another sweep's finished results are replaced only with --force.
    let o = sparsim(
        &[
            "sweep",
            second.to_str().unwrap(),
            "-o",
            "out",
            "-q",
            "--per-layer",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: out holds the finished results of a sweep that differs from this one in its name \
         (small there, second here) and its inputs (the sweep file, its base architecture or a \
         workload changed) and its Pareto objectives (total_cycles,pe_count there, none here; \
         set by --pareto or `pareto`): pass --force to replace them, or choose another --out\n"
    );
    assert!(dir.join("out/pareto.csv").exists());
    ok(&sparsim(
        &[
            "sweep",
            second.to_str().unwrap(),
            "-o",
            "out",
            "-q",
            "--per-layer",
            "--force",
        ],
        &dir,
    ));
    assert!(!dir.join("out/pareto.csv").exists());
    let table = read(&dir.join("out/sweep.csv"));
    // The constraint reads the `sparsity` alias: 0.875 is skipped.
    assert_eq!(table.lines().count(), 3, "{table}");
    let layers = read(&dir.join("out/sweep_layers.csv"));
    let point0: Vec<&str> = layers.lines().filter(|l| l.starts_with("0,")).collect();
    let names: Vec<&str> = point0
        .iter()
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "conv1").count(),
        2,
        "{layers}"
    );
    for (i, l) in point0.iter().enumerate() {
        assert!(l.starts_with(&format!("0,{i},")), "{l}");
    }
}

/// Weights are generated once per (workload, seed, spreads) and shared: every point of a sweep
/// over the spread axes equals `compare --weight-spread` on that point alone.
#[test]
fn a_sweep_over_weight_spreads_equals_comparing_each_point_alone() {
    let dir = temp_dir("spreads");
    let file = dir.join("spreads.toml");
    std::fs::write(
        &file,
        head("lenet5.toml")
            + "name = \"spreads\"\n[axes]\nlayout = [\"nm\", \"colcomb\"]\n\
               \"weight_spread.filter\" = [0, 1.5]\n\"weight_spread.channel\" = [0, 0.6]\n",
    )
    .unwrap();
    ok(&sparsim(
        &["sweep", file.to_str().unwrap(), "-o", "out", "-q"],
        &dir,
    ));
    let mut r = csv::Reader::from_path(dir.join("out/sweep.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    let mut distinct = std::collections::HashSet::new();
    for (filter, channel) in [("0", "0"), ("0", "0.6"), ("1.5", "0"), ("1.5", "0.6")] {
        let out = format!("c-{filter}-{channel}");
        ok(&sparsim(
            &[
                "compare",
                "--workload",
                root().join("workloads/lenet5.toml").to_str().unwrap(),
                "--layouts",
                "nm,colcomb",
                "--weight-spread",
                &format!("filter={filter},channel={channel}"),
                "--out",
                &out,
                "-q",
            ],
            &dir,
        ));
        let mut t = csv::Reader::from_path(dir.join(&out).join("compare_totals.csv")).unwrap();
        let th = t.headers().unwrap().clone();
        let tcol = |n: &str| th.iter().position(|x| x == n).unwrap();
        for tr in t.records().map(Result::unwrap) {
            let layout = &tr[tcol("layout")];
            if layout == "dense" {
                continue;
            }
            let row = rows
                .iter()
                .find(|r| {
                    &r[col("layout")] == layout
                        && &r[col("weight_spread.filter")] == filter
                        && &r[col("weight_spread.channel")] == channel
                })
                .unwrap_or_else(|| panic!("no point {layout} {filter} {channel}"));
            for c in [
                "total_cycles",
                "effectual_macs",
                "metadata_bits",
                "max_fan_in",
            ] {
                assert_eq!(
                    &row[col(c)],
                    &tr[tcol(c)],
                    "{layout} {filter} {channel}: {c}"
                );
            }
            for c in [
                "speedup_vs_dense",
                "sparsity",
                "kept_weight_energy",
                "pe_utilization",
            ] {
                let (a, b): (f64, f64) =
                    (row[col(c)].parse().unwrap(), tr[tcol(c)].parse().unwrap());
                assert_eq!(a, b, "{layout} {filter} {channel}: {c}");
            }
            distinct.insert((
                layout.to_string(),
                row[col("kept_weight_energy")].to_string(),
            ));
        }
    }
    // Every spread prunes other weights (so a sweep sharing the wrong weights would fail).
    assert_eq!(distinct.len(), 8, "{distinct:?}");
}

/// `memory.model` as an axis: under `scalesim`, `masked` is timed as dense (SCALE-Sim's
/// buffers follow the dense streams) and a packed layout is an infeasible row with the reason.
#[test]
fn the_memory_model_is_an_axis() {
    let dir = temp_dir("memory_model_axis");
    let sweep = dir.join("s.toml");
    std::fs::write(
        &sweep,
        format!(
            "{}[axes]\n\"memory.model\" = [\"sparsim\", \"scalesim\"]\nlayout = [\"dense\", \"masked\", \"nm\"]\n",
            head("lenet5.toml")
        ),
    )
    .unwrap();
    let o = sparsim(
        &["sweep", sweep.to_str().unwrap(), "-q", "--out", "out"],
        &dir,
    );
    ok(&o);
    let text = read(&dir.join("out/sweep.csv"));
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 6);
    // Columns: point, workload, memory.model, layout, status, total_cycles, ...
    assert_eq!(&rows[3][2..4], ["scalesim", "dense"]);
    assert_eq!(&rows[4][2..5], ["scalesim", "masked", "ok"]);
    assert_eq!(
        rows[4][5], rows[3][5],
        "masked under scalesim = dense under scalesim"
    );
    assert_ne!(rows[3][5], rows[0][5], "the two models differ on LeNet-5");
    assert_eq!(
        rows[5][4],
        "\"infeasible: layout nm needs sparsim's memory model"
    );
}

#[test]
fn energy_and_area_are_objectives_and_the_old_weight_energy_name_is_an_alias() {
    let dir = temp_dir("energy_objectives");
    let p = dir.join("e.toml");
    std::fs::write(
        &p,
        head("lenet5.toml")
            + "name = \"e\"\npareto = [\"energy_pj\", \"area_mm2\", \"max:retained_energy\"]\n\
               [axes]\n\"pe.mux_inputs\" = [4, 16]\nlayout = [\"dense\", \"nm\"]\n",
    )
    .unwrap();
    ok(&sparsim(&["sweep", "e.toml", "-o", "out", "-q"], &dir));
    let meta: serde_json::Value =
        serde_json::from_str(&read(&dir.join("out/sweep.meta.json"))).unwrap();
    assert_eq!(
        meta["pareto"],
        serde_json::json!(["energy_pj", "area_mm2", "max:kept_weight_energy"])
    );
    let table = read(&dir.join("out/sweep.csv"));
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let area = |r: &Vec<&str>| r[col("area_mm2")].parse::<f64>().unwrap();
    // Points 0-1 have 4-input muxes, 2-3 16-input ones: the mux area grows by 12 inputs
    // per PE, 12 × 8 bits × 1.862 µm² (NanGate MUX2_X1) × 1024 PEs.
    let grow = 1024.0 * 12.0 * 8.0 * 1.862 * 1e-6;
    assert!((area(&rows[2]) - area(&rows[0]) - grow).abs() < 1e-9);
    for r in &rows {
        assert!(r[col("energy_pj")].parse::<f64>().unwrap() > 0.0);
        assert!(r[col("tops_per_w")].parse::<f64>().unwrap() > 0.0);
    }
}

/// A sweep file may name a built-in architecture and built-in workloads; the points are those
/// of the same sweep over the shipped files. A built-in `.cfg` is no base architecture.
#[test]
fn sweep_files_take_built_in_names() {
    let dir = temp_dir("names");
    let body = "name = \"small\"\n[axes]\n\"array.rows\" = [8, 16]\nlayout = [\"dense\", \"nm\"]\n";
    std::fs::write(dir.join("by-file.toml"), head("lenet5.toml") + body).unwrap();
    std::fs::write(
        dir.join("by-name.toml"),
        "base_arch = \"sparse-32x32-ws\"\nworkloads = [\"lenet5\"]\n".to_string() + body,
    )
    .unwrap();
    for which in ["by-file", "by-name"] {
        let o = sparsim(
            &["sweep", &format!("{which}.toml"), "--out", which, "-q"],
            &dir,
        );
        ok(&o);
    }
    assert_eq!(
        read(&dir.join("by-file/sweep.csv")),
        read(&dir.join("by-name/sweep.csv"))
    );
    std::fs::write(
        dir.join("cfg.toml"),
        "base_arch = \"scalesim-32x32-ws\"\nworkloads = [\"lenet5\"]\n".to_string() + body,
    )
    .unwrap();
    let o = sparsim(&["check", "cfg.toml"], &dir);
    assert_eq!(
        stderr(&o),
        "error: cfg.toml: base_arch: `scalesim-32x32-ws` must be a sparsim architecture .toml (its keys are what the axes set)\n"
    );
}
