//! git through git2, behaving the way `git commit --only <paths>` does: the
//! commit holds HEAD plus the given paths as they are in the work tree; other
//! changes already staged stay staged and out of the commit. The index is
//! held with git's own `index.lock` for the whole read-modify-write, hooks run
//! like git runs them, and every change goes through a journal
//! ([`journal`]) so that a kill at any moment leaves a state the next run
//! puts right.

mod commit;
mod hooks;
mod ident;
mod journal;
mod tree;

pub use commit::TaskEdit;

use crate::{Error, Result};
use git2::{Repository, RepositoryOpenFlags, RepositoryState};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub struct Git {
    repo: Repository,
    workdir: PathBuf,
    /// The index file (`GIT_INDEX_FILE` when set), found once: a commit
    /// gives libgit2 a scratch index of its own.
    index: PathBuf,
}

fn git_error(what: &str, err: &git2::Error) -> Error {
    Error::new(format!("{what}: {}", err.message()))
}

/// A repository-discovery variable, as git reads it: unset and empty alike
/// mean "not given".
fn env_path(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|value| !value.is_empty())
}

impl Git {
    /// The repository of the work tree containing `path`, found the way git
    /// finds it: `GIT_DIR` names it outright; otherwise the search goes up
    /// from `path`, stopping at `GIT_CEILING_DIRECTORIES` and (unless
    /// `GIT_DISCOVERY_ACROSS_FILESYSTEM`) at a filesystem boundary. The work
    /// tree is `GIT_WORK_TREE`, else `core.worktree`, else (with `GIT_DIR`)
    /// the current directory, else the directory holding `.git`.
    /// `GIT_INDEX_FILE` and `GIT_OBJECT_DIRECTORY` are honoured too.
    pub fn discover(path: &Path) -> Result<Git> {
        let git_dir = env_path("GIT_DIR");
        let opened = match &git_dir {
            Some(_) => Repository::open_from_env(),
            None => {
                let ceilings: Vec<PathBuf> = env_path("GIT_CEILING_DIRECTORIES")
                    .map(|dirs| std::env::split_paths(&dirs).collect())
                    .unwrap_or_default();
                Repository::open_ext(path, RepositoryOpenFlags::FROM_ENV, &ceilings)
            }
        };
        let repo = opened.map_err(|e| {
            let searched = match &git_dir {
                Some(dir) => format!("GIT_DIR={} is not a git repository", dir.to_string_lossy()),
                None => format!("searched from {} upwards", path.display()),
            };
            git_error("not inside a git repository", &e)
                .with_help(searched)
                .with_help("run `git init`, or pass --no-commit")
        })?;
        let workdir = work_tree(&repo, git_dir.is_some())?;
        let workdir = workdir
            .canonicalize()
            .map_err(|e| Error::io("resolve", &workdir, &e))?;
        // Where libgit2 reads the index from (without reading it yet).
        let index = match env_path("GIT_INDEX_FILE") {
            Some(file) => std::env::current_dir()
                .map_err(|e| Error::io("resolve", Path::new("."), &e))?
                .join(file),
            None => repo.path().join("index"),
        };
        Ok(Git {
            repo,
            workdir,
            index,
        })
    }

