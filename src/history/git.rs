//! The git side of history: the repository a registry folder lives in, its
//! commits along the first-parent line, the registry's files at a commit,
//! and which of them a commit changed. Read in-process with gix: one
//! object at a time, no `git` process, nothing written.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::objs::tree::EntryKind as GitEntryKind;

use crate::model::Date;

/// Commits read along the first-parent line, at most: far more than any
/// record's history (a commit a day for a century is 36,500), and it keeps
/// a hostile or enormous repository from holding a build for minutes.
pub const MAX_COMMITS: usize = 50_000;

/// Folders nested in the registry, at most: a registry is a few deep; a
/// crafted tree thousands deep would overflow a walk's stack and make its
/// paths long.
pub const MAX_TREE_DEPTH: usize = 64;

/// Tree entries read in one walk (a revision's files, or one commit's
/// changes), at most: a registry of 100,000 activities has about 170,000.
/// Trees are shared by id, so a repository of a few kilobytes can name the
/// same subtree twice at each of 24 levels (16 million paths); this stops
/// such a walk early instead of filling the memory.
pub const MAX_TREE_ENTRIES: usize = 2_000_000;

/// Bytes written into the temporary copy of a revision (`--at`), at most.
const MAX_CHECKOUT_TOTAL: u64 = 1 << 30;

/// Why the history or a revision could not be read.
#[derive(Debug)]
pub enum GitError {
    /// `--at` or `ropa diff` names a revision, and the registry is not in a git work tree.
    NotInRepository(PathBuf),
    /// The revision names nothing in the repository.
    UnknownRevision(String),
    /// The revision is the start of more than one object's hash.
    AmbiguousRevision(String),
    /// The revision names an object that is not a commit (a tree, a blob).
    NotACommit(String),
    /// `--at DATE`, and no commit on the first-parent line is that old.
    NoCommitBy(Date, Date),
    /// The repository has no commit yet.
    NoCommits,
    /// `--at`: the registry folder is not in that commit.
    NotInRevision {
        folder: PathBuf,
        commit: String,
        date: Date,
    },
    /// A commit does not parse, or its committer date is missing,
    /// malformed or out of range (its short hash). History stops at such a
    /// parent, as at a shallow clone's edge; as the tip it is an error.
    BadCommit(String),
    /// The registry's folders nest deeper than [`MAX_TREE_DEPTH`] in a
    /// commit (the path's first folders).
    NestedTooDeep(String),
    /// A walk of the registry's trees met more than [`MAX_TREE_ENTRIES`] entries.
    TooManyFiles,
    /// The copy of a revision would be larger than ropa writes.
    RevisionTooLarge,
    /// A file of the revision is not in this copy of the repository (a
    /// partial clone made with `--filter`).
    MissingFile(String),
    /// The repository could not be read (a broken object, a permission).
    Read(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::NotInRepository(p) => write!(
                f,
                "`{}` is not inside a git work tree, so it has no revisions to read; commit the registry to git first",
                p.display()
            ),
            GitError::UnknownRevision(rev) => write!(
                f,
                "`{rev}` names no commit of this repository (a commit hash or its start, a tag, a branch, `HEAD~1`), nor is it a date (YYYY-MM-DD); `git log --oneline` lists the commits"
            ),
            GitError::AmbiguousRevision(rev) => write!(
                f,
                "`{rev}` is the start of more than one hash in this repository; give more of the commit's hash"
            ),
            GitError::NotACommit(rev) => write!(
                f,
                "`{rev}` names a file or a folder in git, not a commit; give a commit hash, a tag or a branch"
            ),
            GitError::NoCommitBy(date, first) => write!(
                f,
                "no commit was made on or before {date}: the history starts on {first}"
            ),
            GitError::NoCommits => write!(f, "the repository has no commit yet"),
            GitError::NotInRevision {
                folder,
                commit,
                date,
            } => write!(
                f,
                "the registry folder `{}` is not in commit {commit} ({date}): it was added after that commit, or had been moved or removed by then (--registry names the folder by its path in the commit)",
                folder.display()
            ),
            GitError::TooManyFiles => write!(
                f,
                "the registry's folders in git hold more than {MAX_TREE_ENTRIES} files and folders, more than ropa reads; `ropa build --no-history` leaves the history out"
            ),
            GitError::RevisionTooLarge => write!(
                f,
                "the registry folder at that revision holds more than {} MiB of files, more than ropa copies to read it",
                MAX_CHECKOUT_TOTAL >> 20
            ),
            GitError::MissingFile(path) => write!(
                f,
                "`{path}` of that revision is not in this copy of the repository (a partial clone); fetch it with `git fetch` or clone without --filter"
            ),
            GitError::BadCommit(commit) => write!(
                f,
                "commit {commit} is malformed or has a committer date that cannot be read (missing or out of range), so ropa cannot place it in time: name another revision, or build with --no-history"
            ),
            GitError::NestedTooDeep(path) => write!(
                f,
                "a commit of the registry has folders nested more than {MAX_TREE_DEPTH} deep (`{path}/…`), and ropa reads at most {MAX_TREE_DEPTH}; `ropa build --no-history` leaves the history out"
            ),
            GitError::Read(why) => write!(f, "cannot read the git repository: {why}"),
        }
    }
}

