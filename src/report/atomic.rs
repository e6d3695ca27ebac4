//! Atomic file writes: write a fresh temp file beside the target, flush it to disk, rename it
//! over the target.
//!
//! The temp file has a random name and is created exclusively (`O_CREAT | O_EXCL`, which
//! never follows a symlink), so nothing planted in the folder can redirect the write; the
//! rename replaces the target's directory entry, so a symlink at the target is replaced, not
//! followed.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Prefix of sparsim's temp files.
pub const TEMP_PREFIX: &str = ".sparsim-tmp-";

/// A new, exclusively created temp file in `dir`, removed when dropped unless persisted.
/// Its mode is the usual `0666` less the umask (a plain temp file's `0600` would hide the
/// results from the user's group).
pub fn temp_file_in(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Writes `bytes` to a new temp file in `dir` and flushes it to disk; the file is removed
/// when the returned path is dropped unless it is persisted.
pub fn staged_in(dir: &Path, bytes: &[u8]) -> io::Result<tempfile::TempPath> {
    let mut f = temp_file_in(dir)?;
    f.write_all(bytes)?;
    f.as_file().sync_all()?;
    Ok(f.into_temp_path())
}

/// Writes `bytes` to `path` atomically. The parent folder must exist.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "path has no file name",
        ));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = staged_in(dir, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Flushes a folder's entries (renames into it) to disk; a no-op where folders cannot be
/// opened as files.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// The old temp name (`.<name>.tmp-<pid>`) was predictable: a symlink planted there made
    /// the write go through it into another file. Neither that name nor a symlink at the
    /// target itself can redirect the write now.
    #[cfg(unix)]
    #[test]
    fn planted_symlinks_do_not_redirect_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        let planted = out.join(format!(".layers.csv.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("summary.json")).unwrap();
        write_atomic(&out.join("layers.csv"), b"rows").unwrap();
        write_atomic(&out.join("summary.json"), b"{}").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(fs::read(out.join("layers.csv")).unwrap(), b"rows");
        let summary = out.join("summary.json");
        assert!(!fs::symlink_metadata(&summary).unwrap().is_symlink());
        assert_eq!(fs::read(&summary).unwrap(), b"{}");
    }

    /// Results are as readable as any file the user creates (mode 0666 less the umask).
    #[cfg(unix)]
    #[test]
    fn results_get_the_usual_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        fs::write(&plain, b"x").unwrap();
        let ours = dir.path().join("ours");
        write_atomic(&ours, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
    }
}
