//! Exports: the JSON register (Art. 30(4)), the ICO CSV and XLSX, and DPV
//! JSON-LD, each read from the linked register ([`crate::resolve::Register`]).
//!
//! Entry points: [`json::write_json`], [`json::schema`], [`ico::write_csv`],
//! [`xlsx::workbook`], [`dpv::write_jsonld`]. Files are written through
//! [`write_atomic`], so an export never leaves a partial file.

pub mod dpv;
pub mod ico;
pub mod json;
pub mod xlsx;

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
/// the link stays.
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
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
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
