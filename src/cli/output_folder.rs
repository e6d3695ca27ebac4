//! Output folders: what sparsim writes, where, and what it does with a folder that exists.
//!
//! Every folder sparsim writes results into gets a manifest, [`MANIFEST`]: the command that
//! wrote the folder, whether that command finished writing it, and each file it wrote with
//! the file's SHA-256. A command opens its output folder before it computes anything:
//!
//! - A folder that does not exist is created; an empty folder is used as it is.
//! - A folder whose manifest names the same command holds an earlier run's results: this run
//!   replaces them, and removes the earlier run's files that it does not write itself (so no
//!   chart or `pe_states.csv` of the earlier run survives next to the new results). Files the
//!   manifest does not list are the user's: they are left alone, and a file this run would
//!   write under such a name is refused.
//! - A folder whose manifest names another command is refused: its results would be mixed
//!   with this run's or deleted.
//! - A folder that is not empty and has no manifest (or an unreadable one) was not made by
//!   sparsim and is refused.
//!
//! `--force` lifts the refusals: sparsim then replaces files of the names it writes and still
//! removes only files its manifest lists.
//!
//! Files are written to randomly named temp files in the folder, flushed to disk, and renamed
//! into place only when the whole run's files are ready. Before the renames the manifest is
//! rewritten as incomplete (listing both runs' files), and after them as complete: if the
//! process dies in between, the folder says so, and `plot`, `merge` and `--resume` refuse it.

use crate::report::atomic::{staged_in, sync_dir, write_atomic};
use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest's file name.
pub const MANIFEST: &str = "sparsim-manifest.json";

/// What a folder's manifest records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The command that wrote the folder (`run`, `compare`, `sweep`, …).
    pub command: String,
    /// Whether the command finished writing the folder.
    pub complete: bool,
    /// Each file sparsim wrote there (a path relative to the folder) and its SHA-256 (empty
    /// while the file is still being written, e.g. a sweep's journal).
    pub files: BTreeMap<String, String>,
}

/// What a folder held when it was opened.
#[derive(Debug)]
enum Previous {
    /// Nothing: a new or empty folder.
    Nothing,
    /// Results of an earlier sparsim run.
    Ours(Manifest),
    /// Files sparsim did not write (allowed by `--force`).
    Foreign,
}

/// An output folder opened for one command; files are staged until [`OutputFolder::commit`].
#[derive(Debug)]
pub struct OutputFolder {
    dir: PathBuf,
    command: &'static str,
    force: bool,
    previous: Previous,
    /// Staged files: name → (temp file, SHA-256).
    staged: BTreeMap<String, (tempfile::TempPath, String)>,
    /// Files written in place while the command runs (journals), listed as incomplete.
    claimed: BTreeMap<String, String>,
}

/// SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Checks a file name sparsim writes: a relative path of plain components.
fn check_name(name: &str) {
    assert!(
        !name.is_empty()
            && name
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\\')),
        "output file names are relative paths of plain components: {name:?}"
    );
}

impl OutputFolder {
    /// Opens `dir` for `command` under the rules above.
    pub fn open(dir: &Path, command: &'static str, force: bool) -> Result<OutputFolder> {
        let shown = dir.display();
        let previous = match std::fs::metadata(dir) {
            // Created when the first file is written, so that a refusal of another folder
            // leaves nothing behind.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Previous::Nothing,
            Err(e) => return Err(e).with_context(|| format!("cannot use {shown}")),
            Ok(m) if !m.is_dir() => {
                bail!("{shown} is a file, not a folder: name a folder for the results")
            }
            Ok(_) => classify(dir)?,
        };
        let folder = OutputFolder {
            dir: dir.to_path_buf(),
            command,
            force,
            previous,
            staged: BTreeMap::new(),
            claimed: BTreeMap::new(),
        };
        match &folder.previous {
            Previous::Ours(m) if m.command != command && !force => bail!(
                "{shown} holds the results of `sparsim {}`; `sparsim {command}` would replace them: choose another folder, or pass --force",
                m.command
            ),
            Previous::Foreign if !force => {
                let names = listing(dir)?;
                bail!(
                    "{shown} is not empty and was not written by sparsim (it holds {}): choose a new or empty folder, or pass --force to write sparsim's files into it (files of the same names are replaced; nothing else is removed)",
                    names
                )
            }
            _ => Ok(folder),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest of the results the folder held when opened, if sparsim wrote them.
    pub fn previous(&self) -> Option<&Manifest> {
        match &self.previous {
            Previous::Ours(m) => Some(m),
            _ => None,
        }
    }

    /// Where `name` ends up.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Creates the folder if it does not exist yet.
    fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create the output folder {}", self.dir.display()))
    }

    /// Refuses `name` if a file of that name exists that sparsim did not write.
    fn check_free(&self, name: &str) -> Result<()> {
        check_name(name);
        let ours = self.claimed.contains_key(name)
            || self.previous().is_some_and(|m| m.files.contains_key(name));
        let p = self.path(name);
        if !ours && !self.force && std::fs::symlink_metadata(&p).is_ok() {
            bail!(
                "{} exists and sparsim did not write it: move it away, choose another folder, or pass --force to replace it",
                p.display()
            );
        }
        Ok(())
    }

    /// Stages `bytes` as the folder's file `name` (replacing an earlier stage of it); returns
    /// the path it will have.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        self.check_free(name)?;
        self.create()?;
        let tmp = staged_in(&self.dir, bytes)
            .with_context(|| format!("cannot write a temp file in {}", self.dir.display()))?;
        self.staged
            .insert(name.to_string(), (tmp, sha256_hex(bytes)));
        Ok(self.path(name))
    }

