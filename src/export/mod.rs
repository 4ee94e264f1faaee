//! Exports: the JSON register (Art. 30(4)) and the formats built from it.
//!
//! Entry points: [`json::to_json`], [`json::schema`]. Files are written
//! through [`write_atomic`], so an export never leaves a partial file.

pub mod dpv;
pub mod ico;
pub mod json;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file beside it and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.ropa-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
