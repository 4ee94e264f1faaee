//! `[site] extra`: a folder of the registry copied verbatim into every
//! site (a `CNAME` for a web host, a logo, a `robots.txt`). This finds its
//! files, with the same care as the loader: nothing outside the registry
//! folder (links included), only regular files, and bounded.

use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

/// At most this many files are copied.
pub const MAX_FILES: usize = 10_000;
/// No file larger than this is copied.
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// At most this many bytes in all are copied.
pub const MAX_TOTAL_BYTES: u64 = 512 << 20;
/// At most this many problems are reported; the walk stops there.
const MAX_PROBLEMS: usize = 20;

/// One file to copy: where it goes in the site (`/`-separated), the file
/// its bytes come from (links resolved, inside the registry) and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFile {
    pub rel: String,
    pub source: PathBuf,
    pub len: u64,
}

/// Why `[site] extra` (the value as written), or a file in it, is refused.
#[derive(Debug)]
pub enum ExtraError {
    /// Absolute, or leads out of the registry folder (`..`, a link).
    Outside,
    /// The registry folder itself (its TOML files would be published).
    IsRegistry,
    Missing,
    NotAFolder,
    /// A file in it (site path) that cannot be read.
    Unreadable(String, io::Error),
    /// A link in it that leads outside the registry folder.
    LinkOutside(String),
    /// A link in it to a folder (not followed, as by the loader).
    LinkedFolder(String),
    /// Neither a file nor a folder (a named pipe, a device).
    NotAFile(String),
    TooLarge(String, u64),
    TooMany,
    TooMuch,
    /// A file that would replace one ropa writes (or a folder it makes):
    /// the file's site path, and ropa's.
    Overwrites(String, String),
}

impl fmt::Display for ExtraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtraError::Outside => write!(
                f,
                "`extra` must name a folder inside the registry folder; this one is outside it"
            ),
            ExtraError::IsRegistry => write!(
                f,
                "`extra` cannot be the registry folder itself (its TOML files would be published)"
            ),
            ExtraError::Missing => write!(f, "`extra` names a folder that does not exist"),
            ExtraError::NotAFolder => write!(f, "`extra` names something that is not a folder"),
            ExtraError::Unreadable(p, e) => write!(f, "`extra`: `{p}` cannot be read: {e}"),
            ExtraError::LinkOutside(p) => write!(
                f,
                "`extra`: `{p}` is a symbolic link leading outside the registry folder"
            ),
            ExtraError::LinkedFolder(p) => write!(
                f,
                "`extra`: `{p}` is a symbolic link to a folder, which is not followed"
            ),
            ExtraError::NotAFile(p) => write!(f, "`extra`: `{p}` is not a regular file"),
            ExtraError::TooLarge(p, n) => write!(
                f,
                "`extra`: `{p}` is {n} bytes, over the limit of {MAX_FILE_BYTES} bytes (64 MiB) per file"
            ),
            ExtraError::TooMany => write!(f, "`extra` holds more than {MAX_FILES} files"),
            ExtraError::TooMuch => write!(
                f,
                "`extra` holds more than {MAX_TOTAL_BYTES} bytes (512 MiB) in all"
            ),
            ExtraError::Overwrites(p, own) if p == own => write!(
                f,
                "`extra`: its file `{p}` would overwrite the site's `{own}`, which ropa writes"
            ),
            ExtraError::Overwrites(p, own) => write!(
                f,
                "`extra`: its file `{p}` would clash with the site's `{own}`, which ropa writes"
            ),
        }
    }
}

impl std::error::Error for ExtraError {}

