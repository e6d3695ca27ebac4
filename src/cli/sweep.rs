//! `sparsim sweep` and `sparsim merge`: files, journals, shards and the final tables.
//!
//! While a sweep runs, every finished point is appended to `sweep.journal.csv` (and
//! `sweep_layers.journal.csv`); `--resume` skips the points already there. At the end the rows
//! are sorted by point id into `sweep.csv` (and `sweep_layers.csv`, `pareto.csv`), written
//! atomically, and the journals removed — so an interrupted and resumed sweep, or merged
//! shards, give the same bytes as one uninterrupted run.

use super::output_folder::{OutputFolder, read_finished};
use super::{MergeArgs, SweepArgs, progress_bar, same_folder};
use crate::builtins::BuiltinKind;
use crate::inputs::{self, parse_workload_text};
use crate::report::atomic::write_atomic;
use crate::sweep::output::{
    csv_line, pareto, parse_table, sort_by_point, sort_by_point_and_layer, table_bytes,
};
use crate::sweep::run::{columns, layer_columns, run_points};
use crate::sweep::spec::{Objective, SweepSpec, parse_objective, parse_sweep_file};
use crate::workload::scalesim_csv::TopologyForm;
use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a sweep folder says about the sweep that wrote it (identical for every shard).
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Meta {
    name: String,
    fingerprint: String,
    points: usize,
    pareto: Vec<String>,
    per_layer: bool,
    /// `i/n` for a shard's folder; absent for a whole sweep (and after a merge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
}

const TABLE: &str = "sweep.csv";
const LAYERS: &str = "sweep_layers.csv";
const JOURNAL: &str = "sweep.journal.csv";
const LAYER_JOURNAL: &str = "sweep_layers.journal.csv";
const META: &str = "sweep.meta.json";
const PARETO: &str = "pareto.csv";

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the file", path.display()))
}

/// Writes a sweep folder's `sweep.meta.json`.
fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    write_atomic(
        &dir.join(META),
        (serde_json::to_string_pretty(meta)? + "\n").as_bytes(),
    )?;
    Ok(())
}

/// Stages a sweep folder's `sweep.meta.json`.
fn write_meta_in(folder: &mut OutputFolder, meta: &Meta) -> Result<()> {
    folder.write(
        META,
        (serde_json::to_string_pretty(meta)? + "\n").as_bytes(),
    )?;
    Ok(())
}

/// What differs between the sweep that wrote a folder (`old`) and this one, in words; `None`
/// if nothing.
fn differences(old: &Meta, new: &Meta) -> Option<String> {
    let mut why = Vec::new();
    if old.name != new.name {
        why.push(format!("its name ({} there, {} here)", old.name, new.name));
    }
    if old.fingerprint != new.fingerprint || old.points != new.points {
        why.push("its inputs (the sweep file, its base architecture or a workload changed)".into());
    }
    if old.pareto != new.pareto {
        let show = |p: &[String]| {
            if p.is_empty() {
                "none".to_string()
            } else {
                p.join(",")
            }
        };
        why.push(format!(
            "its Pareto objectives ({} there, {} here; set by --pareto or `pareto`)",
            show(&old.pareto),
            show(&new.pareto)
        ));
    }
    if old.per_layer != new.per_layer {
        let on = |b: bool| if b { "on" } else { "off" };
        why.push(format!(
            "per-layer rows ({} there, {} here; set by --per-layer or `per_layer`)",
            on(old.per_layer),
            on(new.per_layer)
        ));
    }
    if old.shard != new.shard {
        let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
        why.push(format!(
            "its shard ({} there, {} here; set by --shard)",
            show(&old.shard),
            show(&new.shard)
        ));
    }
    (!why.is_empty()).then(|| why.join(" and "))
}

