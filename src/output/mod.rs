//! Everything `ropa` writes to disk: one file written atomically
//! ([`write_atomic`], for exports and schemas), a new folder of files
//! ([`write_new_folder`], for imports and `ropa init`), a site staged beside its
//! folder and swapped in ([`Staging`]), and the one rule for where output
//! may go ([`ensure_outside_registry`]).

pub mod extra;
mod file;
mod folder;
mod site;

use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

pub use file::{follow_links, write_atomic, write_atomic_with};
pub use folder::write_new_folder;
pub use site::{Committed, lock_path};
pub use site::{MARKER, SiteError, Staging};

/// An `--out` refused because it lies inside the registry folder.
#[derive(Debug, PartialEq, Eq)]
pub struct InsideRegistry(pub PathBuf);

impl fmt::Display for InsideRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to write `{}` inside the registry folder",
            self.0.display()
        )
    }
}

impl std::error::Error for InsideRegistry {}

/// Refuses an `--out` inside the registry folder, for an export and a build
/// alike: output must never overwrite, or be read back as part of, the
/// record it was made from. Links are followed, since output is written
/// through them: what counts is where the bytes would land (the refusal
/// names that path). A registry that does not exist has nothing to protect;
/// the check reports it. The registry folder itself is not "inside": a
/// build refuses to replace it with its own message ([`Staging::new`]).
pub fn ensure_outside_registry(out: &Path, registry: &Path) -> Result<(), InsideRegistry> {
    // A link that may not be followed is refused where it would be.
    let Ok(target) = follow_links(out) else {
        return Ok(());
    };
    let (Ok(out_abs), Ok(reg_abs)) = (absolute(&target), std::fs::canonicalize(registry)) else {
        return Ok(());
    };
    if out_abs != reg_abs && out_abs.starts_with(&reg_abs) {
        return Err(InsideRegistry(target));
    }
    Ok(())
}

/// A symbolic link `ropa` will not follow: owned by another user, in a
/// folder everyone may write to that has the sticky bit (such as `/tmp`).
/// This is the kernel's `protected_symlinks` rule, applied wherever `ropa`
/// resolves a link itself (to name, check and replace what it leads to),
/// whether or not the kernel enforces it: there, another user can plant a
/// link where `ropa` is told to write, and have it replace their choice of
/// file. A link may be followed when its owner is the user running `ropa`
/// or the folder's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsafeLink {
    pub link: PathBuf,
    pub folder: PathBuf,
}

impl UnsafeLink {
    /// Why following it is refused (for a message about the path given).
    pub fn reason(&self) -> String {
        format!(
            "`{}` is a symbolic link owned by another user in `{}`, a folder everyone may write to; \
             it is not followed (the kernel's `protected_symlinks` rule): remove it, or give the path it leads to",
            self.link.display(),
            self.folder.display()
        )
    }

    /// The refusal carried by an `io::Error` from [`absolute`], if it is one.
    pub fn of(e: &io::Error) -> Option<&UnsafeLink> {
        e.get_ref().and_then(|e| e.downcast_ref::<UnsafeLink>())
    }

    fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, self)
    }
}

impl fmt::Display for UnsafeLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refusing to follow a link: {}", self.reason())
    }
}

impl std::error::Error for UnsafeLink {}

