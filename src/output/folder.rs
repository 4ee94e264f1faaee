//! Writing a new folder of files atomically (`ropa import`, `ropa init`):
//! a temporary folder beside it, then one rename.

use std::path::{Path, PathBuf};

/// Writes `files` (path in the folder, text) into a temporary folder beside
/// `out`, then renames it into place: a failed or killed run leaves no
/// half-written folder (the temporary one is removed on failure). `out`
/// must not exist or be an empty folder, which rename(2) replaces; callers
/// refuse anything else before they write.
pub fn write_new_folder(out: &Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".ropa-new-")
        .tempdir_in(&parent)?;
    // Each folder once, then the files (thousands of activities share one).
    let dirs: std::collections::BTreeSet<&Path> = files
        .iter()
        .filter_map(|(rel, _)| Path::new(rel).parent())
        .collect();
    for dir in dirs {
        std::fs::create_dir_all(staging.path().join(dir))?;
    }
    // In parallel: on a virtual machine, creating a small file costs more
    // in the kernel than writing it.
    use rayon::prelude::*;
    files
        .par_iter()
        .try_for_each(|(rel, text)| std::fs::write(staging.path().join(rel), text))?;
    std::fs::rename(staging.path(), out)?;
    // Renamed away: nothing left for the guard to remove.
    let _ = staging.keep();
    Ok(())
}