/// Reads a sweep folder's `sweep.meta.json`.
fn read_meta(dir: &Path) -> Result<Meta> {
    let path = dir.join(META);
    serde_json::from_str(&read(&path)?).with_context(|| format!("{}: unreadable", path.display()))
}

/// Parses `i/n`.
fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || anyhow!("--shard {s}: expected i/n with 0 ≤ i < n, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Loads the sweep file and everything it names; returns the spec and a fingerprint of all
/// the input bytes.
pub(super) fn load(path: &Path) -> Result<(SweepSpec, String)> {
    let text = read(path)?;
    let origin = path.display().to_string();
    let stem = path
        .file_stem()
        .map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
    let file = parse_sweep_file(&text, &origin, &stem)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    // Each named file is relative to the sweep file; a name with neither (and no such file)
    // is a built-in.
    let base = inputs::resolve_input(dir, Path::new(&file.base_arch), Some(BuiltinKind::Arch))?;
    let (base_text, base_origin, base_ext) = base.read_text()?;
    if base_ext != "toml" {
        bail!(
            "{origin}: base_arch: `{}` must be a sparsim architecture .toml (its keys are what the axes set)",
            file.base_arch
        );
    }
    hasher.update([0]);
    hasher.update(base_text.as_bytes());
    let mut workloads = Vec::new();
    for w in &file.workloads {
        let source = inputs::resolve_input(dir, Path::new(w), Some(BuiltinKind::Workload))?;
        let stem = source.stem();
        if let inputs::InputSource::File(p) = &source
            && inputs::is_onnx(p)
        {
            // An ONNX model's topology, with its own sizes (a symbolic batch is 1).
            let (import, record) = inputs::load_onnx(p, &Default::default())?;
            hasher.update([0]);
            hasher.update(record.sha256.as_bytes());
            workloads.push((stem, import.network));
            continue;
        }
        let (t, w_origin, ext) = source.read_text()?;
        hasher.update([0]);
        hasher.update(t.as_bytes());
        let net = parse_workload_text(&t, &w_origin, &stem, &ext, TopologyForm::Detect)?;
        workloads.push((stem, net));
    }
    let spec = file.resolve(&base_text, &base_origin, workloads)?;
    Ok((spec, format!("{:x}", hasher.finalize())))
}

pub(super) fn sweep_command(a: SweepArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let (mut spec, fingerprint) = load(&a.file)?;
    if a.per_layer {
        spec.per_layer = true;
    }
    if let Some(list) = &a.pareto {
        spec.pareto = list
            .iter()
            .map(|s| parse_objective(s).map_err(|e| anyhow!("--pareto: {e}")))
            .collect::<Result<_>>()?;
    }
    let all = spec.points()?;
    let total = all.len();
    let limits = a.limits.limits();
    for p in &all {
        let (wname, net) = &spec.workloads[p.workload];
        let arch = spec.arch(p)?;
        limits
            .check(
                &arch,
                net,
                crate::limits::Demands {
                    weights: true,
                    layouts: 1,
                    per_pe: false,
                },
            )
            .map_err(|e| {
                anyhow!(
                    "{}: point {} (workload {wname}): {e}",
                    a.file.display(),
                    p.id
                )
            })?;
    }
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    let mine = match shard {
        Some((i, n)) => crate::sweep::run::shard(&spec, all, i, n)?,
        None => all,
    };
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("results/tmp/sweep-{}", spec.name)));
    let mut folder = OutputFolder::open(&out, "sweep", a.force)?;
    let meta = Meta {
        name: spec.name.clone(),
        fingerprint,
        points: total,
        pareto: spec.pareto.iter().map(ToString::to_string).collect(),
        per_layer: spec.per_layer,
        shard: shard.map(|(i, n)| format!("{i}/{n}")),
    };
    let header = columns(&spec);
    let lheader = layer_columns();
    let journal = out.join(JOURNAL);
    let ljournal = out.join(LAYER_JOURNAL);
    let mut journals = vec![META, JOURNAL];
    if spec.per_layer {
        journals.push(LAYER_JOURNAL);
    }
    let mut finished: std::collections::HashSet<String> = std::collections::HashSet::new();
    let ours = folder.previous().cloned();
    let unfinished =
        ours.as_ref().is_some_and(|m| m.files.contains_key(JOURNAL)) && journal.exists();
    let complete = ours.as_ref().is_some_and(|m| m.complete) && out.join(TABLE).exists();
    let shown = out.display();
    // `--force` without `--resume` discards an unfinished sweep and starts over.
    let discard = a.force && !a.resume;
    if unfinished && !discard {
        let old = read_meta(&out)?;
        let (_, rows) =
            parse_table(&read(&journal)?).map_err(|e| anyhow!("{}: {e}", journal.display()))?;
        if !a.resume {
            bail!(
                "{shown} holds an unfinished sweep ({} of its points done): pass --resume to continue it, or --force to discard them and start over",
                rows.len()
            );
        }
        if let Some(why) = differences(&old, &meta) {
            bail!(
                "{shown}: cannot resume: the unfinished sweep there differs from this one in {why}; rerun with the same inputs and flags to resume it, or choose another --out (nothing was changed)"
            );
        }
        let (h, rows) =
            parse_table(&read(&journal)?).map_err(|e| anyhow!("{}: {e}", journal.display()))?;
        if h != header {
            bail!(
                "{}: its columns differ from this sweep's",
                journal.display()
            );
        }
        finished = rows.into_iter().map(|r| r[0].clone()).collect();
        folder.claim(&journals)?;
        // Rewrite the journals without a cut-off last line.
        truncate_to_complete_lines(&journal)?;
        if ljournal.exists() {
            truncate_to_complete_lines(&ljournal)?;
        }
    } else {
        if complete {
            let old = read_meta(&out).ok();
            let same = old.as_ref().is_some_and(|old| *old == meta);
            if a.resume && same {
                // Finished before: resuming has nothing to do (a requeued shard, a rerun
                // script).
                if !a.quiet {
                    println!(
                        "{}: already finished in {}; nothing to resume",
                        spec.name,
                        out.join(TABLE).display()
                    );
                }
                return Ok(());
            }
            let why = old
                .as_ref()
                .and_then(|old| differences(old, &meta))
                .unwrap_or_else(|| "its sweep.meta.json".into());
            if a.resume {
                bail!(
                    "{shown} holds a finished sweep that differs from this one in {why}; --resume only continues an unfinished sweep of the same inputs and flags: run without --resume and with --force to replace its results, or choose another --out (nothing was changed)"
                );
            }
            if !same && !a.force {
                bail!(
                    "{shown} holds the finished results of a sweep that differs from this one in {why}: pass --force to replace them, or choose another --out"
                );
            }
        }
        // A fresh start: the manifest lists the journals before they exist, and the meta
        // file goes first so that a journal never exists without it. The earlier run's
        // results are removed when this one's are in place.
        folder.claim(&journals)?;
        write_meta(&out, &meta)?;
        if spec.per_layer {
            write_atomic(&ljournal, csv_line(&lheader).as_bytes())?;
        }
        write_atomic(&journal, csv_line(&header).as_bytes())?;
    }
    let todo: Vec<_> = mine
        .iter()
        .filter(|p| !finished.contains(&p.id.to_string()))
        .cloned()
        .collect();
    let bar = progress_bar(todo.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} points  {elapsed} (eta {eta})",
        )
        .expect("valid template"),
    );
    let files = Mutex::new((
        std::fs::OpenOptions::new().append(true).open(&journal)?,
        if spec.per_layer {
            Some(std::fs::OpenOptions::new().append(true).open(&ljournal)?)
        } else {
            None
        },
    ));
    let failure: Mutex<Option<std::io::Error>> = Mutex::new(None);
    run_points(&spec, &todo, &|r| {
        bar.inc(1);
        let mut failed = failure.lock().expect("never poisoned");
        if failed.is_some() {
            // After a failed write nothing more is appended, so the journal ends in at most
            // one cut-off line, which --resume drops.
            return;
        }
        let mut f = files.lock().expect("the journal lock is never poisoned");
        let mut text = String::new();
        for l in &r.layers {
            text.push_str(&csv_line(l));
        }
        // Layer rows first: a point counts as done once its summary row is in.
        let res = (|| -> std::io::Result<()> {
            if let Some(lf) = f.1.as_mut() {
                lf.write_all(text.as_bytes())?;
                lf.flush()?;
            }
            f.0.write_all(csv_line(&r.row).as_bytes())?;
            f.0.flush()
        })();
        if let Err(e) = res {
            *failed = Some(e);
        }
    })?;
    bar.finish_and_clear();
    if let Some(e) = failure.into_inner().expect("never poisoned") {
        return Err(e).with_context(|| format!("cannot append to {}", journal.display()));
    }
    drop(files);
    let (_, mut rows) = parse_table(&read(&journal)?).map_err(|e| anyhow!("{e}"))?;
    sort_by_point(&mut rows);
    rows.dedup_by(|a, b| a[0] == b[0]);
    let layers = if spec.per_layer {
        let (_, lrows) =
            parse_table(&read(&ljournal)?).map_err(|e| anyhow!("{}: {e}", ljournal.display()))?;
        Some((lheader.clone(), lrows))
    } else {
        None
    };
    finish(&mut folder, &header, &rows, &spec.pareto, layers)?;
    write_meta_in(&mut folder, &meta)?;
    folder.commit()?;
    if !a.quiet {
        let bad = rows
            .iter()
            .filter(|r| r[header.iter().position(|h| h == "status").expect("status")] != "ok")
            .count();
        println!(
            "{}: {} points{} ({} infeasible) in {:.1} s; wrote {}",
            spec.name,
            rows.len(),
            shard.map_or(String::new(), |(i, n)| format!(
                " of {total} (shard {i}/{n})"
            )),
            bad,
            started.elapsed().as_secs_f64(),
            out.join(TABLE).display()
        );
    }
    if a.plot {
        super::plot_into(
            &out,
            None,
            &crate::report::plot::PlotOptions::default(),
            a.force,
            a.quiet,
        )?;
    }
    Ok(())
}

