//! Writing a site atomically: staged beside `--out`, then swapped in.
//!
//! The site is written to a temporary folder beside `--out` and swapped in
//! only when complete, so an error, a crash or a kill leaves the published
//! site exactly as it was. On Linux the swap is one `renameat2` call with
//! `RENAME_EXCHANGE`: at no moment is there no site.
//!
//! Two builds of one `--out` never run their writing steps at once: each
//! holds an exclusive `flock` on `.<name>.ropa-lock` beside `--out` from
//! before its staging folder is made until the old site is removed. The
//! kernel releases the lock when the process ends, however it ends and in
//! whatever PID namespace it runs, so a staging folder found by the build
//! that holds the lock is a killed build's leftover: it is removed.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{UnsafeLink, absolute};

/// Why a site could not be staged or swapped in.
#[derive(Debug)]
pub enum SiteError {
    /// `--out` is unsafe to replace: the path as given, and why.
    Refused(PathBuf, String),
    Io(PathBuf, io::Error),
    /// A page path that would leave the site (a bug, never user input).
    BadPath(String),
    /// The staging folder does not hold exactly the files the build
    /// planned (something else removed or added files while it ran): the
    /// staging folder, the planned files missing and the files not planned.
    Incomplete {
        staging: PathBuf,
        planned: usize,
        missing: Vec<String>,
        unplanned: Vec<String>,
    },
}

/// At most this many paths are named in a message; the rest are counted.
const SHOWN: usize = 10;

/// "`a`, `b` and 3 more".
fn some_of(paths: &[String]) -> String {
    let shown: Vec<String> = paths.iter().take(SHOWN).map(|p| format!("`{p}`")).collect();
    let more = paths.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::Refused(p, why) => {
                write!(f, "refusing to write the site to `{}`: {why}", p.display())
            }
            SiteError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
            SiteError::BadPath(p) => write!(f, "refusing to write `{p}` outside the site"),
            SiteError::Incomplete {
                staging,
                planned,
                missing,
                unplanned,
            } => {
                write!(
                    f,
                    "the site staged in `{}` is not the one this build wrote, so it is not published",
                    staging.display()
                )?;
                if !missing.is_empty() {
                    write!(
                        f,
                        "; {} of its {planned} files are missing: {}",
                        missing.len(),
                        some_of(missing)
                    )?;
                }
                if !unplanned.is_empty() {
                    write!(
                        f,
                        "; {} files it did not write are in it: {}",
                        unplanned.len(),
                        some_of(unplanned)
                    )?;
                }
                write!(
                    f,
                    " (another program changed the folder while the build ran?)"
                )
            }
        }
    }
}

impl std::error::Error for SiteError {}

/// A file every site ropa writes carries, so `--out` is only ever replaced
/// when it is a site ropa made (or empty): a typo in `--out` must not wipe
/// someone's folder.
pub const MARKER: &str = ".ropa-site";

/// The files and folders ropa itself writes into a site (besides the
/// `[site] extra` files): a file of an old site at one of these places is
/// taken for a page of an earlier build, anything else for a file ropa did
/// not write (which a rebuild removes, with a warning).
const OWN_FILES: &[&str] = &[
    MARKER,
    "index.html",
    "404.html",
    "categories.html",
    "measures.html",
    "ropa.json",
    "ropa.schema.json",
    "search-index.js",
    "static/style.css",
    "static/search.js",
];
const OWN_PAGE_FOLDERS: &[&str] = &[
    "activities",
    "processors",
    "recipients",
    "safeguards",
    "transfers",
    "countries",
    "records",
];

fn written_by_ropa(rel: &str) -> bool {
    OWN_FILES.contains(&rel)
        || rel.split_once('/').is_some_and(|(dir, name)| {
            OWN_PAGE_FOLDERS.contains(&dir) && !name.contains('/') && name.ends_with(".html")
        })
}

pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    /// `--out` as given, for messages.
    shown: PathBuf,
    committed: bool,
    /// The folders made by `make_dirs`, open: pages are created relative
    /// to them, which spares the kernel a walk of the whole path for each
    /// of thousands of files (about a tenth of the build's system time).
    #[cfg(unix)]
    dirs: Vec<(String, std::os::fd::OwnedFd)>,
    /// Held (exclusively locked) until the staging is dropped, after the
    /// swap and the removal of the old site.
    _lock: fs::File,
}

/// What a commit did besides the swap: things the user should hear about.
#[derive(Debug, Default)]
pub struct Committed {
    pub out: PathBuf,
    /// Messages for a `warning: ` line each.
    pub warnings: Vec<String>,
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

/// The lock file of `out`'s builds: beside it, `.<name>.ropa-lock`.
pub fn lock_path(out: &Path) -> PathBuf {
    sibling(out, "lock")
}

/// Refuses an `out` that is unsafe to replace (checked before anything is
/// written, and again under the lock, since another build may have made
/// it meanwhile).
fn check_out(shown: &Path, out_abs: &Path) -> Result<(), SiteError> {
    let refused = |why: String| Err(SiteError::Refused(shown.to_path_buf(), why));
    let Ok(meta) = fs::symlink_metadata(out_abs) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return refused("it exists and is not a folder".into());
    }
    if is_mount_point(out_abs) {
        return refused(
            "it is a mount point, which cannot be swapped for a new folder; give a folder inside it (for example `--out <it>/site`)".into(),
        );
    }
    let empty = fs::read_dir(out_abs)
        .map_err(|e| SiteError::Io(shown.to_path_buf(), e))?
        .next()
        .is_none();
    if !empty && !out_abs.join(MARKER).is_file() {
        return refused(format!(
            "it exists and was not written by `ropa build` (no `{MARKER}` in it); remove it or choose another --out"
        ));
    }
    Ok(())
}

/// Is `dir` the root of a mount (its own file system, or a bind mount)?
/// Swapping it out is impossible (`EBUSY`), so it is refused up front.
fn is_mount_point(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
        if let Ok(s) = statx(CWD, dir, AtFlags::SYMLINK_NOFOLLOW, StatxFlags::BASIC_STATS)
            && s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT)
        {
            return s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
        }
    }
    other_device(dir)
}