    /// Marks the folder as being written by this command, with `names` written in place
    /// while it runs (a sweep's journal): the manifest lists them, as incomplete, before any
    /// exists.
    pub fn claim(&mut self, names: &[&str]) -> Result<()> {
        self.create()?;
        for name in names {
            self.check_free(name)?;
            self.claimed.insert(name.to_string(), String::new());
        }
        let mut files = self.previous().map(|m| m.files.clone()).unwrap_or_default();
        files.extend(self.claimed.clone());
        self.write_manifest(false, files)
    }

    fn write_manifest(&self, complete: bool, files: BTreeMap<String, String>) -> Result<()> {
        let m = Manifest {
            command: self.command.to_string(),
            complete,
            files,
        };
        let p = self.path(MANIFEST);
        let text = serde_json::to_string_pretty(&m).expect("a manifest serializes") + "\n";
        write_atomic(&p, text.as_bytes()).with_context(|| format!("cannot write {}", p.display()))
    }

    /// Puts the staged files in place, removes the earlier run's files (and the claimed ones)
    /// that this run did not write, and records the folder as complete.
    pub fn commit(self) -> Result<()> {
        self.create()?;
        let mut all = self.previous().map(|m| m.files.clone()).unwrap_or_default();
        all.extend(self.claimed.clone());
        let new: BTreeMap<String, String> = self
            .staged
            .iter()
            .map(|(n, (_, h))| (n.clone(), h.clone()))
            .collect();
        all.extend(new.clone());
        self.write_manifest(false, all.clone())?;
        for (name, (tmp, _)) in self.staged {
            let p = self.dir.join(&name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            tmp.persist(&p)
                .map_err(|e| anyhow!("cannot write {}: {}", p.display(), e.error))?;
        }
        for name in all.keys().filter(|n| !new.contains_key(*n)) {
            let p = self.dir.join(name);
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e)
                        .with_context(|| format!("cannot remove the stale {}", p.display()));
                }
                _ => {}
            }
        }
        let done = OutputFolder {
            dir: self.dir,
            command: self.command,
            force: self.force,
            previous: Previous::Nothing,
            staged: BTreeMap::new(),
            claimed: BTreeMap::new(),
        };
        done.write_manifest(true, new)?;
        sync_dir(&done.dir);
        Ok(())
    }
}

/// What an existing folder holds.
fn classify(dir: &Path) -> Result<Previous> {
    let p = dir.join(MANIFEST);
    if std::fs::symlink_metadata(&p).is_ok() {
        return Ok(read_manifest(dir).map_or(Previous::Foreign, Previous::Ours));
    }
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    Ok(if entries.next().is_none() {
        Previous::Nothing
    } else {
        Previous::Foreign
    })
}

/// Up to five of a folder's entries, for a message.
fn listing(dir: &Path) -> Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let more = names.len().saturating_sub(5);
    names.truncate(5);
    let mut s = names.join(", ");
    if more > 0 {
        s += &format!(" and {more} more");
    }
    Ok(s)
}

/// Reads a folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let p = dir.join(MANIFEST);
    let meta = std::fs::symlink_metadata(&p)
        .map_err(|_| anyhow!("{}: no {MANIFEST}, so sparsim did not write this folder (or an older version did): rerun the command that makes it", dir.display()))?;
    if !meta.is_file() || meta.len() > 16 << 20 {
        bail!("{}: not a manifest sparsim wrote", p.display());
    }
    let text =
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not a manifest sparsim wrote ({e})", p.display()))
}

/// Reads the manifest of a finished result folder written by one of `commands`, and checks
/// every file it lists against its SHA-256, and that none of `also` (files a reader would
/// take from the folder) is there without being listed.
pub fn read_finished(dir: &Path, commands: &[&str], also: &[&str]) -> Result<Manifest> {
    let shown = dir.display();
    if !dir.is_dir() {
        bail!(
            "{shown}: no such folder: name a result folder written by sparsim run, compare or sweep"
        );
    }
    let m = read_manifest(dir)?;
    if !commands.contains(&m.command.as_str()) {
        bail!(
            "{shown} holds the results of `sparsim {}`, not of {}",
            m.command,
            commands
                .iter()
                .map(|c| format!("`sparsim {c}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        );
    }
    if !m.complete {
        bail!(
            "{shown}: `sparsim {}` did not finish writing this folder (it was stopped or failed): run it again",
            m.command
        );
    }
    for (name, hash) in &m.files {
        let p = dir.join(name);
        let bytes = std::fs::read(&p).map_err(|e| {
            anyhow!(
                "{}: listed in {MANIFEST} but cannot be read ({e})",
                p.display()
            )
        })?;
        if sha256_hex(&bytes) != *hash {
            bail!(
                "{}: changed since sparsim wrote it (its SHA-256 differs from the one in {MANIFEST}); rerun `sparsim {}` to get a consistent folder",
                p.display(),
                m.command
            );
        }
    }
    for name in also {
        if !m.files.contains_key(*name) && std::fs::symlink_metadata(dir.join(name)).is_ok() {
            bail!(
                "{}: not written by the run that wrote this folder (its {MANIFEST} does not list it); move it away or rerun `sparsim {}`",
                dir.join(name).display(),
                m.command
            );
        }
    }
    Ok(m)
}