impl std::error::Error for GitError {}

fn read_error(e: impl std::fmt::Display) -> GitError {
    GitError::Read(e.to_string())
}

/// [`GitError::NestedTooDeep`], naming the path's first three folders.
fn too_deep(path: &str) -> GitError {
    let start: Vec<&str> = path.split('/').take(3).collect();
    GitError::NestedTooDeep(start.join("/"))
}

/// The repository a registry folder is in, and where in its work tree.
pub struct Repo {
    repo: gix::ThreadSafeRepository,
    /// The registry folder's path from the top of the work tree, by
    /// component (empty when the registry is the work tree itself).
    prefix: Vec<String>,
}

/// One commit, as history shows it.
#[derive(Clone, Debug)]
pub struct Commit {
    pub id: ObjectId,
    /// The first parent, if any (merges are read along their first parent).
    pub parent: Option<ObjectId>,
    /// The committer's time, seconds since 1970 (UTC).
    pub seconds: i64,
    /// The committer's date, in the committer's own time zone: what `git log` shows.
    pub date: Date,
    /// The first line of the message.
    pub subject: String,
    /// The author's name (shown only with `[site] show_authors`).
    pub author: String,
    /// The registry folder's tree at this commit (`None`: not in this commit).
    pub registry_tree: Option<ObjectId>,
}

impl Commit {
    /// The hash as people quote it: its first 10 hex digits (fixed, so the
    /// same commit reads the same whatever the repository grows to).
    pub fn short(&self) -> String {
        self.id.to_hex_with_len(10).to_string()
    }
}

/// A registry file a commit added, changed or removed (relative to the
/// registry folder, `/`-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
}

/// A file's content at a revision: its bytes, or only its size when it is
/// over the limit asked for (its bytes are not read).
pub enum Blob {
    Bytes(Vec<u8>),
    TooLarge(u64),
    /// Not in this copy of the repository (a partial clone).
    Missing,
}

/// The delta bases a thread keeps, at most (git's `core.deltaBaseCacheLimit`
/// is 96 MiB).
const PACK_CACHE_BYTES: usize = 32 << 20;

/// Files written by [`Local::check_out`] in full, at most; a larger one is
/// written as a sparse file of its size (the loader refuses a registry file
/// over its limit by size alone, unread).
const MAX_CHECKOUT_BYTES: u64 = 64 << 20;

impl Repo {
    /// The repository whose work tree holds `registry`; `None` when it is in
    /// none (or in a bare repository's folder, or inside `.git`). The folder
    /// need not exist: `--at` reads one deleted from the work tree or moved
    /// since, so the repository is found from its nearest existing ancestor
    /// and the missing rest of the path is kept as it is.
    pub fn discover(registry: &Path) -> Option<Repo> {
        use std::path::Component;
        let absolute = std::path::absolute(registry).ok()?;
        let parts: Vec<Component> = absolute.components().collect();
        let found = (0..=parts.len())
            .rev()
            .find(|&n| parts[..n].iter().collect::<PathBuf>().exists())?;
        let canonical = std::fs::canonicalize(parts[..found].iter().collect::<PathBuf>()).ok()?;
        let repo = gix::ThreadSafeRepository::discover(&canonical).ok()?;
        let workdir = std::fs::canonicalize(repo.work_dir()?).ok()?;
        let rel = canonical.strip_prefix(&workdir).ok()?;
        let mut prefix: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // The missing rest cannot be looked up (nor hold a link): taken by
        // name, `..` included.
        for part in &parts[found..] {
            match part {
                Component::Normal(name) => prefix.push(name.to_string_lossy().into_owned()),
                Component::ParentDir => {
                    prefix.pop()?;
                }
                _ => {}
            }
        }
        if prefix.first().is_some_and(|c| c == ".git") {
            return None;
        }
        Some(Repo { repo, prefix })
    }

