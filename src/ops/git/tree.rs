//! What a commit of some paths holds, as `git add <paths> && git commit
//! --only <paths>` decides it: the named paths brought up to date in the
//! index, then HEAD's tree with just those paths replaced. Entries git keeps
//! out of reach stay as they are: skip-worktree (sparse checkout) entries are
//! neither refreshed nor deleted, intent-to-add entries are never committed,
//! submodules are committed as the commit their work tree has checked out.

use git2::{Index, IndexEntry, Oid, Repository, RepositoryOpenFlags};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

const SKIP_WORKTREE: u16 = 1 << 14;
const INTENT_TO_ADD: u16 = 1 << 13;
const GITLINK: u32 = 0o160000;

fn skip_worktree(entry: &IndexEntry) -> bool {
    entry.flags_extended & SKIP_WORKTREE != 0
}

fn intent_to_add(entry: &IndexEntry) -> bool {
    entry.flags_extended & INTENT_TO_ADD != 0
}

fn entry_path(entry: &IndexEntry) -> String {
    String::from_utf8_lossy(&entry.path).into_owned()
}

/// Whether `dot_git` (a directory's `.git` entry) makes that directory a
/// repository: an empty `.git` directory or a `.git` file that leads nowhere
/// does not, and git walks such a directory like any other.
fn is_repository_link(dot_git: &Path) -> bool {
    Repository::open_ext(dot_git, RepositoryOpenFlags::NO_SEARCH, [] as [&OsStr; 0]).is_ok()
}

/// Brings `paths` in `index` up to date with the work tree under `workdir`:
/// files added or updated, deleted ones removed, a directory's untracked
/// files added unless ignored. Only the named paths are visited.
pub(super) fn stage(
    repo: &Repository,
    workdir: &Path,
    index: &mut Index,
    paths: &[String],
) -> Result<(), git2::Error> {
    let stager = Stager {
        repo,
        workdir,
        skipped: index
            .iter()
            .filter(skip_worktree)
            .map(|entry| entry_path(&entry))
            .collect(),
    };
    for path in paths {
        stager.stage_path(index, Path::new(path.trim_end_matches('/')))?;
    }
    Ok(())
}

struct Stager<'a> {
    repo: &'a Repository,
    workdir: &'a Path,
    /// Paths of skip-worktree entries: outside the sparse checkout.
    skipped: HashSet<String>,
}

impl Stager<'_> {
    fn is_skipped(&self, rel: &Path) -> bool {
        self.skipped.contains(rel.to_string_lossy().as_ref())
    }

    fn stage_path(&self, index: &mut Index, rel: &Path) -> Result<(), git2::Error> {
        if self.is_skipped(rel) {
            return Ok(());
        }
        match fs::symlink_metadata(self.workdir.join(rel)) {
            Ok(meta) if meta.is_dir() && !self.is_repository(index, rel) => {
                self.stage_dir(index, rel)
            }
            Ok(_) if self.tracked_or_not_ignored(index, rel)? => self.add_file(index, rel),
            Ok(_) => Ok(()),
            Err(_) => {
                if index.get_path(rel, 0).is_some() {
                    index.remove_path(rel)?;
                }
                self.remove_dir(index, rel)
            }
        }
    }

    /// A submodule, or a repository of its own inside the work tree: staged
    /// as one gitlink entry, never walked.
    fn is_repository(&self, index: &Index, rel: &Path) -> bool {
        index.get_path(rel, 0).is_some_and(|e| e.mode == GITLINK)
            || is_repository_link(&self.workdir.join(rel).join(".git"))
    }

    /// Removes the entries below `dir` whose files are gone, except
    /// skip-worktree ones (absent on purpose).
    fn remove_dir(&self, index: &mut Index, dir: &Path) -> Result<(), git2::Error> {
        let gone: Vec<PathBuf> = index
            .iter()
            .filter(|entry| !skip_worktree(entry))
            .map(|entry| PathBuf::from(entry_path(&entry)))
            .filter(|path| {
                path.starts_with(dir) && fs::symlink_metadata(self.workdir.join(path)).is_err()
            })
            .collect();
        for path in gone {
            index.remove_path(&path)?;
        }
        Ok(())
    }

    /// Adds a named file; the entries of a directory it replaced go, as `git
    /// add` replaces them. (Within a walked directory, `remove_dir` has
    /// already dropped them: their files are gone.)
    fn add_file(&self, index: &mut Index, rel: &Path) -> Result<(), git2::Error> {
        index.remove_dir(rel, 0)?;
        index.add_path(rel)
    }

    fn stage_dir(&self, index: &mut Index, dir: &Path) -> Result<(), git2::Error> {
        self.remove_dir(index, dir)?;
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            // A tracked file that became this directory.
            if index.get_path(&current, 0).is_some() {
                index.remove_path(&current)?;
            }
            let Ok(entries) = fs::read_dir(self.workdir.join(&current)) else {
                continue;
            };
            for entry in entries.flatten() {
                let rel = current.join(entry.file_name());
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                // libgit2 counts every `.git` entry as ignored, as git never adds one.
                let wanted = self.tracked_or_not_ignored(index, &rel)?
                    || is_dir && tracks_below(index, &rel);
                if self.is_skipped(&rel) || !wanted {
                    continue;
                }
                if is_dir && !self.is_repository(index, &rel) {
                    pending.push(rel);
                } else {
                    index.add_path(&rel)?;
                }
            }
        }
        Ok(())
    }

    /// Ignored files are staged only when already tracked, as `git add` does.
    fn tracked_or_not_ignored(&self, index: &Index, path: &Path) -> Result<bool, git2::Error> {
        Ok(index.get_path(path, 0).is_some() || !self.repo.is_path_ignored(path)?)
    }
}