fn truncate_to_complete_lines(path: &Path) -> Result<()> {
    let text = read(path)?;
    let keep = text.rfind('\n').map_or(0, |i| i + 1);
    if keep != text.len() {
        write_atomic(path, &text.as_bytes()[..keep])?;
    }
    Ok(())
}

/// Writes the final tables (of a sweep or a merge) from rows sorted by point and the per-layer
/// rows in any order.
fn finish(
    out: &mut OutputFolder,
    header: &[String],
    rows: &[Vec<String>],
    pareto_obj: &[Objective],
    layers: Option<(Vec<String>, Vec<Vec<String>>)>,
) -> Result<()> {
    out.write(TABLE, &table_bytes(header, rows))?;
    if let Some((lh, mut lrows)) = layers {
        // Keep the layer rows of points whose summary row made it (and each point's once).
        let done: std::collections::HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        lrows.retain(|r| done.contains(r[0].as_str()));
        // Rows are keyed by (point, layer index): layer names need not be unique.
        let mut seen = std::collections::HashSet::new();
        lrows.retain(|r| seen.insert((r[0].clone(), r[1].clone())));
        sort_by_point_and_layer(&mut lrows);
        out.write(LAYERS, &table_bytes(&lh, &lrows))?;
    }
    if !pareto_obj.is_empty() {
        let front = pareto(header, rows, pareto_obj).map_err(|e| anyhow!(e))?;
        out.write(PARETO, &table_bytes(header, &front))?;
    }
    Ok(())
}

