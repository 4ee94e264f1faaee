//! Writing one file atomically: a temporary file beside it, then a rename.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{UnsafeLink, check_links, may_follow};

/// Writes `bytes` to `path` through a temporary file beside it and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Writes what `write` gives to `path` through a temporary file beside it
/// and a rename: a large export is streamed to disk, never held in memory
/// whole, and a failure leaves `path` as it was. A `path` that is a
/// symbolic link is written through: the file it points to is replaced and
/// the link stays (unless the link may not be followed: [`UnsafeLink`]).
/// A file that is replaced keeps its permission bits; a new one gets the
/// usual default (the umask applies).
///
/// The temporary file, `.<name>.ropa-tmp-<pid>-<random>`, is locked
/// (`flock`) while it is written; before writing, temporary files of
/// `path` that nobody holds locked (left by a killed run) are removed.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let denied = |e: UnsafeLink| std::io::Error::new(std::io::ErrorKind::PermissionDenied, e);
    // Every link on the way is checked, not only the last one.
    check_links(path).map_err(denied)?;
    let path = &follow_links(path).map_err(denied)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let prefix = format!(".{name}.ropa-tmp-");
    remove_stale_temporaries(dir, &prefix);
    let (tmp, file) = create_locked_temporary(dir, &prefix, path)?;
    let result = (|| {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A name no other run picks: the process id (unique among running
/// processes of one PID namespace) and random bits (two namespaces may
/// both have a process 2).
fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{}-{:016x}", std::process::id(), h.finish())
}

/// Creates a new temporary file `<prefix><unique>` in `dir` and locks it.
/// Between the creation and the lock another run's clean-up may take the
/// file for a leftover and remove it: then the name no longer leads to the
/// locked file, and a new one is made.
fn create_locked_temporary(
    dir: &Path,
    prefix: &str,
    replaced: &Path,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!("{prefix}{}", unique_suffix()));
        let file = match create_temporary(&tmp, replaced) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        file.lock()?;
        if same_file(&file, &tmp) {
            return Ok((tmp, file));
        }
        last = Some(std::io::Error::other(format!(
            "`{}` was removed while it was being created",
            tmp.display()
        )));
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("cannot create a temporary file")))
}

/// Is `path` (not followed if a link) the open `file`?
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.is_file()
    }
}

/// Removes the temporary files `<prefix>*` in `dir` that no running export
/// holds locked: those of runs that were killed. The lock, not a process
/// id, tells: the kernel releases it when its holder ends, in whatever PID
/// namespace it ran.
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(prefix)
            || !e.file_type().is_ok_and(|t| t.is_file())
        {
            continue;
        }
        let path = e.path();
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
            options.custom_flags(flags.bits() as i32);
        }
        let Ok(file) = options.open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() && same_file(&file, &path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Creates the temporary file `tmp` afresh (never through a link). When
/// it is to replace a regular file, it gets that file's permission bits (a
/// register kept private stays private), and gets them from the start, so
/// its contents are never readable more widely while they are written.
/// Set-id and sticky bits are not carried over to a file this process owns.
#[cfg(unix)]
fn create_temporary(tmp: &Path, replaced: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let kept = std::fs::metadata(replaced)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions().mode() & 0o777);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    if let Some(mode) = kept {
        options.mode(mode);
    }
    let file = options.open(tmp)?;
    if let Some(mode) = kept {
        // The umask narrowed the mode given at creation: set it exactly.
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    Ok(file)
}

#[cfg(not(unix))]
fn create_temporary(tmp: &Path, _replaced: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
}

/// The file `path` names after following symbolic links (at most 40, as
/// the kernel does), even when the last one points to nothing yet. A link
/// that may not be followed ([`UnsafeLink`]) is an error.
pub fn follow_links(path: &Path) -> Result<PathBuf, UnsafeLink> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                may_follow(&p, &m)?;
                match std::fs::read_link(&p) {
                    Ok(target) if target.is_absolute() => p = target,
                    Ok(target) => {
                        let base = p
                            .parent()
                            .filter(|b| !b.as_os_str().is_empty())
                            .unwrap_or(Path::new("."))
                            .to_path_buf();
                        p = base.join(target);
                    }
                    Err(_) => break,
                }
            }
            _ => break,
        }
    }
    Ok(p)
}
