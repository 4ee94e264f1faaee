//! How `ropa serve` notices that the registry changed: through the
//! operating system (inotify on Linux, by the `notify` crate), debounced so
//! that one save (truncate, write, rename) is one change. Only what the
//! loader reads counts, and the `[site] extra` folder: an edit to a README,
//! `git status` touching `.git/index`, an editor's swap or backup file do
//! not rebuild. Where the system cannot watch (the inotify limit reached, a
//! file system without events) the registry is polled instead, with a
//! notice.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use notify_debouncer_full::notify::{self, ErrorKind, EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, NoCache};

use crate::diag::SourceMap;
use crate::load::is_registry_path;

/// Events closer together than this are one change: short, so that the
/// preview stays fast, and long enough for an editor's save.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// How often the debouncer looks for events that have settled.
const TICK: Duration = Duration::from_millis(25);
/// How often the stop flag is read while waiting.
const STOP_CHECK: Duration = Duration::from_millis(100);
/// How often the registry is walked when the system cannot watch it.
const POLL: Duration = Duration::from_millis(300);
/// A folder that appears is searched for a registry file this far at most.
const MAX_SEARCHED: usize = 100_000;

/// What [`Watch::next_change`] waited for.
pub(super) enum Next<T> {
    /// Something the loader reads changed (or may have): rebuild.
    Changed,
    /// `stop` said so, with this.
    Stop(T),
}

/// Which paths hold what the loader reads.
pub(super) struct Relevant {
    /// The registry folder, links resolved (the paths events carry).
    root: PathBuf,
    /// The folders (relative, `/`-separated) of the files the last load
    /// read, and their parents: such a folder renamed or removed is a change.
    folders: BTreeSet<String>,
    /// The `[site] extra` folder of the last load, links resolved.
    extra: Option<PathBuf>,
}

impl Relevant {
    fn new(registry: &Path) -> Relevant {
        Relevant {
            root: std::fs::canonicalize(registry).unwrap_or_else(|_| registry.to_path_buf()),
            folders: BTreeSet::new(),
            extra: None,
        }
    }

    /// Learns from a load: the files it read (`sources`) and the
    /// `[site] extra` folder (as written, relative to the registry).
    pub(super) fn learn(&mut self, sources: &SourceMap, extra: Option<&str>) {
        self.folders = (0..sources.len())
            .flat_map(|i| {
                let path = &sources.get(i).path;
                path.match_indices('/')
                    .map(|(at, _)| path[..at].to_string())
            })
            .collect();
        self.extra = extra.map(|value| {
            let joined = self.root.join(value);
            std::fs::canonicalize(&joined).unwrap_or(joined)
        });
    }

    /// The registry-relative, `/`-separated form of `path`, if inside.
    fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    fn in_extra(&self, path: &Path) -> bool {
        self.extra
            .as_ref()
            .is_some_and(|extra| path.starts_with(extra))
    }

    /// Whether the loader reads the file at `path` or the site copies it.
    fn is_read(&self, path: &Path) -> bool {
        self.in_extra(path)
            || self
                .relative(path)
                .is_some_and(|rel| is_registry_path(&rel))
    }

    /// Whether an event at `path` may change what the loader reads: a
    /// registry file, a file of the extra folder, the registry folder or a
    /// folder of registry files renamed or removed, or a folder that
    /// appears with registry files in it.
    fn matters(&self, path: &Path) -> bool {
        if self.is_read(path) || self.extra.as_ref().is_some_and(|e| e.starts_with(path)) {
            return true;
        }
        let Some(rel) = self.relative(path) else {
            // The registry folder's own parents: it was moved or removed.
            return self.root.starts_with(path);
        };
        rel.is_empty() || self.folders.contains(&rel) || self.holds_registry_file(path, &rel)
    }

    /// Whether `path` is a folder (not a link) with a file the loader reads.
    fn holds_registry_file(&self, path: &Path, rel: &str) -> bool {
        // The loader's own rule says whether a file in this folder could be
        // read (not if the folder is hidden), before anything is opened.
        if !is_registry_path(&format!("{rel}/_.toml")) {
            return false;
        }
        let is_folder = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        is_folder
            && walkdir::WalkDir::new(path)
                .follow_links(false)
                .min_depth(1)
                .into_iter()
                .take(MAX_SEARCHED)
                .flatten()
                .any(|e| !e.file_type().is_dir() && self.is_read(e.path()))
    }

