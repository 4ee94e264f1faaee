//! Writing a site atomically: staged beside `--out`, then swapped in.
//!
//! The site is written to a temporary folder beside `--out` and swapped in
//! only when complete, so an error, a crash or a kill leaves the published
//! site exactly as it was. On Linux the swap is one `renameat2` call with
//! `RENAME_EXCHANGE`: at no moment is there no site. Leftovers of a killed
//! build are removed by the next one.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::absolute;

/// Why a site could not be staged or swapped in.
#[derive(Debug)]
pub enum SiteError {
    /// `--out` is unsafe to replace: the path as given, and why.
    Refused(PathBuf, String),
    Io(PathBuf, io::Error),
    /// A page path that would leave the site (a bug, never user input).
    BadPath(String),
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::Refused(p, why) => {
                write!(f, "refusing to write the site to `{}`: {why}", p.display())
            }
            SiteError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
            SiteError::BadPath(p) => write!(f, "refusing to write `{p}` outside the site"),
        }
    }
}

impl std::error::Error for SiteError {}

/// A file every site ropa writes carries, so `--out` is only ever replaced
/// when it is a site ropa made (or empty): a typo in `--out` must not wipe
/// someone's folder.
pub const MARKER: &str = ".ropa-site";

pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    committed: bool,
    /// The folders made by `make_dirs`, open: pages are created relative
    /// to them, which spares the kernel a walk of the whole path for each
    /// of thousands of files (about a tenth of the build's system time).
    #[cfg(unix)]
    dirs: Vec<(String, std::os::fd::OwnedFd)>,
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let mut s = OsString::from(format!(".{name}.ropa-{tag}"));
    if tag.ends_with('-') {
        s.push(std::process::id().to_string());
    }
    out.with_file_name(s)
}

