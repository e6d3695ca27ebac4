//! What sparsim does with the user's files and folders: it writes only into the folders named,
//! refuses folders it did not write (unless --force), never deletes a file it did not write,
//! never mixes two runs' files, and refuses folders whose files changed or were cut off.

use crate::common::{root, sparsim, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("safety", name)
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

fn fails(o: &Output, message: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    assert_eq!(stderr(o), message);
}

fn lenet() -> String {
    root().join("workloads/lenet5.toml").display().to_string()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn sweep_file(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(
        &p,
        format!(
            "base_arch = \"{}\"\nworkloads = [\"{}\"]\nname = \"{name}\"\n{extra}\
             [axes]\n\"array.rows\" = [8, 16]\nlayout = [\"dense\", \"nm\"]\n",
            root().join("arch/sparse-32x32-ws.toml").display(),
            lenet()
        ),
    )
    .unwrap();
    p
}

#[test]
fn a_sweep_name_cannot_lead_out_of_the_results_folder() {
    let dir = temp_dir("name");
    let f = dir.join("s.toml");
    std::fs::write(
        &f,
        format!(
            "base_arch = \"{}\"\nworkloads = [\"{}\"]\nname = \"x/../../../../somewhere\"\n\
             [axes]\nlayout = [\"dense\"]\n",
            root().join("arch/sparse-32x32-ws.toml").display(),
            lenet()
        ),
    )
    .unwrap();
    fails(
        &sparsim(&["sweep", "s.toml"], &dir),
        "error: s.toml:3:1: name: name = \"x/../../../../somewhere\": a sweep name names a folder and cannot hold '/' (letters, digits, `-`, `_` and `.`, not starting with `.`)\n",
    );
    assert_eq!(names(&dir), ["s.toml"]);
}

#[test]
fn a_folder_of_the_users_files_is_refused_and_force_replaces_only_sparsims_names() {
    let dir = temp_dir("foreign");
    let mine = dir.join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("layers.csv"), "my own table\n").unwrap();
    std::fs::write(mine.join("notes.txt"), "my notes\n").unwrap();
    std::fs::write(mine.join("pareto.csv"), "my front\n").unwrap();
    let message = "is not empty and was not written by sparsim (it holds layers.csv, notes.txt, pareto.csv): choose a new or empty folder, or pass --force to write sparsim's files into it (files of the same names are replaced; nothing else is removed)\n";
    let w = lenet();
    for args in [
        vec!["run", "-w", &w, "-q", "-o", "mine"],
        vec!["compare", "-w", &w, "-q", "-o", "mine"],
    ] {
        fails(&sparsim(&args, &dir), &format!("error: mine {message}"));
    }
    let s = sweep_file(&dir, "s", "");
    fails(
        &sparsim(&["sweep", s.to_str().unwrap(), "-q", "-o", "mine"], &dir),
        &format!("error: mine {message}"),
    );
    assert_eq!(names(&mine), ["layers.csv", "notes.txt", "pareto.csv"]);
    assert_eq!(
        std::fs::read_to_string(mine.join("layers.csv")).unwrap(),
        "my own table\n"
    );
    // --force writes sparsim's files (replacing its own names) and removes nothing.
    ok(&sparsim(
        &["run", "-w", &w, "-q", "-o", "mine", "--force"],
        &dir,
    ));
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "my notes\n"
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("pareto.csv")).unwrap(),
        "my front\n"
    );
    assert!(
        std::fs::read_to_string(mine.join("layers.csv"))
            .unwrap()
            .starts_with("layer,")
    );
    // From now on the folder is sparsim's: a rerun needs no --force, and still leaves the
    // user's files alone.
    ok(&sparsim(&["run", "-w", &w, "-q", "-o", "mine"], &dir));
    assert_eq!(
        names(&mine),
        [
            "actions.csv",
            "layers.csv",
            "notes.txt",
            "pareto.csv",
            "sparsim-manifest.json",
            "summary.json"
        ]
    );
}

#[test]
fn a_name_sparsim_would_write_is_refused_when_the_user_put_a_file_there() {
    let dir = temp_dir("collide");
    let w = lenet();
    ok(&sparsim(&["run", "-w", &w, "-q", "-o", "r"], &dir));
    std::fs::write(dir.join("r/pe_states.csv"), "mine\n").unwrap();
    fails(
        &sparsim(&["run", "-w", &w, "-q", "-o", "r", "--pe-states"], &dir),
        "error: r/pe_states.csv exists and sparsim did not write it: move it away, choose another folder, or pass --force to replace it\n",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("r/pe_states.csv")).unwrap(),
        "mine\n"
    );
}