    /// The name of the checked-out branch, `None` on a detached HEAD.
    pub fn branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        head.is_branch()
            .then(|| head.shorthand().map(str::to_string))
            .flatten()
    }

    /// The work tree root, canonical.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Where cargo-tasks keeps its lock: inside the git directory, out of
    /// `git status`.
    pub fn lock_path(&self) -> PathBuf {
        self.repo.commondir().join("cargo-tasks.lock")
    }

    /// The index file (`GIT_INDEX_FILE` when set).
    fn index_path(&self) -> &Path {
        &self.index
    }

    /// Refuses, before anything is changed, what would make a commit fail or
    /// surprise: a merge, rebase or similar in progress. The error names the
    /// file that shows the operation.
    pub fn check_can_commit(&self) -> Result<()> {
        let (operation, marker) = match self.repo.state() {
            RepositoryState::Clean => return Ok(()),
            RepositoryState::Merge => ("a merge", "MERGE_HEAD"),
            RepositoryState::Rebase | RepositoryState::RebaseInteractive => {
                ("a rebase", "rebase-apply")
            }
            RepositoryState::RebaseMerge => ("a rebase", "rebase-merge"),
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => {
                ("a cherry-pick", "CHERRY_PICK_HEAD")
            }
            RepositoryState::Revert | RepositoryState::RevertSequence => {
                ("a revert", "REVERT_HEAD")
            }
            RepositoryState::Bisect => ("a bisect", "BISECT_LOG"),
            RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => {
                ("`git am`", "rebase-apply")
            }
        };
        Err(Error::new(format!("{operation} is in progress"))
            .in_file(self.repo.path().join(marker))
            .with_help("finish or abort it first, then run this again"))
    }

    /// Whether anything at `path` (a file or directory, relative to the work
    /// tree) differs from HEAD: staged, modified, deleted or untracked.
    pub fn changed_since_head(&self, path: &str) -> Result<bool> {
        let mut options = git2::StatusOptions::new();
        options
            .pathspec(path)
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let statuses = self
            .repo
            .statuses(Some(&mut options))
            .map_err(|e| git_error("cannot read git status", &e))?;
        Ok(!statuses.is_empty())
    }

    /// The bytes of `path` (relative to the work tree) in HEAD's tree;
    /// `None` when HEAD or the file does not exist.
    pub fn head_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let fail = |e: git2::Error| git_error("cannot read HEAD", &e);
        let Some(head) = self.head_commit()? else {
            return Ok(None);
        };
        let tree = head.tree().map_err(fail)?;
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            return Ok(None);
        };
        let blob = entry
            .to_object(&self.repo)
            .and_then(|o| o.peel_to_blob())
            .map_err(fail)?;
        Ok(Some(blob.content().to_vec()))
    }

    /// Puts right what an interrupted run left (see [`journal`]); says what
    /// was done, or `None` when there was nothing. Call with the lock of
    /// [`Git::lock_path`] held.
    pub fn recover(&self) -> Result<Option<String>> {
        journal::recover(self)
    }
}

/// The work tree by git's rules (libgit2 reads `GIT_WORK_TREE` relative to
/// the git directory and, with `GIT_DIR`, falls back to its parent; git uses
/// the current directory for both).
fn work_tree(repo: &Repository, git_dir_given: bool) -> Result<PathBuf> {
    let bare = || Error::new("the repository is bare: there is no work tree").in_file(repo.path());
    let cwd = || std::env::current_dir().map_err(|e| Error::io("resolve", Path::new("."), &e));
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.worktree").ok())
        .is_some();
    let chosen = if let Some(tree) = env_path("GIT_WORK_TREE") {
        Some(cwd()?.join(tree))
    } else if git_dir_given && !configured {
        let is_bare = repo
            .config()
            .and_then(|c| c.get_bool("core.bare"))
            .unwrap_or(false);
        if is_bare {
            return Err(bare());
        }
        Some(cwd()?)
    } else {
        None
    };
    if let Some(tree) = chosen {
        repo.set_workdir(&tree, false)
            .map_err(|e| git_error("cannot use the work tree", &e).in_file(&tree))?;
    }
    repo.workdir().map(Path::to_path_buf).ok_or_else(bare)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::process::Command;

    pub(super) fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// A repository with an identity and two files, nothing committed.
    pub(super) fn unborn_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        git(dir.path(), &["config", "user.name", "Tess Ter"]);
        git(dir.path(), &["config", "user.email", "tess@example.com"]);
        fs::write(dir.path().join("a.txt"), "a\n").unwrap();
        fs::write(dir.path().join("b.txt"), "b\n").unwrap();
        dir
    }

    pub(super) fn repo() -> tempfile::TempDir {
        let dir = unborn_repo();
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["commit", "-q", "-m", "init"]);
        dir
    }

    #[test]
    fn an_operation_in_progress_names_its_marker_file() {
        let dir = repo();
        let head = git(dir.path(), &["rev-parse", "HEAD"]);
        fs::write(dir.path().join(".git/MERGE_HEAD"), head).unwrap();
        let err = Git::discover(dir.path())
            .unwrap()
            .check_can_commit()
            .unwrap_err();
        assert_eq!(err.message(), "a merge is in progress");
        assert_eq!(
            err.file().unwrap(),
            fs::canonicalize(dir.path())
                .unwrap()
                .join(".git/MERGE_HEAD")
        );
    }
}
