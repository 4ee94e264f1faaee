//! Everything `ropa` writes to disk: one file written atomically
//! ([`write_atomic`], for exports and schemas), a site staged beside its
//! folder and swapped in ([`Staging`]), and the one rule for where output
//! may go ([`ensure_outside_registry`]).

mod file;
mod site;

use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

pub use file::{follow_links, write_atomic, write_atomic_with};
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
    let target = follow_links(out);
    let (Ok(out_abs), Ok(reg_abs)) = (absolute(&target), std::fs::canonicalize(registry)) else {
        return Ok(());
    };
    if out_abs != reg_abs && out_abs.starts_with(&reg_abs) {
        return Err(InsideRegistry(target));
    }
    Ok(())
}

/// An absolute path, whether or not it exists yet, read as the kernel
/// would: each existing part is canonicalised in turn (links followed, so
/// a `..` after a link leaves where the link leads); from the first part
/// that does not exist on, the rest is taken as written (`new/..` is the
/// folder `new` is in).
pub(crate) fn absolute(p: &Path) -> io::Result<PathBuf> {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut abs = PathBuf::new();
    let mut exists = true;
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                abs.pop();
            }
            Component::Normal(name) => {
                abs.push(name);
                if exists {
                    match std::fs::canonicalize(&abs) {
                        Ok(real) => abs = real,
                        Err(_) => exists = false,
                    }
                }
            }
            root => abs.push(root.as_os_str()),
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