/// The files of the folder `value` (as written in `[site] extra`,
/// relative to the registry folder `registry`), sorted, and the problems
/// found (at most twenty; with any, nothing should be copied).
pub fn scan(registry: &Path, value: &str) -> (Vec<ExtraFile>, Vec<ExtraError>) {
    let mut problems = Vec::new();
    let Ok(root) = std::fs::canonicalize(registry) else {
        return (Vec::new(), vec![ExtraError::Missing]);
    };
    let given = Path::new(value);
    if value.is_empty()
        || given.is_absolute()
        || given
            .components()
            .any(|c| matches!(c, Component::Prefix(_)))
    {
        return (Vec::new(), vec![ExtraError::Outside]);
    }
    let folder = match std::fs::canonicalize(root.join(given)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // `../x` that does not exist is still outside.
            let lexical = lexically_inside(given);
            return (
                Vec::new(),
                vec![if lexical {
                    ExtraError::Missing
                } else {
                    ExtraError::Outside
                }],
            );
        }
        Err(_) => return (Vec::new(), vec![ExtraError::Missing]),
    };
    if folder == root {
        return (Vec::new(), vec![ExtraError::IsRegistry]);
    }
    if !folder.starts_with(&root) {
        return (Vec::new(), vec![ExtraError::Outside]);
    }
    if !folder.is_dir() {
        return (Vec::new(), vec![ExtraError::NotAFolder]);
    }
    let mut files = Vec::new();
    let mut total: u64 = 0;
    let walk = walkdir::WalkDir::new(&folder)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name();
    for e in walk {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                let rel = err
                    .path()
                    .map(|p| site_path(&folder, p))
                    .unwrap_or_default();
                let io = err
                    .into_io_error()
                    .unwrap_or_else(|| io::Error::other("a folder loop"));
                problems.push(ExtraError::Unreadable(rel, io));
                continue;
            }
        };
        let rel = site_path(&folder, e.path());
        let t = e.file_type();
        if t.is_dir() {
            continue;
        }
        let (source, meta) = if t.is_symlink() {
            match std::fs::canonicalize(e.path()) {
                Ok(target) if !target.starts_with(&root) => {
                    problems.push(ExtraError::LinkOutside(rel));
                    continue;
                }
                Ok(target) => match std::fs::metadata(&target) {
                    Ok(m) if m.is_dir() => {
                        problems.push(ExtraError::LinkedFolder(rel));
                        continue;
                    }
                    Ok(m) => (target, m),
                    Err(err) => {
                        problems.push(ExtraError::Unreadable(rel, err));
                        continue;
                    }
                },
                Err(err) => {
                    problems.push(ExtraError::Unreadable(rel, err));
                    continue;
                }
            }
        } else {
            match e.metadata() {
                Ok(m) => (e.path().to_path_buf(), m),
                Err(err) => {
                    let io = err
                        .into_io_error()
                        .unwrap_or_else(|| io::Error::other("unreadable"));
                    problems.push(ExtraError::Unreadable(rel, io));
                    continue;
                }
            }
        };
        if !meta.is_file() {
            problems.push(ExtraError::NotAFile(rel));
            continue;
        }
        if meta.len() > MAX_FILE_BYTES {
            problems.push(ExtraError::TooLarge(rel, meta.len()));
            continue;
        }
        if files.len() >= MAX_FILES {
            problems.push(ExtraError::TooMany);
            break;
        }
        total += meta.len();
        if total > MAX_TOTAL_BYTES {
            problems.push(ExtraError::TooMuch);
            break;
        }
        files.push(ExtraFile {
            rel,
            source,
            len: meta.len(),
        });
    }
    (files, problems)
}

/// Does `p` (relative) stay inside the folder it is relative to, read
/// without following links?
fn lexically_inside(p: &Path) -> bool {
    let mut depth: i64 = 0;
    for c in p.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth > 0
}

/// The `/`-separated path of `p` inside `base`.
fn site_path(base: &Path, p: &Path) -> String {
    p.strip_prefix(base)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Copies `file` to `to`, at most the size it had when found (a file that
/// grows meanwhile is cut there, as the loader cuts a growing file).
pub fn copy(file: &ExtraFile, to: &mut impl io::Write) -> io::Result<()> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The source is a regular file (links were resolved when found):
        // a link put in its place meanwhile is not followed, and a named
        // pipe put there does not block the open.
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    let from = options.open(&file.source)?;
    if !from.metadata()?.is_file() {
        return Err(io::Error::other("it is no longer a regular file"));
    }
    io::copy(&mut from.take(file.len), to)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_must_be_inside_the_registry() {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("registry");
        std::fs::create_dir_all(reg.join("public/img")).unwrap();
        std::fs::write(reg.join("public/CNAME"), "x.example\n").unwrap();
        std::fs::write(reg.join("public/img/logo.svg"), "<svg/>").unwrap();
        std::fs::create_dir(dir.path().join("outside")).unwrap();
        let (files, problems) = scan(&reg, "public");
        assert!(problems.is_empty(), "{problems:?}");
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["CNAME", "img/logo.svg"]);
        for (value, want) in [
            ("../outside", "outside"),
            ("/etc", "outside"),
            ("", "outside"),
            ("../nowhere", "outside"),
            (".", "registry"),
            ("public/..", "registry"),
            ("nowhere", "does not exist"),
            ("public/CNAME", "folder"),
        ] {
            let (_, p) = scan(&reg, value);
            let text = p.first().map(|e| e.to_string()).unwrap_or_default();
            assert!(text.contains(want), "{value:?}: {text}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_stay_inside_and_files_are_bounded() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("registry");
        std::fs::create_dir_all(reg.join("public")).unwrap();
        std::fs::write(reg.join("shared.txt"), "inside").unwrap();
        std::fs::write(dir.path().join("secret"), "outside").unwrap();
        symlink(reg.join("shared.txt"), reg.join("public/ok.txt")).unwrap();
        symlink(dir.path().join("secret"), reg.join("public/leak.txt")).unwrap();
        symlink(&reg, reg.join("public/loop")).unwrap();
        let (files, problems) = scan(&reg, "public");
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["ok.txt"]);
        let texts: Vec<String> = problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].contains("`leak.txt` is a symbolic link leading outside"));
        assert!(texts[1].contains("`loop` is a symbolic link to a folder"));
        // A link to the folder from outside the registry.
        symlink(dir.path(), reg.join("up")).unwrap();
        assert!(matches!(scan(&reg, "up").1[..], [ExtraError::Outside]));
    }
}