/// Is `dir` on another device than the folder it is in?
fn other_device(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = dir.parent().unwrap_or(dir);
        match (fs::symlink_metadata(dir), fs::metadata(parent)) {
            (Ok(d), Ok(p)) => d.dev() != p.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

/// Opens (creating it if need be) and locks `out`'s lock file. A build
/// that finds it locked says so and waits, without a time limit, as long
/// as the other build runs: the kernel releases the lock when that build
/// ends, even when it is killed.
fn lock(shown: &Path, out: &Path) -> Result<fs::File, SiteError> {
    let path = lock_path(out);
    let io = |e: io::Error| SiteError::Io(path.clone(), e);
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a link: in a shared folder, one planted by someone
        // else would lead elsewhere.
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = match options.open(&path) {
        Ok(f) => f,
        // A lock file of another user's that this one may read: a read-only
        // descriptor can be locked too.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            let mut ro = fs::OpenOptions::new();
            ro.read(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                ro.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
            }
            ro.open(&path).map_err(|_| io(e))?
        }
        Err(e) => return Err(io(e)),
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "waiting for another build of `{}` to finish (it holds `{}`)...",
                shown.display(),
                path.display()
            );
            file.lock().map_err(io)?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    Ok(file)
}

impl Staging {
    /// Checks `out`, takes its lock (waiting for another build of it to
    /// end), removes what killed builds left, and makes the staging folder.
    pub fn new(out: &Path, registry: &Path) -> Result<Staging, SiteError> {
        let io = |e: io::Error| SiteError::Io(out.to_path_buf(), e);
        let out_abs = absolute(out).map_err(|e| match UnsafeLink::of(&e) {
            Some(link) => SiteError::Refused(out.to_path_buf(), link.reason()),
            None => io(e),
        })?;
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
        check_out(out, &out_abs)?;
        let parent = out_abs.parent().map(Path::to_path_buf).unwrap_or_default();
        fs::create_dir_all(&parent).map_err(io)?;
        let lock = lock(out, &out_abs)?;
        // Under the lock: no other build of `out` is writing, so whatever
        // staging folder is here belongs to a build that has ended.
        check_out(out, &out_abs)?;
        restore_interrupted_swap(&out_abs);
        remove_leftovers(&out_abs);
        let tmp = sibling(&out_abs, "tmp-");
        if fs::symlink_metadata(&tmp).is_ok() {
            remove_tree(&tmp).map_err(io)?;
        }
        fs::create_dir(&tmp).map_err(io)?;
        Ok(Staging {
            tmp,
            out: out_abs,
            shown: out.to_path_buf(),
            committed: false,
            #[cfg(unix)]
            dirs: Vec::new(),
            _lock: lock,
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

    /// Creates the folder `rel` (and those it is in) without keeping it
    /// open: for the `[site] extra` files, which may be in many folders.
    pub fn make_dir(&self, rel: &str) -> Result<(), SiteError> {
        let path = self.target(rel)?;
        fs::create_dir_all(&path).map_err(|e| SiteError::Io(path, e))
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

    /// Checks that the staging folder holds exactly the `planned` files
    /// (`/`-separated paths; the marker is added here), then swaps the
    /// finished site in place of the old one and removes the old one.
    pub fn commit(mut self, planned: &BTreeSet<String>) -> Result<Committed, SiteError> {
        self.write(MARKER, marker_text(planned).as_bytes())?;
        self.verify(planned)?;
        let mut warnings = Vec::new();
        if let Some(w) = self.foreign_files(planned) {
            warnings.push(w);
        }
        let io = |e: io::Error| SiteError::Io(self.out.clone(), e);
        if self.out.exists() {
            if exchange(&self.tmp, &self.out).is_err() {
                // No atomic exchange on this system or filesystem: two renames.
                let old = sibling(&self.out, "old-");
                fs::rename(&self.out, &old).map_err(io)?;
                fs::rename(&self.tmp, &self.out).map_err(io)?;
                self.committed = true;
                if let Err(e) = remove_tree(&old) {
                    warnings.push(not_removed(&old, &e));
                }
                return Ok(Committed {
                    out: self.out.clone(),
                    warnings,
                });
            }
            // The old site is now at the temporary path.
            self.committed = true;
            if let Err(e) = remove_tree(&self.tmp) {
                warnings.push(not_removed(&self.tmp, &e));
            }
        } else {
            fs::rename(&self.tmp, &self.out).map_err(io)?;
            self.committed = true;
        }
        Ok(Committed {
            out: self.out.clone(),
            warnings,
        })
    }

    /// Every file in the staging folder was planned, and every planned
    /// file is there (a regular file).
    fn verify(&self, planned: &BTreeSet<String>) -> Result<(), SiteError> {
        let mut found = BTreeSet::new();
        let mut unplanned = Vec::new();
        for e in walkdir::WalkDir::new(&self.tmp)
            .min_depth(1)
            .follow_links(false)
            .sort_by_file_name()
        {
            let e = e.map_err(|e| {
                SiteError::Io(
                    self.tmp.clone(),
                    e.into_io_error()
                        .unwrap_or_else(|| io::Error::other("a folder loop")),
                )
            })?;
            if e.file_type().is_dir() {
                continue;
            }
            let rel = rel_path(&self.tmp, e.path());
            if e.file_type().is_file() && (planned.contains(&rel) || rel == MARKER) {
                found.insert(rel);
            } else {
                unplanned.push(rel);
            }
        }
        let missing: Vec<String> = planned
            .iter()
            .filter(|p| !found.contains(*p))
            .cloned()
            .collect();
        if missing.is_empty() && unplanned.is_empty() && found.contains(MARKER) {
            return Ok(());
        }
        let mut missing = missing;
        if !found.contains(MARKER) {
            missing.push(MARKER.into());
        }
        Err(SiteError::Incomplete {
            staging: self.tmp.clone(),
            planned: planned.len() + 1,
            missing,
            unplanned,
        })
    }

    /// The files of the old site that ropa did not write and this build
    /// does not write again (a `CNAME`, a `.git` folder): they go with the
    /// old site, so the user is told which. Folders ropa never makes are
    /// named once, with the number of files in them.
    fn foreign_files(&self, planned: &BTreeSet<String>) -> Option<String> {
        /// Enough for any site ropa writes; a walk of an old site larger
        /// than this stops (and the list says "at least").
        const MAX_ENTRIES: usize = 2_000_000;
        // The `[site] extra` files of the build that made the old site:
        // ropa wrote them, so one dropped from the folder is no surprise.
        let earlier = earlier_extra_files(&self.out.join(MARKER));
        let mut items: BTreeMap<String, usize> = BTreeMap::new();
        let mut walked = 0;
        let mut walk = walkdir::WalkDir::new(&self.out)
            .min_depth(1)
            .follow_links(false)
            .same_file_system(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(Ok(e)) = walk.next() {
            walked += 1;
            if walked > MAX_ENTRIES {
                break;
            }
            let rel = rel_path(&self.out, e.path());
            let is_dir = e.file_type().is_dir();
            let planned_dir = |rel: &str| {
                let prefix = format!("{rel}/");
                let holds = |set: &BTreeSet<String>| {
                    set.range(prefix.clone()..)
                        .next()
                        .is_some_and(|p| p.starts_with(&prefix))
                };
                OWN_PAGE_FOLDERS.contains(&rel)
                    || rel == "static"
                    || holds(planned)
                    || holds(&earlier)
            };
            if is_dir {
                if !planned_dir(&rel) {
                    // A folder of its own: named once, not walked file by file.
                    let n = count_files(e.path());
                    items.insert(format!("{rel}/"), n);
                    walk.skip_current_dir();
                }
                continue;
            }
            if !planned.contains(&rel) && !written_by_ropa(&rel) && !earlier.contains(&rel) {
                items.insert(rel, 1);
            }
        }
        if items.is_empty() {
            return None;
        }
        let files: usize = items.values().sum();
        let shown: Vec<String> = items
            .iter()
            .take(SHOWN)
            .map(|(p, n)| match (p.ends_with('/'), n) {
                (false, _) => format!("`{p}`"),
                (true, 1) => format!("`{p}` (1 file)"),
                (true, n) => format!("`{p}` ({n} files)"),
            })
            .collect();
        let more = items.len().saturating_sub(SHOWN);
        let list = if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        };
        Some(format!(
            "the old site in `{}` held {files} file{} ropa did not write, removed with it: {list}; \
             to publish files with every build, put them in the folder named by `[site] extra` in organisation.toml (docs/site.md)",
            self.shown.display(),
            if files == 1 { "" } else { "s" }
        ))
    }
}

/// The first line of the marker file.
const MARKER_HEAD: &str =
    "This folder was written by `ropa build` and is replaced by the next build.\n";
/// The line before the list of `[site] extra` files in the marker file.
const MARKER_EXTRA: &str = "Files copied from the `[site] extra` folder:\n";
/// The most of the marker file the next build reads.
const MARKER_MAX: u64 = 64 << 20;

/// The marker file's text: its first line and, when the site has files
/// ropa does not make itself (`[site] extra`), their paths, one a line
/// (`%`, CR and LF percent-encoded), so that the next build knows it wrote
/// them. A site without such files gets the first line only.
fn marker_text(planned: &BTreeSet<String>) -> String {
    let mut text = String::from(MARKER_HEAD);
    let mut extra = planned.iter().filter(|p| !written_by_ropa(p)).peekable();
    if extra.peek().is_some() {
        text.push_str(MARKER_EXTRA);
        for p in extra {
            let line = p
                .replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A");
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

/// The `[site] extra` files listed in an old site's marker file (none if
/// it cannot be read, or is not one ropa wrote).
fn earlier_extra_files(marker: &Path) -> BTreeSet<String> {
    use std::io::Read as _;
    let mut text = String::new();
    let read = fs::File::open(marker).and_then(|f| f.take(MARKER_MAX).read_to_string(&mut text));
    let mut set = BTreeSet::new();
    if read.is_err() {
        return set;
    }
    if let Some(list) = text
        .strip_prefix(MARKER_HEAD)
        .and_then(|t| t.strip_prefix(MARKER_EXTRA))
    {
        for line in list.lines() {
            set.insert(
                line.replace("%0A", "\n")
                    .replace("%0D", "\r")
                    .replace("%25", "%"),
            );
        }
    }
    set
}

/// The `/`-separated path of `p` inside `base`.
fn rel_path(base: &Path, p: &Path) -> String {
    p.strip_prefix(base)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// How many files (anything not a folder) are under `dir`, up to a bound.
fn count_files(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .same_file_system(true)
        .into_iter()
        .take(1_000_000)
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .count()
}

fn not_removed(dir: &Path, e: &io::Error) -> String {
    format!(
        "the previous site could not be removed completely from `{}` ({e}); the next build of this site tries again",
        dir.display()
    )
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.tmp);
        }
    }
}

/// Removes a folder tree: its files in parallel (a site is mostly one big
/// folder of pages), then its folders, deepest first. A folder without
/// write permission for its owner (a read-only folder inside an old site)
/// is made writable first; a mount inside the tree is not entered. An
/// error means something was left.
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    // A link is removed, never walked through.
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
        Ok(m) if !m.is_dir() => return fs::remove_file(dir),
        Ok(_) => {}
    }
    // Twice: a file that appeared during the first pass goes in the second.
    let mut first_error = None;
    for _ in 0..2 {
        let mut files = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        // Folders on another file system (a mount inside the old site):
        // never entered, only `rmdir`ed (which fails while it is mounted).
        let mut mounts = Vec::new();
        let mut i = 0;
        while i < dirs.len() {
            make_writable(&dirs[i]);
            if let Ok(entries) = fs::read_dir(&dirs[i]) {
                for e in entries.flatten() {
                    match e.file_type() {
                        Ok(t) if t.is_dir() => {
                            let p = e.path();
                            if other_device(&p) {
                                mounts.push(p);
                            } else {
                                dirs.push(p);
                            }
                        }
                        _ => files.push(e.path()),
                    }
                }
            }
            i += 1;
        }
        files.par_iter().for_each(|f| {
            let _ = fs::remove_file(f);
        });
        first_error = None;
        for d in mounts.iter().chain(dirs.iter().rev()) {
            if let Err(e) = fs::remove_dir(d)
                && e.kind() != io::ErrorKind::NotFound
            {
                first_error.get_or_insert(e);
            }
        }
        if matches!(fs::symlink_metadata(dir), Err(e) if e.kind() == io::ErrorKind::NotFound) {
            return Ok(());
        }
    }
    Err(first_error.unwrap_or_else(|| io::Error::other("it is still there")))
}

/// Gives the owner write and search permission on `dir` (a folder about
/// to be emptied and removed), if it lacks them.
fn make_writable(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = fs::symlink_metadata(dir)
            && m.is_dir()
            && m.permissions().mode() & 0o700 != 0o700
        {
            let mode = m.permissions().mode() | 0o700;
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode));
        }
    }
    #[cfg(not(unix))]
    {
        if let Ok(m) = fs::symlink_metadata(dir) {
            let mut p = m.permissions();
            if p.readonly() {
                #[allow(clippy::permissions_set_readonly_false)]
                p.set_readonly(false);
                let _ = fs::set_permissions(dir, p);
            }
        }
    }
}

/// Removes the staging and old-site folders killed builds of `out` left.
/// Called under `out`'s lock only: no other build of it is running, so
/// every such folder is a leftover, whatever process id its name carries.
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
        // Only real folders: a link with such a name is not ours to follow.
        let real_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if real_dir && (tag.starts_with("tmp-") || tag.starts_with("old-")) {
            let _ = remove_tree(&e.path());
        }
    }
}