pub(super) fn merge_command(a: MergeArgs) -> Result<()> {
    let mut meta: Option<Meta> = None;
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut lheader: Option<Vec<String>> = None;
    let mut lrows = Vec::new();
    for (i, dir) in a.dirs.iter().enumerate() {
        if let Some(again) = a.dirs[..i].iter().find(|d| same_folder(d, dir)) {
            bail!(
                "{} and {} are the same shard folder: name each shard once",
                again.display(),
                dir.display()
            );
        }
        if same_folder(dir, &a.out) {
            bail!(
                "--out {}: it is one of the shard folders being merged; name a new folder for the merged sweep",
                a.out.display()
            );
        }
    }
    let mut folder = OutputFolder::open(&a.out, "merge", a.force)?;
    for dir in &a.dirs {
        if dir.join(JOURNAL).exists() {
            bail!(
                "{}: the shard is unfinished ({JOURNAL} is still there); finish it with --resume",
                dir.display()
            );
        }
        read_finished(dir, &["sweep"], &[TABLE, LAYERS, PARETO, META])?;
        let mut m = read_meta(dir)?;
        // Shards differ only in which slice they ran; the merged sweep is whole.
        m.shard = None;
        let per_layer = m.per_layer;
        match &meta {
            None => meta = Some(m),
            Some(first) if *first != m => bail!(
                "{}: a shard of another sweep (its {META} differs from {})",
                dir.display(),
                a.dirs[0].display()
            ),
            Some(_) => {}
        }
        let (h, r) =
            parse_table(&read(&dir.join(TABLE))?).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
        if header.as_ref().is_some_and(|x| *x != h) {
            bail!("{}: its {TABLE} columns differ", dir.display());
        }
        header = Some(h);
        let points = meta.as_ref().map_or(0, |m| m.points);
        if let Some(bad) = r
            .iter()
            .find(|row| row[0].parse::<usize>().map_or(true, |id| id >= points))
        {
            bail!(
                "{}: {TABLE} has a row with point id `{}`, but the sweep's points are 0 to {}",
                dir.display(),
                bad[0],
                points.saturating_sub(1)
            );
        }
        rows.extend(r.into_iter().map(|row| (dir, row)));
        if per_layer {
            let (h, r) = parse_table(&read(&dir.join(LAYERS))?)
                .map_err(|e| anyhow!("{}: {e}", dir.display()))?;
            lheader = Some(h);
            lrows.extend(r);
        }
    }
    let meta = meta.ok_or_else(|| anyhow!("merge needs at least one folder"))?;
    let header = header.expect("one folder was read");
    rows.sort_by_key(|(_, row)| row[0].parse::<usize>().expect("checked above"));
    if let Some(w) = rows.windows(2).find(|w| w[0].1[0] == w[1].1[0]) {
        let twice = rows.windows(2).filter(|w| w[0].1[0] == w[1].1[0]).count();
        bail!(
            "the shards overlap: {twice} points appear twice, e.g. point {} in {} and in {}",
            w[0].1[0],
            w[0].0.display(),
            w[1].0.display()
        );
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, row)| row).collect();
    if rows.len() != meta.points {
        bail!(
            "the shards hold {} of the sweep's {} points: the merge would be incomplete",
            rows.len(),
            meta.points
        );
    }
    let objectives: Vec<Objective> = meta
        .pareto
        .iter()
        .map(|s| parse_objective(s).map_err(|e| anyhow!(e)))
        .collect::<Result<_>>()?;
    finish(
        &mut folder,
        &header,
        &rows,
        &objectives,
        lheader.map(|h| (h, lrows)),
    )?;
    write_meta_in(&mut folder, &meta)?;
    folder.commit()?;
    println!(
        "merged {} points from {} folders into {}",
        rows.len(),
        a.dirs.len(),
        a.out.display()
    );
    Ok(())
}