#[test]
fn another_commands_results_are_not_replaced_without_force() {
    let dir = temp_dir("other");
    let w = lenet();
    ok(&sparsim(&["compare", "-w", &w, "-q", "-o", "c"], &dir));
    fails(
        &sparsim(&["run", "-w", &w, "-q", "-o", "c"], &dir),
        "error: c holds the results of `sparsim compare`; `sparsim run` would replace them: choose another folder, or pass --force\n",
    );
    assert!(dir.join("c/compare.csv").exists());
}

#[test]
fn a_rerun_removes_what_the_last_run_wrote_and_plot_refuses_strays() {
    let dir = temp_dir("stale");
    let w = lenet();
    ok(&sparsim(
        &["run", "-w", &w, "-q", "-o", "r", "--pe-states", "--plot"],
        &dir,
    ));
    assert!(dir.join("r/pe_states.csv").exists());
    // The same command again, without --pe-states: its pe_states.csv is gone, so the new
    // layers.csv cannot be drawn next to the old run's PE states.
    ok(&sparsim(&["run", "-w", &w, "-q", "-o", "r"], &dir));
    assert!(!dir.join("r/pe_states.csv").exists());
    assert_eq!(
        names(&dir.join("r")),
        [
            "actions.csv",
            "charts",
            "layers.csv",
            "sparsim-manifest.json",
            "summary.json"
        ]
    );
    // A stray result file that the run did not write is refused by plot.
    std::fs::copy(dir.join("r/layers.csv"), dir.join("r/compare.csv")).unwrap();
    fails(
        &sparsim(&["plot", "r"], &dir),
        "error: r/compare.csv: not written by the run that wrote this folder (its sparsim-manifest.json does not list it); move it away or rerun `sparsim run`\n",
    );
    std::fs::remove_file(dir.join("r/compare.csv")).unwrap();
    ok(&sparsim(&["plot", "r"], &dir));
    // An edited result file is refused too.
    let p = dir.join("r/layers.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen(",", ";", 1)).unwrap();
    fails(
        &sparsim(&["plot", "r"], &dir),
        "error: r/layers.csv: changed since sparsim wrote it (its SHA-256 differs from the one in sparsim-manifest.json); rerun `sparsim run` to get a consistent folder\n",
    );
}

/// A run killed while putting its files in place leaves a manifest that says so (written
/// before the first rename); readers refuse such a folder.
#[test]
fn a_folder_whose_writing_was_cut_off_is_refused() {
    let dir = temp_dir("cut");
    let w = lenet();
    ok(&sparsim(&["compare", "-w", &w, "-q", "-o", "c"], &dir));
    let m = dir.join("c/sparsim-manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    assert!(text.contains("\"complete\": true"), "{text}");
    std::fs::write(
        &m,
        text.replace("\"complete\": true", "\"complete\": false"),
    )
    .unwrap();
    fails(
        &sparsim(&["plot", "c"], &dir),
        "error: c: `sparsim compare` did not finish writing this folder (it was stopped or failed): run it again\n",
    );
    // Running the command again makes the folder whole.
    ok(&sparsim(&["compare", "-w", &w, "-q", "-o", "c"], &dir));
    ok(&sparsim(&["plot", "c"], &dir));
}

#[test]
fn merge_never_writes_into_a_shard_and_refuses_edited_shards() {
    let dir = temp_dir("merge");
    let s = sweep_file(&dir, "s", "");
    let f = s.to_str().unwrap();
    ok(&sparsim(
        &["sweep", f, "-q", "--shard", "0/2", "-o", "a"],
        &dir,
    ));
    ok(&sparsim(
        &["sweep", f, "-q", "--shard", "1/2", "-o", "b"],
        &dir,
    ));
    let before = std::fs::read_to_string(dir.join("a/sweep.csv")).unwrap();
    fails(
        &sparsim(&["merge", "a", "b", "--out", "a"], &dir),
        "error: --out a: it is one of the shard folders being merged; name a new folder for the merged sweep\n",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a/sweep.csv")).unwrap(),
        before
    );
    // A row whose point id was edited is caught by the shard's manifest.
    let edited = before.replacen("\n0,", "\n3,", 1);
    assert_ne!(edited, before);
    std::fs::write(dir.join("a/sweep.csv"), edited).unwrap();
    fails(
        &sparsim(&["merge", "a", "b", "--out", "m"], &dir),
        "error: a/sweep.csv: changed since sparsim wrote it (its SHA-256 differs from the one in sparsim-manifest.json); rerun `sparsim sweep` to get a consistent folder\n",
    );
    assert!(!dir.join("m/sweep.csv").exists());
}