    fn matters_in(&self, events: &[DebouncedEvent]) -> bool {
        events.iter().any(|e| match e.event.kind {
            // Reading is no change (the rebuild itself reads every file).
            EventKind::Access(_) => false,
            // The system lost events: anything may have changed.
            _ if e.event.need_rescan() => true,
            _ => e.event.paths.iter().any(|p| self.matters(p)),
        })
    }
}

/// The files the loader reads and the extra folder's, each with its size
/// and modification time: what polling compares.
fn fingerprint(relevant: &Relevant) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(&relevant.root)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir() && relevant.is_read(e.path()))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((e.into_path(), m.len(), m.modified().ok()))
        })
        .collect();
    out.sort();
    out
}

/// The registry folder as found at `registry`: where it leads and, on
/// Unix, which folder it is (so that one put in its place is noticed).
fn identity(registry: &Path) -> Option<(PathBuf, u64, u64)> {
    let real = std::fs::canonicalize(registry).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(&real).ok()?;
        Some((real, m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    Some((real, 0, 0))
}

enum How {
    /// Through the system.
    Os {
        _debouncer: Debouncer<notify::RecommendedWatcher, NoCache>,
        events: Receiver<DebounceEventResult>,
        watched: Option<(PathBuf, u64, u64)>,
    },
    /// By walking the registry every [`POLL`].
    Poll {
        seen: Vec<(PathBuf, u64, Option<SystemTime>)>,
        next: Instant,
    },
    /// The registry folder is gone (or was replaced): watched again once
    /// it is there.
    Absent,
}

/// Watches one registry folder for changes to what the loader reads.
pub(super) struct Watch {
    registry: PathBuf,
    relevant: Relevant,
    how: How,
    log: fn(&str),
}

impl Watch {
    /// Starts watching `registry`; `log` gets the notice if the system
    /// cannot watch it.
    pub(super) fn start(registry: &Path, log: fn(&str)) -> Watch {
        let mut watch = Watch {
            registry: registry.to_path_buf(),
            relevant: Relevant::new(registry),
            how: How::Absent,
            log,
        };
        watch.arm();
        watch
    }

    /// What the loader reads, to be told after each load.
    pub(super) fn relevant(&mut self) -> &mut Relevant {
        &mut self.relevant
    }

    fn arm(&mut self) {
        self.relevant.root =
            std::fs::canonicalize(&self.registry).unwrap_or_else(|_| self.registry.to_path_buf());
        self.how = match os_watch(&self.relevant.root) {
            Ok(how) => how,
            Err(e) => self.polling(&e.to_string()),
        };
    }

    fn polling(&self, why: &str) -> How {
        (self.log)(&format!(
            "notice: the system cannot watch the registry ({why}); looking for changes every {} ms instead",
            POLL.as_millis()
        ));
        How::Poll {
            seen: fingerprint(&self.relevant),
            next: Instant::now() + POLL,
        }
    }

    /// Waits for the next change to what the loader reads, or until `stop`
    /// returns something (it is asked every 100 ms).
    pub(super) fn next_change<T>(&mut self, stop: impl Fn() -> Option<T>) -> Next<T> {
        loop {
            if let Some(t) = stop() {
                return Next::Stop(t);
            }
            match &mut self.how {
                How::Os {
                    events, watched, ..
                } => {
                    let first = match events.recv_timeout(STOP_CHECK) {
                        Ok(first) => first,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => {
                            self.how = self.polling("the watcher stopped");
                            return Next::Changed;
                        }
                    };
                    let mut changed = false;
                    let mut failure = None;
                    // What has come meanwhile is part of the same change.
                    for result in std::iter::once(first).chain(events.try_iter()) {
                        match result {
                            Ok(batch) => changed |= self.relevant.matters_in(&batch),
                            Err(errors) => {
                                failure = failure.or(errors.into_iter().find(|e| {
                                    // A folder removed while it was being added.
                                    !matches!(
                                        e.kind,
                                        ErrorKind::PathNotFound | ErrorKind::WatchNotFound
                                    )
                                }))
                            }
                        }
                    }
                    if let Some(e) = failure {
                        // Events may be missing from now on (the limit on
                        // watches reached by a new folder): poll instead.
                        self.how = self.polling(&e.to_string());
                        return Next::Changed;
                    }
                    if !changed {
                        continue;
                    }
                    if identity(&self.registry) != *watched {
                        self.how = How::Absent;
                    }
                    return Next::Changed;
                }
                How::Poll { seen, next } => {
                    std::thread::sleep(STOP_CHECK);
                    if Instant::now() < *next {
                        continue;
                    }
                    *next = Instant::now() + POLL;
                    if fingerprint(&self.relevant) != *seen {
                        // Let an editor finish writing (save = truncate + write).
                        std::thread::sleep(STOP_CHECK);
                        *seen = fingerprint(&self.relevant);
                        return Next::Changed;
                    }
                }
                How::Absent => {
                    if self.registry.is_dir() {
                        self.arm();
                        return Next::Changed;
                    }
                    std::thread::sleep(STOP_CHECK);
                }
            }
        }
    }
}

/// Watches `root` and everything in it through the system.
fn os_watch(root: &Path) -> notify::Result<How> {
    let watched = identity(root);
    let (tx, events) = std::sync::mpsc::channel();
    // Linked folders are not followed, as by the loader.
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut debouncer = notify_debouncer_full::new_debouncer_opt::<_, _, NoCache>(
        DEBOUNCE,
        Some(TICK),
        tx,
        NoCache::new(),
        config,
    )?;
    debouncer.watch(root, RecursiveMode::Recursive)?;
    Ok(How::Os {
        _debouncer: debouncer,
        events,
        watched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> (tempfile::TempDir, Relevant) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for dir in ["activities/hr", "public/.well-known", ".git", "notes"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "organisation.toml",
            "activities/hr/payroll.toml",
            "public/.well-known/security.txt",
            "README.md",
            ".git/index",
            "notes/plan.txt",
        ] {
            std::fs::write(root.join(file), "x").unwrap();
        }
        let mut relevant = Relevant::new(root);
        let mut sources = SourceMap::default();
        sources.add("organisation.toml".into(), String::new());
        sources.add("activities/hr/payroll.toml".into(), String::new());
        relevant.learn(&sources, Some("public"));
        (tmp, relevant)
    }

    #[test]
    fn only_what_the_loader_reads_matters() {
        let (tmp, relevant) = registry();
        let root = relevant.root.clone();
        for yes in [
            "organisation.toml",
            "activities/hr/payroll.toml",
            // Created, or removed: either way the loader's business.
            "activities/new.toml",
            "activities/hr/gone.toml",
            // A folder of registry files renamed away, or removed.
            "activities/hr",
            "activities",
            // The extra folder's files, hidden ones too, and the folder.
            "public/.well-known/security.txt",
            "public/logo.png",
            "public",
            "",
        ] {
            assert!(relevant.matters(&root.join(yes)), "{yes:?} should rebuild");
        }
        for no in [
            "README.md",
            ".git/index",
            ".git/objects/ab/cdef",
            "activities/hr/.payroll.toml.swp",
            "activities/hr/payroll.toml~",
            "activities/hr/4913",
            ".hidden/x.toml",
            "notes",
            "notes/plan.txt",
        ] {
            assert!(
                !relevant.matters(&root.join(no)),
                "{no:?} should not rebuild"
            );
        }
        // Outside the registry: only its own parents (it was moved).
        assert!(relevant.matters(root.parent().unwrap()));
        assert!(!relevant.matters(Path::new("/elsewhere/x.toml")));
        drop(tmp);
    }

    #[test]
    fn a_folder_that_appears_matters_if_it_holds_registry_files() {
        let (tmp, relevant) = registry();
        let root = relevant.root.clone();
        std::fs::create_dir_all(root.join("moved/in")).unwrap();
        std::fs::write(root.join("moved/in/x.md"), "x").unwrap();
        assert!(!relevant.matters(&root.join("moved")));
        std::fs::write(root.join("moved/in/x.toml"), "x").unwrap();
        assert!(relevant.matters(&root.join("moved")));
        // A hidden folder is never read, whatever it holds.
        std::fs::create_dir_all(root.join(".cache")).unwrap();
        std::fs::write(root.join(".cache/x.toml"), "x").unwrap();
        assert!(!relevant.matters(&root.join(".cache")));
        drop(tmp);
    }

    #[test]
    fn polling_compares_only_what_the_loader_reads() {
        let (tmp, relevant) = registry();
        let root = relevant.root.clone();
        let before = fingerprint(&relevant);
        let files: Vec<_> = before.iter().map(|(p, ..)| p.clone()).collect();
        assert_eq!(
            files,
            [
                root.join("activities/hr/payroll.toml"),
                root.join("organisation.toml"),
                root.join("public/.well-known/security.txt"),
            ]
        );
        std::fs::write(root.join("README.md"), "changed").unwrap();
        std::fs::write(root.join(".git/index"), "changed").unwrap();
        assert_eq!(fingerprint(&relevant), before);
        std::fs::write(root.join("activities/hr/payroll.toml"), "changed").unwrap();
        assert_ne!(fingerprint(&relevant), before);
        drop(tmp);
    }
}