/// Where the swap is two renames (no atomic exchange), a build killed
/// between them leaves `--out` missing and the previous site in
/// `.<name>.ropa-old-<pid>`: put it back before anything else, so it is
/// never taken for a leftover and lost. Called under `out`'s lock only.
fn restore_interrupted_swap(out: &Path) {
    if fs::symlink_metadata(out).is_ok() {
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
        let _ = fs::rename(&old, out);
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

    fn plan(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

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
        let planned = plan(&[
            "activities/a.html",
            "index.html",
            "records/big.html",
            "other/o.html",
        ]);
        let site = staging.commit(&planned).unwrap().out;
        assert_eq!(fs::read(site.join("activities/a.html")).unwrap(), b"A");
        assert_eq!(fs::read(site.join("index.html")).unwrap(), b"I");
        assert_eq!(fs::read(site.join("records/big.html")).unwrap(), b"B");
        assert_eq!(fs::read(site.join("other/o.html")).unwrap(), b"O");
        assert!(!dir.path().join("escape.html").exists());
    }

    /// A staging folder that lost a planned file, or gained one nobody
    /// planned, is not published: the old site stays, the error names them.
    #[test]
    fn an_incomplete_staging_folder_is_not_swapped_in() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let registry = dir.path().join("registry");
        fs::create_dir(&registry).unwrap();
        let staging = Staging::new(&out, &registry).unwrap();
        staging.write("index.html", b"old").unwrap();
        staging.commit(&plan(&["index.html"])).unwrap();

        let staging = Staging::new(&out, &registry).unwrap();
        staging.write("index.html", b"new").unwrap();
        staging.write("a.html", b"A").unwrap();
        fs::remove_file(staging.path("a.html")).unwrap();
        fs::write(staging.path("intruder.html"), b"X").unwrap();
        let err = staging
            .commit(&plan(&["index.html", "a.html"]))
            .unwrap_err();
        match &err {
            SiteError::Incomplete {
                missing, unplanned, ..
            } => {
                assert_eq!(missing, &vec!["a.html".to_string()]);
                assert_eq!(unplanned, &vec!["intruder.html".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.contains("1 of its 3 files are missing: `a.html`"),
            "{text}"
        );
        assert!(text.contains("`intruder.html`"), "{text}");
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"old");
        // The failed staging folder is gone, the lock file stays.
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".site.ropa-lock", "registry", "site"]);
    }

    /// A second staging of the same `--out` waits for the first one's
    /// lock, and takes over once it is released.
    #[test]
    fn a_second_build_waits_for_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let registry = dir.path().join("registry");
        fs::create_dir(&registry).unwrap();
        let first = Staging::new(&out, &registry).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let (o, r) = (out.clone(), registry.clone());
        let second = std::thread::spawn(move || {
            let s = Staging::new(&o, &r).unwrap();
            tx.send(()).unwrap();
            s.write("index.html", b"second").unwrap();
            s.commit(&plan(&["index.html"])).unwrap();
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(300))
                .is_err(),
            "the second staging did not wait for the first"
        );
        first.write("index.html", b"first").unwrap();
        first.commit(&plan(&["index.html"])).unwrap();
        second.join().unwrap();
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"second");
    }

    /// Pages of earlier builds are recognised as ropa's; anything else is not.
    #[test]
    fn what_ropa_writes() {
        for own in [
            "index.html",
            ".ropa-site",
            "activities/x.html",
            "countries/us.html",
            "static/style.css",
        ] {
            assert!(written_by_ropa(own), "{own}");
        }
        for foreign in [
            "CNAME",
            ".git/HEAD",
            "activities/x.txt",
            "activities/a/b.html",
            "static/logo.png",
            "other/x.html",
        ] {
            assert!(!written_by_ropa(foreign), "{foreign}");
        }
    }

    /// A mount point is told from a plain folder.
    #[cfg(target_os = "linux")]
    #[test]
    fn mount_points_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_mount_point(dir.path()));
        if Path::new("/proc/self").exists() {
            assert!(is_mount_point(Path::new("/proc")));
        }
    }
}