#[test]
fn resume_says_what_differs_and_deletes_nothing() {
    let dir = temp_dir("resume");
    let s = sweep_file(&dir, "s", "");
    let f = s.to_str().unwrap();
    ok(&sparsim(&["sweep", f, "-q", "-o", "o"], &dir));
    let before = std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap();
    // A finished folder resumed with another flag: nothing to continue, nothing deleted.
    fails(
        &sparsim(
            &["sweep", f, "-q", "-o", "o", "--resume", "--per-layer"],
            &dir,
        ),
        "error: o holds a finished sweep that differs from this one in per-layer rows (off there, on here; set by --per-layer or `per_layer`); --resume only continues an unfinished sweep of the same inputs and flags: run without --resume and with --force to replace its results, or choose another --out (nothing was changed)\n",
    );
    fails(
        &sparsim(
            &[
                "sweep",
                f,
                "-q",
                "-o",
                "o",
                "--resume",
                "--pareto",
                "total_cycles,pe_count",
            ],
            &dir,
        ),
        "error: o holds a finished sweep that differs from this one in its Pareto objectives (none there, total_cycles,pe_count here; set by --pareto or `pareto`); --resume only continues an unfinished sweep of the same inputs and flags: run without --resume and with --force to replace its results, or choose another --out (nothing was changed)\n",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap(),
        before
    );
    // An unfinished folder (the state a kill leaves) resumed with another flag names it.
    let u = dir.join("u");
    std::fs::create_dir(&u).unwrap();
    std::fs::copy(dir.join("o/sweep.meta.json"), u.join("sweep.meta.json")).unwrap();
    let header = before.lines().next().unwrap();
    let journal = format!("{header}\n{}\n", before.lines().nth(1).unwrap());
    std::fs::write(u.join("sweep.journal.csv"), &journal).unwrap();
    std::fs::write(
        u.join("sparsim-manifest.json"),
        "{\"command\": \"sweep\", \"complete\": false, \"files\": \
         {\"sweep.journal.csv\": \"\", \"sweep.meta.json\": \"\"}}",
    )
    .unwrap();
    fails(
        &sparsim(
            &["sweep", f, "-q", "-o", "u", "--resume", "--per-layer"],
            &dir,
        ),
        "error: u: cannot resume: the unfinished sweep there differs from this one in per-layer rows (off there, on here; set by --per-layer or `per_layer`); rerun with the same inputs and flags to resume it, or choose another --out (nothing was changed)\n",
    );
    // After the sweep file changes, its finished points are not silently discarded.
    std::fs::write(
        &s,
        std::fs::read_to_string(&s)
            .unwrap()
            .replace("[8, 16]", "[8, 32]"),
    )
    .unwrap();
    fails(
        &sparsim(&["sweep", f, "-q", "-o", "u", "--resume"], &dir),
        "error: u: cannot resume: the unfinished sweep there differs from this one in its inputs (the sweep file, its base architecture or a workload changed); rerun with the same inputs and flags to resume it, or choose another --out (nothing was changed)\n",
    );
    fails(
        &sparsim(&["sweep", f, "-q", "-o", "u"], &dir),
        "error: u holds an unfinished sweep (1 of its points done): pass --resume to continue it, or --force to discard them and start over\n",
    );
    assert_eq!(
        std::fs::read_to_string(u.join("sweep.journal.csv")).unwrap(),
        journal
    );
    ok(&sparsim(&["sweep", f, "-q", "-o", "u", "--force"], &dir));
    assert!(!u.join("sweep.journal.csv").exists());
}

#[test]
fn side_folders_are_sparsims_own_and_may_be_the_output_folder() {
    let dir = temp_dir("side");
    let w = lenet();
    std::fs::create_dir(dir.join("t")).unwrap();
    std::fs::write(dir.join("t/keep.txt"), "x").unwrap();
    fails(
        &sparsim(
            &["run", "-w", &w, "-q", "-o", "r", "--dram-trace", "t"],
            &dir,
        ),
        "error: t is not empty and was not written by sparsim (it holds keep.txt): choose a new or empty folder, or pass --force to write sparsim's files into it (files of the same names are replaced; nothing else is removed)\n",
    );
    // Nothing was written, and the main folder was not even created.
    assert_eq!(names(&dir.join("t")), ["keep.txt"]);
    assert!(!dir.join("r").exists());
    ok(&sparsim(
        &[
            "run",
            "-w",
            &w,
            "-q",
            "-o",
            "r",
            "--dram-trace",
            "r",
            "--accelergy",
            "r",
        ],
        &dir,
    ));
    let files = names(&dir.join("r"));
    for f in ["dram_trace.csv", "architecture.yaml", "layers.csv"] {
        assert!(files.iter().any(|n| n == f), "{files:?}");
    }
    ok(&sparsim(&["plot", "r"], &dir));
}