/// Whether `index` has an entry below the directory `dir`: an ignored
/// directory still holds the tracked files in it, which `git add` updates.
fn tracks_below(index: &Index, dir: &Path) -> bool {
    // `dir/`: a binary search in the sorted index, not a scan of every entry.
    index.find_prefix(dir.join("")).is_ok()
}

/// The tree to commit: `base` (HEAD's tree, or none) with `paths` as
/// `staged` has them. Only the subtrees on those paths are rewritten.
pub(super) fn commit_tree(
    repo: &Repository,
    staged: &Index,
    paths: &[String],
    base: Option<&git2::Tree>,
) -> Result<Oid, git2::Error> {
    let base = match base {
        Some(tree) => tree.clone(),
        None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
    };
    let kept: Vec<IndexEntry> = staged
        .iter()
        .filter(|entry| {
            let path = entry_path(entry);
            !intent_to_add(entry) && paths.iter().any(|spec| is_under(&path, spec))
        })
        .collect();
    let kept_paths: HashSet<String> = kept.iter().map(entry_path).collect();
    let base = without_kind_changes(repo, base, &kept_paths)?;
    let mut update = git2::build::TreeUpdateBuilder::new();
    for entry in &kept {
        update.upsert(entry_path(entry).as_str(), entry.id, file_mode(entry.mode));
    }
    for spec in paths {
        for path in tree_files(repo, &base, spec.trim_end_matches('/')) {
            // Below a file that replaced its directory, nothing is left to remove.
            let replaced = Path::new(&path).ancestors().any(|above| {
                above
                    .to_str()
                    .is_some_and(|above| kept_paths.contains(above))
            });
            if !replaced {
                update.remove(path.as_str());
            }
        }
    }
    update.create_updated(repo, &base)
}

/// `base` without the entries whose kind `kept` changes (a file that became
/// a directory, a directory that became a file): libgit2 cannot change an
/// entry's kind within one tree update.
fn without_kind_changes<'r>(
    repo: &'r Repository,
    base: git2::Tree<'r>,
    kept: &HashSet<String>,
) -> Result<git2::Tree<'r>, git2::Error> {
    let is_tree = |path: &Path| {
        base.get_path(path)
            .ok()
            .map(|entry| entry.kind() == Some(git2::ObjectType::Tree))
    };
    // Each path once: the kept files share most of their directories.
    let candidates: HashSet<&Path> = kept
        .iter()
        .flat_map(|path| Path::new(path).ancestors())
        .collect();
    let changing: Vec<&Path> = candidates
        .into_iter()
        // A tree that is now a kept file, or a file that is now a kept file's directory.
        .filter(|path| is_tree(path) == Some(kept.contains(path.to_string_lossy().as_ref())))
        .collect();
    if changing.is_empty() {
        return Ok(base);
    }
    let mut update = git2::build::TreeUpdateBuilder::new();
    for path in changing {
        update.remove(path);
    }
    repo.find_tree(update.create_updated(repo, &base)?)
}

/// Whether `path` is `spec` or inside the directory `spec`.
fn is_under(path: &str, spec: &str) -> bool {
    let spec = spec.trim_end_matches('/');
    path == spec
        || path
            .strip_prefix(spec)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Every file path at or below `path` in `tree`.
fn tree_files(repo: &Repository, tree: &git2::Tree, path: &str) -> Vec<String> {
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Vec::new();
    };
    let Some(subtree) = entry.to_object(repo).ok().and_then(|o| o.into_tree().ok()) else {
        return vec![path.to_string()];
    };
    let mut files = Vec::new();
    let _ = subtree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(git2::ObjectType::Tree) {
            files.push(format!("{path}/{dir}{}", entry.name().unwrap_or_default()));
        }
        git2::TreeWalkResult::Ok
    });
    files
}

fn file_mode(mode: u32) -> git2::FileMode {
    match mode {
        0o100755 => git2::FileMode::BlobExecutable,
        0o120000 => git2::FileMode::Link,
        GITLINK => git2::FileMode::Commit,
        _ => git2::FileMode::Blob,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_under_matches_whole_components() {
        assert!(is_under("docker/a.sh", "docker/"));
        assert!(is_under("docker/a.sh", "docker"));
        assert!(is_under("docker", "docker"));
        assert!(!is_under("dockerfile", "docker"));
    }
}
