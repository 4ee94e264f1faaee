//! Writing one file atomically: a temporary file beside it, then a rename.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file beside it and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Writes what `write` gives to `path` through a temporary file beside it
/// and a rename: a large export is streamed to disk, never held in memory
/// whole, and a failure leaves `path` as it was. A `path` that is a
/// symbolic link is written through: the file it points to is replaced and
/// the link stays. A file that is replaced keeps its permission bits; a new
/// one gets the usual default (the umask applies).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let path = &follow_links(path);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.ropa-tmp-{}", std::process::id()));
    // A leftover of a killed run with the same process id is removed; the
    // new file is then created afresh, never opened through a link.
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let file = create_temporary(&tmp, path)?;
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
/// the kernel does), even when the last one points to nothing yet.
pub fn follow_links(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
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
            },
            _ => break,
        }
    }
    p
}