impl Staging {
    /// Checks `out` and makes the temporary folder beside it.
    pub fn new(out: &Path, registry: &Path) -> Result<Staging, SiteError> {
        let io = |e: io::Error| SiteError::Io(out.to_path_buf(), e);
        let out_abs = absolute(out).map_err(io)?;
        let reg_abs = absolute(registry).map_err(io)?;
        if out_abs.parent().is_none() {
            return Err(SiteError::Refused(
                out.to_path_buf(),
                "it is the root folder".into(),
            ));
        }
        if reg_abs.starts_with(&out_abs) {
            let why = if reg_abs == out_abs {
                "it is the registry folder"
            } else {
                "it contains the registry folder"
            };
            return Err(SiteError::Refused(out.to_path_buf(), why.into()));
        }
        if out_abs.exists() {
            if !out_abs.is_dir() {
                return Err(SiteError::Refused(
                    out.to_path_buf(),
                    "it exists and is not a folder".into(),
                ));
            }
            let empty = fs::read_dir(&out_abs).map_err(io)?.next().is_none();
            if !empty && !out_abs.join(MARKER).is_file() {
                return Err(SiteError::Refused(
                    out.to_path_buf(),
                    format!(
                        "it exists and was not written by `ropa build` (no `{MARKER}` in it); remove it or choose another --out"
                    ),
                ));
            }
        }
        let parent = out_abs.parent().map(Path::to_path_buf).unwrap_or_default();
        fs::create_dir_all(&parent).map_err(io)?;
        restore_interrupted_swap(&out_abs);
        remove_leftovers(&out_abs);
        let tmp = sibling(&out_abs, "tmp-");
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io)?;
        }
        fs::create_dir(&tmp).map_err(io)?;
        Ok(Staging {
            tmp,
            out: out_abs,
            committed: false,
            #[cfg(unix)]
            dirs: Vec::new(),
        })
    }

    /// Where `rel` goes in the staging folder; `rel` is `/`-separated and
    /// must stay inside the site (no `..`, not absolute).
    fn target(&self, rel: &str) -> Result<PathBuf, SiteError> {
        let rel_path = Path::new(rel);
        if rel.is_empty()
            || !rel_path
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(SiteError::BadPath(rel.to_string()));
        }
        Ok(self.tmp.join(rel_path))
    }

    /// Creates the file `rel` of the site, which must not exist yet (the
    /// staging folder is new, so an existing file or link there means two
    /// pages claimed one path: an error, not an overwrite).
    pub fn create(&self, rel: &str) -> Result<fs::File, SiteError> {
        let path = self.target(rel)?;
        #[cfg(unix)]
        if let Some((dir, name)) = rel.rsplit_once('/')
            && let Some((_, fd)) = self.dirs.iter().find(|(d, _)| d == dir)
        {
            use rustix::fs::{Mode, OFlags, openat};
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
            return openat(fd, name, flags, Mode::from_raw_mode(0o666))
                .map(fs::File::from)
                .map_err(|e| SiteError::Io(path, e.into()));
        }
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| SiteError::Io(path, e))
    }

    /// Writes one file of the site.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), SiteError> {
        use std::io::Write;
        let mut f = self.create(rel)?;
        f.write_all(bytes)
            .map_err(|e| SiteError::Io(self.tmp.join(rel), e))
    }

    /// Where `rel` is staged, for messages about writing it.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.join(rel)
    }

    /// Creates the folders pages go in, once, before the parallel writes.
    pub fn make_dirs<'d>(
        &mut self,
        dirs: impl IntoIterator<Item = &'d str>,
    ) -> Result<(), SiteError> {
        for d in dirs {
            let path = self.target(d)?;
            fs::create_dir_all(&path).map_err(|e| SiteError::Io(path.clone(), e))?;
            #[cfg(unix)]
            {
                use rustix::fs::{Mode, OFlags, open};
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
                let fd = open(&path, flags, Mode::empty())
                    .map_err(|e| SiteError::Io(path.clone(), e.into()))?;
                self.dirs.push((d.to_string(), fd));
            }
        }
        Ok(())
    }

    /// Swaps the finished site in place of the old one.
    pub fn commit(mut self) -> Result<PathBuf, SiteError> {
        self.write(
            MARKER,
            b"This folder was written by `ropa build` and is replaced by the next build.\n",
        )?;
        let io = |e: io::Error| SiteError::Io(self.out.clone(), e);
        if self.out.exists() {
            if exchange(&self.tmp, &self.out).is_err() {
                // No atomic exchange on this system or filesystem: two renames.
                let old = sibling(&self.out, "old-");
                fs::rename(&self.out, &old).map_err(io)?;
                fs::rename(&self.tmp, &self.out).map_err(io)?;
                let _ = fs::remove_dir_all(&old);
                self.committed = true;
                return Ok(self.out.clone());
            }
            // The old site is now at the temporary path.
            remove_tree(&self.tmp);
        } else {
            fs::rename(&self.tmp, &self.out).map_err(io)?;
        }
        self.committed = true;
        Ok(self.out.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Removes a folder tree: its files in parallel (a site is mostly one big
/// folder of pages), then its folders, deepest first.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    // A link is removed, never walked through.
    if fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
        let _ = fs::remove_file(dir);
        return;
    }
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() {
        if let Ok(entries) = fs::read_dir(&dirs[i]) {
            for e in entries.flatten() {
                match e.file_type() {
                    Ok(t) if t.is_dir() => dirs.push(e.path()),
                    _ => files.push(e.path()),
                }
            }
        }
        i += 1;
    }
    files.par_iter().for_each(|f| {
        let _ = fs::remove_file(f);
    });
    for d in dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
    // Anything left (a file that appeared meanwhile): the plain way.
    let _ = fs::remove_dir_all(dir);
}

/// Removes temporary folders of earlier builds of the same `--out` that were
/// killed before they could clean up. A folder whose build is still running
/// (another `ropa build` of the same site, e.g. in a second CI job) is left
/// alone: its process id is part of its name.
fn remove_leftovers(out: &Path) {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return;
    };
    let prefix = format!(".{}.ropa-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(tag) = n.strip_prefix(&prefix) else {
            continue;
        };
        let pid = tag
            .strip_prefix("tmp-")
            .or_else(|| tag.strip_prefix("old-"));
        // Only real folders: a link with such a name is not ours to follow.
        let real_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if let Some(pid) = pid
            && real_dir
            && !process_alive(pid)
        {
            remove_tree(&e.path());
        }
    }
}