/// May the link `link` (whose own metadata is `meta`) be followed? See
/// [`UnsafeLink`].
pub(crate) fn may_follow(link: &Path, meta: &std::fs::Metadata) -> Result<(), UnsafeLink> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let folder = link
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let Ok(dir) = std::fs::metadata(folder) else {
            return Ok(());
        };
        let shared = dir.mode() & 0o1002 == 0o1002;
        let me = rustix::process::geteuid().as_raw();
        if shared && meta.uid() != me && meta.uid() != dir.uid() {
            return Err(UnsafeLink {
                link: link.to_path_buf(),
                folder: folder.to_path_buf(),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (link, meta);
    Ok(())
}

/// Refuses a path that leads through a link [`may_follow`] refuses (at
/// any of its parts); other problems are left to whoever opens it.
pub fn check_links(p: &Path) -> Result<(), UnsafeLink> {
    match absolute(p) {
        Err(e) => UnsafeLink::of(&e).cloned().map_or(Ok(()), Err),
        Ok(_) => Ok(()),
    }
}

/// An absolute path, whether or not it exists yet, read as the kernel
/// would: links are followed part by part (so a `..` after a link leaves
/// where the link leads), each checked by [`may_follow`] (an error that
/// [`UnsafeLink::of`] recognises); from the first part that does not
/// exist on, the rest is taken as written (`new/..` is the folder `new` is
/// in).
pub(crate) fn absolute(p: &Path) -> io::Result<PathBuf> {
    use std::collections::VecDeque;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut todo: VecDeque<std::ffi::OsString> = VecDeque::new();
    let mut abs = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => abs.push(c.as_os_str()),
            other => todo.push_back(other.as_os_str().to_os_string()),
        }
    }
    let mut exists = true;
    let mut links = 0;
    while let Some(part) = todo.pop_front() {
        if part == "." {
            continue;
        }
        if part == ".." {
            abs.pop();
            continue;
        }
        abs.push(&part);
        if !exists {
            continue;
        }
        match std::fs::symlink_metadata(&abs) {
            Err(_) => exists = false,
            Ok(m) if m.file_type().is_symlink() => {
                may_follow(&abs, &m).map_err(UnsafeLink::into_io)?;
                links += 1;
                if links > 40 {
                    return Err(io::Error::other(format!(
                        "too many levels of symbolic links at `{}`",
                        abs.display()
                    )));
                }
                let target = std::fs::read_link(&abs)?;
                abs.pop();
                let mut parts = Vec::new();
                for c in target.components() {
                    match c {
                        Component::Prefix(_) | Component::RootDir => {
                            abs = PathBuf::from(c.as_os_str());
                            parts.clear();
                        }
                        other => parts.push(other.as_os_str().to_os_string()),
                    }
                }
                for part in parts.into_iter().rev() {
                    todo.push_front(part);
                }
            }
            Ok(_) => {}
        }
    }
    Ok(abs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inside the registry is refused however it is spelt or reached;
    /// beside it, the registry itself and above it are not this rule's.
    #[test]
    fn output_inside_the_registry_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("registry");
        std::fs::create_dir_all(reg.join("activities")).unwrap();
        std::fs::write(reg.join("organisation.toml"), "").unwrap();
        let refused = |out: &Path| ensure_outside_registry(out, &reg).is_err();

        assert!(refused(&reg.join("ropa.json")));
        assert!(refused(&reg.join("site")));
        assert!(refused(&reg.join("organisation.toml")));
        assert!(refused(&reg.join("activities/a.json")));
        assert!(refused(&reg.join("new/deeper/site")));
        assert!(refused(&reg.join("activities/../x.json")));
        assert!(refused(&dir.path().join("elsewhere/../registry/x.json")));

        assert!(!refused(&dir.path().join("site")));
        assert!(!refused(&dir.path().join("registry-site")));
        assert!(!refused(&reg.join("../ropa.json")));
        assert!(!refused(&reg));
        assert!(!refused(dir.path()));
        // No registry, nothing to protect: the check says it is missing.
        assert_eq!(
            ensure_outside_registry(&dir.path().join("none/x"), &dir.path().join("none")),
            Ok(())
        );

        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            // A link into the registry, dangling or not: refused, naming
            // where the bytes would land.
            let link = dir.path().join("current.json");
            symlink(reg.join("organisation.toml"), &link).unwrap();
            assert_eq!(
                ensure_outside_registry(&link, &reg),
                Err(InsideRegistry(reg.join("organisation.toml")))
            );
            let dangling = dir.path().join("next.json");
            symlink(reg.join("next.json"), &dangling).unwrap();
            assert!(refused(&dangling));
            // `..` after a link leaves where the link leads.
            let to_activities = dir.path().join("to-activities");
            symlink(reg.join("activities"), &to_activities).unwrap();
            assert!(refused(&to_activities.join("../x.json")));
            // The registry reached through a link.
            let to_registry = dir.path().join("to-registry");
            symlink(&reg, &to_registry).unwrap();
            assert!(refused(&to_registry.join("site")));
            assert!(ensure_outside_registry(&reg.join("site"), &to_registry).is_err());
        }
    }

    #[test]
    fn the_refusal_names_the_path() {
        let e = InsideRegistry(PathBuf::from("registry/site"));
        assert_eq!(
            e.to_string(),
            "refusing to write `registry/site` inside the registry folder"
        );
    }
}