    /// A handle for this thread (gix's handles are per thread).
    pub fn local(&self) -> Local<'_> {
        let mut repo = self.repo.to_thread_local();
        // Trees are read twice in a walk (a commit's, then its child's
        // parent's): a cache spares the second inflate.
        repo.object_cache_size_if_unset(16 << 20);
        // gix keeps no delta bases unless built with `max-performance`: a
        // blob or tree at the end of a chain of deltas (git fast-import
        // writes chains 50 deep) was rebuilt from the chain's start at
        // every read. The bases decoded last are kept, as git keeps them.
        if !repo.objects.has_pack_cache() {
            repo.objects.set_pack_cache(|| {
                Box::new(gix::odb::pack::cache::lru::StaticLinkedList::<64>::new(
                    PACK_CACHE_BYTES,
                ))
            });
        }
        Local {
            repo,
            prefix: &self.prefix,
        }
    }
}

/// A thread's view of the repository.
pub struct Local<'r> {
    repo: gix::Repository,
    prefix: &'r [String],
}

impl Local<'_> {
    /// The commit HEAD points at; `None` before the first commit.
    pub fn head(&self) -> Result<Option<Commit>, GitError> {
        let id = match self.repo.head_id() {
            Ok(id) => id.detach(),
            Err(_) => return Ok(None),
        };
        self.commit(id).map(Some)
    }

    /// The commit `rev` names: what git takes (a hash or its start, a tag,
    /// a branch, `HEAD~2`), or a date `YYYY-MM-DD`: the last commit on
    /// HEAD's first-parent line made on or before it (committer date, in the
    /// committer's time zone).
    pub fn resolve(&self, rev: &str) -> Result<Commit, GitError> {
        if let Some(date) = Date::parse(rev) {
            let head = self.head()?.ok_or(GitError::NoCommits)?;
            let mut oldest = head.date;
            for commit in self.first_parent_line(head)? {
                if commit.date <= date {
                    return Ok(commit);
                }
                oldest = commit.date;
            }
            return Err(GitError::NoCommitBy(date, oldest));
        }
        // gix's own messages are for programmers (`delegate.traverse(…)`):
        // only an ambiguous hash is told apart.
        let id = self.repo.rev_parse_single(rev).map_err(|e| {
            use gix::revision::spec::parse::Error as Parse;
            match e.downcast_any_ref::<Parse>() {
                Some(Parse::AmbiguousPrefix { .. } | Parse::AmbiguousRefAndObject { .. }) => {
                    GitError::AmbiguousRevision(rev.to_string())
                }
                _ => GitError::UnknownRevision(rev.to_string()),
            }
        })?;
        let commit = id
            .object()
            .map_err(read_error)?
            .peel_to_commit()
            .map_err(|_| GitError::NotACommit(rev.to_string()))?;
        self.commit(commit.id)
    }

    /// The commit `id`, read.
    pub fn commit(&self, id: ObjectId) -> Result<Commit, GitError> {
        let object = self.repo.find_commit(id).map_err(read_error)?;
        let bad = || GitError::BadCommit(id.to_hex_with_len(10).to_string());
        let c = object.decode().map_err(|_| bad())?;
        let time = c.time().map_err(|_| bad())?;
        let local = time.seconds.saturating_add(i64::from(time.offset));
        let date = Date::from_unix_seconds(local).ok_or_else(bad)?;
        let subject = c.message().summary().to_string();
        let author = c.author().map(|a| a.name.to_string()).unwrap_or_default();
        let parent = c.parents().next();
        let registry_tree = self.subtree(c.tree())?;
        Ok(Commit {
            id,
            parent,
            seconds: time.seconds,
            date,
            subject,
            author,
            registry_tree,
        })
    }

    /// `tip` and its first parents, newest first, at most [`MAX_COMMITS`].
    /// A parent that is missing (a shallow clone), malformed or without a
    /// date that can be read ends the line.
    pub fn first_parent_line(&self, tip: Commit) -> Result<Vec<Commit>, GitError> {
        let mut line = Vec::new();
        let mut next = Some(tip);
        while let Some(commit) = next {
            next = match commit.parent {
                Some(p) if line.len() + 1 < MAX_COMMITS && self.repo.has_object(p) => {
                    match self.commit(p) {
                        Ok(parent) => Some(parent),
                        Err(GitError::BadCommit(_)) => None,
                        Err(e) => return Err(e),
                    }
                }
                _ => None,
            };
            line.push(commit);
        }
        Ok(line)
    }

    /// The registry folder's tree inside the commit's root tree.
    fn subtree(&self, root: ObjectId) -> Result<Option<ObjectId>, GitError> {
        let mut id = root;
        for part in self.prefix {
            let tree = self.repo.find_tree(id).map_err(read_error)?;
            let decoded = tree.decode().map_err(read_error)?;
            match decoded
                .entries
                .iter()
                .find(|e| e.filename == part.as_bytes() && e.mode.is_tree())
            {
                Some(e) => id = e.oid.to_owned(),
                None => return Ok(None),
            }
        }
        Ok(Some(id))
    }

    /// Every regular file under the registry tree `tree` and its blob id,
    /// with its path relative to the tree, in path order (links,
    /// submodules and names starting with `.` are not registry files).
    pub fn file_ids(&self, tree: ObjectId) -> Result<Vec<(String, ObjectId)>, GitError> {
        let mut out = Vec::new();
        let mut stack = vec![(String::new(), tree, 0)];
        let mut seen = 0usize;
        while let Some((dir, id, depth)) = stack.pop() {
            if depth > MAX_TREE_DEPTH {
                return Err(too_deep(&dir));
            }
            let tree = self.repo.find_tree(id).map_err(read_error)?;
            let decoded = tree.decode().map_err(read_error)?;
            seen += decoded.entries.len();
            if seen > MAX_TREE_ENTRIES {
                return Err(GitError::TooManyFiles);
            }
            for e in &decoded.entries {
                // The loader reads nothing whose name starts with `.`: a
                // `.git` in the tree is not written into a copy either.
                let Some(name) = safe_name(e.filename).filter(|n| !n.starts_with('.')) else {
                    continue;
                };
                let path = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                match e.mode.kind() {
                    GitEntryKind::Tree => stack.push((path, e.oid.to_owned(), depth + 1)),
                    GitEntryKind::Blob | GitEntryKind::BlobExecutable => {
                        out.push((path, e.oid.to_owned()));
                    }
                    GitEntryKind::Link | GitEntryKind::Commit => {}
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Writes every regular file of the registry tree `tree` into the
    /// empty folder `dest` (a private temporary folder), so a revision is
    /// read by the same loader as the work tree. Names are checked
    /// ([`safe_name`]): nothing is written outside `dest`, and no link.
    pub fn check_out(&self, tree: ObjectId, dest: &Path) -> Result<(), GitError> {
        let write =
            |e: std::io::Error| GitError::Read(format!("cannot write a temporary copy: {e}"));
        let mut written = 0u64;
        for (path, id) in self.file_ids(tree)? {
            let target = dest.join(&path);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(write)?;
            }
            match self.blob(id, MAX_CHECKOUT_BYTES)? {
                Blob::Bytes(bytes) => {
                    written += bytes.len() as u64;
                    if written > MAX_CHECKOUT_TOTAL {
                        return Err(GitError::RevisionTooLarge);
                    }
                    std::fs::write(&target, bytes).map_err(write)?;
                }
                Blob::TooLarge(n) => std::fs::File::create(&target)
                    .and_then(|f| f.set_len(n))
                    .map_err(write)?,
                Blob::Missing => return Err(GitError::MissingFile(path)),
            }
        }
        Ok(())
    }

    /// The blob `id`, or its size when over `max_bytes`, or that it is
    /// not in this copy (a partial clone).
    pub fn blob(&self, id: ObjectId, max_bytes: u64) -> Result<Blob, GitError> {
        let Some(header) = self.repo.try_find_header(id).map_err(read_error)? else {
            return Ok(Blob::Missing);
        };
        if header.size() > max_bytes {
            return Ok(Blob::TooLarge(header.size()));
        }
        let blob = self.repo.find_blob(id).map_err(read_error)?;
        Ok(Blob::Bytes(blob.detach().data))
    }

    /// The regular files that differ between two registry trees, in path
    /// order. Subtrees with the same id are not opened: a commit that
    /// changes one activity reads the trees on that file's path only.
    pub fn changed_files(
        &self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<Vec<FileChange>, GitError> {
        let mut out = Vec::new();
        let mut seen = 0;
        self.diff_trees("", 0, old, new, &mut seen, &mut out)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The tree `id`, read (`None`: no tree on that side).
    fn tree(&self, id: Option<ObjectId>) -> Result<Option<gix::Tree<'_>>, GitError> {
        id.map(|id| self.repo.find_tree(id).map_err(read_error))
            .transpose()
    }

    fn diff_trees(
        &self,
        dir: &str,
        depth: usize,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        seen: &mut usize,
        out: &mut Vec<FileChange>,
    ) -> Result<(), GitError> {
        if old == new {
            return Ok(());
        }
        if depth > MAX_TREE_DEPTH {
            return Err(too_deep(dir));
        }
        let (ta, tb) = (self.tree(old)?, self.tree(new)?);
        let (a, b) = (entries(ta.as_ref())?, entries(tb.as_ref())?);
        *seen += a.len() + b.len();
        if *seen > MAX_TREE_ENTRIES {
            return Err(GitError::TooManyFiles);
        }
        let join = |name: &str| {
            if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            }
        };
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => git_order(x, y),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (left, right) = match order {
                Ordering::Less => {
                    i += 1;
                    (Some(a[i - 1]), None)
                }
                Ordering::Greater => {
                    j += 1;
                    (None, Some(b[j - 1]))
                }
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (Some(a[i - 1]), Some(b[j - 1]))
                }
            };
            let name = left.or(right).map(|e| e.0).unwrap_or_default();
            match (left.map(|e| e.1), right.map(|e| e.1)) {
                (Some(Node::File(x)), Some(Node::File(y))) if x == y => {}
                (Some(Node::Tree(x)), Some(Node::Tree(y))) if x == y => {}
                (l, r) => {
                    let file = |n: Option<Node>| match n {
                        Some(Node::File(id)) => Some(id),
                        _ => None,
                    };
                    let tree = |n: Option<Node>| match n {
                        Some(Node::Tree(id)) => Some(id),
                        _ => None,
                    };
                    if tree(l).is_some() || tree(r).is_some() {
                        self.diff_trees(&join(name), depth + 1, tree(l), tree(r), seen, out)?;
                    }
                    if file(l).is_some() || file(r).is_some() {
                        out.push(FileChange {
                            path: join(name),
                            old: file(l),
                            new: file(r),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The id git gives `bytes` as a blob: equal to a committed file's id
    /// exactly when the bytes are the same.
    pub fn blob_id(&self, bytes: &[u8]) -> Option<ObjectId> {
        gix::objs::compute_hash(self.repo.object_hash(), gix::objs::Kind::Blob, bytes).ok()
    }
}

/// A tree's entries that can be registry paths, borrowed from the tree,
/// in git's order (checked: a crafted tree need not be sorted).
fn entries<'t>(tree: Option<&'t gix::Tree<'_>>) -> Result<Vec<(&'t str, Node)>, GitError> {
    let Some(tree) = tree else {
        return Ok(Vec::new());
    };
    let decoded = tree.decode().map_err(read_error)?;
    let mut out: Vec<(&str, Node)> = decoded
        .entries
        .iter()
        .filter_map(|e| {
            let name = safe_name(e.filename)?;
            let node = match e.mode.kind() {
                GitEntryKind::Tree => Node::Tree(e.oid.to_owned()),
                GitEntryKind::Blob | GitEntryKind::BlobExecutable => Node::File(e.oid.to_owned()),
                GitEntryKind::Link | GitEntryKind::Commit => return None,
            };
            Some((name, node))
        })
        .collect();
    if !out.is_sorted_by(|x, y| git_order(x, y).is_le()) {
        out.sort_by(git_order);
    }
    Ok(out)
}

/// Git's order of tree entries: by name, a folder's as if it ended in
/// `/`. Two trees merge in one pass in it; a file and a folder of the same
/// name are two entries.
fn git_order(x: &(&str, Node), y: &(&str, Node)) -> Ordering {
    let (a, b) = (x.0.as_bytes(), y.0.as_bytes());
    let n = a.len().min(b.len());
    // Past the common length: the next byte, or `/` ending a folder's name
    // (no name holds a `/`, so that is where the order is decided).
    let next = |name: &[u8], node: &Node| name.get(n).copied().or(node.is_tree().then_some(b'/'));
    a[..n]
        .cmp(&b[..n])
        .then_with(|| next(a, &x.1).cmp(&next(b, &y.1)))
}

#[derive(Clone, Copy)]
enum Node {
    File(ObjectId),
    Tree(ObjectId),
}

impl Node {
    fn is_tree(&self) -> bool {
        matches!(self, Node::Tree(_))
    }
}

/// A tree entry's name when it can be a path part: UTF-8, not `.`/`..`,
/// no separator (git refuses such trees, a crafted repository need not).
fn safe_name(name: &gix::bstr::BStr) -> Option<&str> {
    let name = std::str::from_utf8(name).ok()?;
    let bad = name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']);
    (!bad).then_some(name)
}