/// Where the swap is two renames (no atomic exchange), a build killed
/// between them leaves `--out` missing and the previous site in
/// `.<name>.ropa-old-<pid>`: put it back before anything else, so it is
/// never taken for a leftover and lost.
fn restore_interrupted_swap(out: &Path) {
    if out.exists() {
        return;
    }
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return;
    };
    let prefix = format!(".{}.ropa-old-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let mut olds: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with(&prefix)
                && e.file_type().is_ok_and(|t| t.is_dir())
                && e.path().join(MARKER).is_file()
        })
        .map(|e| e.path())
        .collect();
    olds.sort();
    if let Some(old) = olds.pop() {
        let pid = old
            .file_name()
            .map(|n| n.to_string_lossy().trim_start_matches(&prefix).to_string())
            .unwrap_or_default();
        if !process_alive(&pid) {
            let _ = fs::rename(&old, out);
        }
    }
}

/// Is process `pid` (as written in a folder name) still running?
fn process_alive(pid: &str) -> bool {
    if pid == std::process::id().to_string() {
        return false; // our own leftover from an earlier run with the same id
    }
    #[cfg(target_os = "linux")]
    {
        pid.bytes().all(|b| b.is_ascii_digit()) && Path::new("/proc").join(pid).exists()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build killed between the two renames of the fallback swap left no
    /// site and the old one beside it: the next build puts it back.
    #[test]
    fn interrupted_fallback_swap_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let old = dir.path().join(".site.ropa-old-999999999");
        fs::create_dir(&old).unwrap();
        fs::write(old.join(MARKER), b"x").unwrap();
        fs::write(old.join("index.html"), b"old site").unwrap();
        restore_interrupted_swap(&out);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"old site");
        assert!(!old.exists());
        // With a site in place, nothing is touched.
        let old2 = dir.path().join(".site.ropa-old-999999998");
        fs::create_dir(&old2).unwrap();
        fs::write(old2.join(MARKER), b"x").unwrap();
        restore_interrupted_swap(&out);
        assert!(old2.exists());
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"old site");
    }

    /// Files go where their path says, in made folders (opened once) or
    /// not, and a path claimed twice is an error rather than an overwrite.
    #[test]
    fn staged_files_are_created_once_and_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let registry = dir.path().join("registry");
        fs::create_dir(&registry).unwrap();
        let mut staging = Staging::new(&out, &registry).unwrap();
        staging.make_dirs(["activities", "records"]).unwrap();
        staging.write("activities/a.html", b"A").unwrap();
        staging.write("index.html", b"I").unwrap();
        {
            use std::io::Write;
            let mut f = staging.create("records/big.html").unwrap();
            f.write_all(b"B").unwrap();
        }
        fs::create_dir(staging.tmp.join("other")).unwrap();
        staging.write("other/o.html", b"O").unwrap();
        for twice in ["activities/a.html", "index.html", "other/o.html"] {
            assert!(
                matches!(staging.write(twice, b"again"), Err(SiteError::Io(..))),
                "{twice}"
            );
        }
        for bad in ["../escape.html", "/etc/x", "activities/../../x", ""] {
            assert!(
                matches!(staging.write(bad, b"x"), Err(SiteError::BadPath(_))),
                "{bad:?}"
            );
        }
        let site = staging.commit().unwrap();
        assert_eq!(fs::read(site.join("activities/a.html")).unwrap(), b"A");
        assert_eq!(fs::read(site.join("index.html")).unwrap(), b"I");
        assert_eq!(fs::read(site.join("records/big.html")).unwrap(), b"B");
        assert_eq!(fs::read(site.join("other/o.html")).unwrap(), b"O");
        assert!(!dir.path().join("escape.html").exists());
    }
}
