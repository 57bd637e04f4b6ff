//! git through git2, behaving the way `git commit --only <paths>` does: the
//! commit holds HEAD plus the given paths as they are in the work tree; other
//! changes already staged stay staged and out of the commit. Hooks run like
//! git runs them; signed commits are handed to the git program.

use crate::{Error, Result};
use git2::{Index, Oid, Repository, RepositoryState, Signature};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Git {
    repo: Repository,
    workdir: PathBuf,
}

fn git_error(what: &str, err: &git2::Error) -> Error {
    Error::new(format!("{what}: {}", err.message()))
}

impl Git {
    /// The repository containing `path`.
    pub fn discover(path: &Path) -> Result<Git> {
        let repo = Repository::discover(path).map_err(|e| {
            git_error("not inside a git repository", &e)
                .in_file(path)
                .with_help("run `git init`, or pass --no-commit")
        })?;
        let workdir = repo.workdir().ok_or_else(|| {
            Error::new("the repository is bare: there is no work tree").in_file(repo.path())
        })?;
        let workdir = workdir
            .canonicalize()
            .map_err(|e| Error::io("resolve", workdir, &e))?;
        Ok(Git { repo, workdir })
    }

    /// The name of the checked-out branch, `None` on a detached HEAD.
    pub fn branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        head.is_branch()
            .then(|| head.shorthand().ok().map(str::to_string))
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

    /// Refuses, before anything is changed, what would make a commit fail or
    /// surprise: a merge or rebase in progress, no identity, a held index lock.
    pub fn check_can_commit(&self) -> Result<()> {
        let operation = match self.repo.state() {
            RepositoryState::Clean => None,
            RepositoryState::Merge => Some("a merge"),
            RepositoryState::Rebase
            | RepositoryState::RebaseInteractive
            | RepositoryState::RebaseMerge => Some("a rebase"),
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => {
                Some("a cherry-pick")
            }
            RepositoryState::Revert | RepositoryState::RevertSequence => Some("a revert"),
            RepositoryState::Bisect => Some("a bisect"),
            RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => {
                Some("`git am`")
            }
        };
        if let Some(operation) = operation {
            return Err(Error::new(format!("{operation} is in progress"))
                .in_file(&self.workdir)
                .with_help("finish or abort it first, then run this again"));
        }
        self.signature("AUTHOR")?;
        let index_lock = self.repo.path().join("index.lock");
        if index_lock.exists() {
            return Err(Error::new("another git process holds the index lock")
                .in_file(index_lock)
                .with_help(
                    "wait for it to finish; remove the file only if no git process is running",
                ));
        }
        Ok(())
    }

    /// `GIT_<KIND>_NAME`/`_EMAIL` from the environment, else `user.name` and
    /// `user.email` from git config, as git does.
    fn signature(&self, kind: &str) -> Result<Signature<'static>> {
        let config = self
            .repo
            .config()
            .map_err(|e| git_error("cannot read git config", &e))?;
        let value = |env: &str, key: &str| {
            std::env::var(format!("GIT_{kind}_{env}"))
                .ok()
                .or_else(|| config.get_string(key).ok())
                .filter(|v| !v.trim().is_empty())
        };
        match (value("NAME", "user.name"), value("EMAIL", "user.email")) {
            (Some(name), Some(email)) => {
                Signature::now(&name, &email).map_err(|e| git_error("invalid git identity", &e))
            }
            _ => Err(
                Error::new("no git identity configured (user.name and user.email)")
                    .in_file(&self.workdir)
                    .with_help("git config --global user.name \"Your Name\"")
                    .with_help("git config --global user.email you@example.com"),
            ),
        }
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

    /// Commits HEAD plus `paths` (relative to the work tree) as they are on
    /// disk, with `message` after the hooks had their say. On error nothing
    /// changed: no commit, index as it was.
    pub fn commit_paths(&self, paths: &[String], message: &str) -> Result<Oid> {
        let temp_index_path = self.repo.path().join("cargo-tasks-index");
        let result = self.commit_with_temp_index(paths, message, &temp_index_path);
        let _ = fs::remove_file(&temp_index_path);
        result
    }

    fn commit_with_temp_index(
        &self,
        paths: &[String],
        message: &str,
        temp_path: &Path,
    ) -> Result<Oid> {
        let mut index = self
            .repo
            .index()
            .map_err(|e| git_error("cannot open the index", &e))?;
        index
            .read(false)
            .map_err(|e| git_error("cannot read the index", &e))?;
        self.stage(&mut index, paths)
            .map_err(|e| git_error("cannot stage the task's paths", &e))?;
        let parent = self.head_commit()?;
        let mut tree_id = self.commit_tree(&index, paths, parent.as_ref())?;

        // Hooks see the commit's index through GIT_INDEX_FILE; without hooks it
        // never needs to exist.
        if self.hook("pre-commit").is_some() || self.hook("commit-msg").is_some() {
            tree_id = self.run_pre_commit(tree_id, temp_path)?;
        }
        let message = self.message_after_hook(message, temp_path)?;

        let commit = if self.gpg_sign() {
            self.commit_with_git_program(tree_id, parent.as_ref(), &message)?
        } else {
            let tree = self
                .repo
                .find_tree(tree_id)
                .map_err(|e| git_error("cannot read the tree", &e))?;
            let parents: Vec<&git2::Commit> = parent.iter().collect();
            self.repo
                .commit(
                    None,
                    &self.signature("AUTHOR")?,
                    &self.signature("COMMITTER")?,
                    &message,
                    &tree,
                    &parents,
                )
                .map_err(|e| git_error("cannot create the commit", &e))?
        };
        let index_path = self.repo.path().join("index");
        let saved_index = fs::read(&index_path).ok();
        index
            .write()
            .map_err(|e| git_error("cannot write the index", &e))?;
        if let Err(err) = self.move_head(commit, parent.as_ref(), &message) {
            restore_index(&index_path, saved_index.as_deref());
            return Err(err);
        }
        let _ = self.run_hook("post-commit", &[], &index_path);
        Ok(commit)
    }

    /// Brings `paths` in `index` up to date with the work tree: files added or
    /// updated, deleted ones removed, a directory's untracked files added
    /// unless ignored. Only the named paths are visited (no work-tree scan).
    fn stage(&self, index: &mut Index, paths: &[String]) -> Result<(), git2::Error> {
        for path in paths {
            let rel = Path::new(path.trim_end_matches('/'));
            match fs::symlink_metadata(self.workdir.join(rel)) {
                Ok(meta) if meta.is_dir() => self.stage_dir(index, rel)?,
                Ok(_) if self.tracked_or_not_ignored(index, rel)? => index.add_path(rel)?,
                Ok(_) => {}
                Err(_) => {
                    if index.get_path(rel, 0).is_some() {
                        index.remove_path(rel)?;
                    }
                    index.remove_dir(rel, 0)?;
                }
            }
        }
        Ok(())
    }

    fn stage_dir(&self, index: &mut Index, dir: &Path) -> Result<(), git2::Error> {
        let gone: Vec<PathBuf> = index
            .iter()
            .map(|entry| PathBuf::from(String::from_utf8_lossy(&entry.path).into_owned()))
            .filter(|path| {
                path.starts_with(dir) && fs::symlink_metadata(self.workdir.join(path)).is_err()
            })
            .collect();
        for path in gone {
            index.remove_path(&path)?;
        }
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            let Ok(entries) = fs::read_dir(self.workdir.join(&current)) else {
                continue;
            };
            for entry in entries.flatten() {
                let rel = current.join(entry.file_name());
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                if entry.file_name() == ".git" {
                    continue;
                }
                if !self.tracked_or_not_ignored(index, &rel)? {
                    continue;
                }
                if is_dir {
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

    fn head_commit(&self) -> Result<Option<git2::Commit<'_>>> {
        match self.repo.head() {
            Ok(head) => head
                .peel_to_commit()
                .map(Some)
                .map_err(|e| git_error("cannot read HEAD", &e)),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(git_error("cannot read HEAD", &e)),
        }
    }

    /// The tree to commit: HEAD's tree with `paths` as `staged` has them. Only
    /// the subtrees on those paths are rewritten.
    fn commit_tree(
        &self,
        staged: &Index,
        paths: &[String],
        parent: Option<&git2::Commit>,
    ) -> Result<Oid> {
        let fail = |e: git2::Error| git_error("cannot build the commit's tree", &e);
        let base = match parent {
            Some(parent) => parent.tree().map_err(fail)?,
            None => {
                let empty = self
                    .repo
                    .treebuilder(None)
                    .and_then(|b| b.write())
                    .map_err(fail)?;
                self.repo.find_tree(empty).map_err(fail)?
            }
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        let mut kept = std::collections::HashSet::new();
        for entry in staged.iter() {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            if paths.iter().any(|spec| is_under(&path, spec)) {
                update.upsert(path.as_str(), entry.id, file_mode(entry.mode));
                kept.insert(path);
            }
        }
        for spec in paths {
            for path in tree_files(&self.repo, &base, spec.trim_end_matches('/')) {
                if !kept.contains(&path) {
                    update.remove(path.as_str());
                }
            }
        }
        update.create_updated(&self.repo, &base).map_err(fail)
    }

    /// Runs pre-commit on an index file holding `tree`; returns the tree the
    /// index holds afterwards (the hook may stage changes).
    fn run_pre_commit(&self, tree: Oid, temp_path: &Path) -> Result<Oid> {
        let fail = |e: git2::Error| git_error("cannot write the commit's index", &e);
        let _ = fs::remove_file(temp_path);
        let mut temp = Index::open(temp_path).map_err(fail)?;
        let tree = self.repo.find_tree(tree).map_err(fail)?;
        temp.read_tree(&tree)
            .and_then(|()| temp.write())
            .map_err(fail)?;
        self.run_hook("pre-commit", &[], temp_path)?;
        temp.read(true)
            .and_then(|()| temp.write_tree_to(&self.repo))
            .map_err(|e| git_error("cannot read the index after pre-commit", &e))
    }

    /// Writes the message to `COMMIT_EDITMSG`, runs `commit-msg` on it and
    /// reads back what the hook left.
    fn message_after_hook(&self, message: &str, temp_index: &Path) -> Result<String> {
        let file = self.repo.path().join("COMMIT_EDITMSG");
        let mut text = message.trim_end().to_string();
        text.push('\n');
        fs::write(&file, &text).map_err(|e| Error::io("write", &file, &e))?;
        let file_arg = file.to_string_lossy().into_owned();
        self.run_hook("commit-msg", &[&file_arg], temp_index)?;
        let edited = fs::read_to_string(&file).map_err(|e| Error::io("read", &file, &e))?;
        let mut edited = edited.trim_end().to_string();
        if edited.trim().is_empty() {
            return Err(
                Error::new("the commit message is empty (after the commit-msg hook)").in_file(file),
            );
        }
        edited.push('\n');
        Ok(edited)
    }

    fn hooks_dir(&self) -> PathBuf {
        let configured = self
            .repo
            .config()
            .ok()
            .and_then(|c| c.get_path("core.hooksPath").ok());
        match configured {
            Some(dir) if dir.is_absolute() => dir,
            Some(dir) => self.workdir.join(dir),
            None => self.repo.commondir().join("hooks"),
        }
    }

    /// The hook's path when it exists and is executable (git skips others).
    fn hook(&self, name: &str) -> Option<PathBuf> {
        let hook = self.hooks_dir().join(name);
        let meta = fs::metadata(&hook).ok()?;
        (meta.is_file() && is_executable(&meta)).then_some(hook)
    }

    /// Runs an executable hook the way git does: from the work tree root, with
    /// `GIT_INDEX_FILE` set, its output on stderr. A non-zero exit is an error.
    fn run_hook(&self, name: &str, args: &[&str], index_file: &Path) -> Result<()> {
        let Some(hook) = self.hook(name) else {
            return Ok(());
        };
        let status = Command::new(&hook)
            .args(args)
            .current_dir(&self.workdir)
            .env("GIT_INDEX_FILE", index_file)
            .env("GIT_EDITOR", ":")
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::io::stderr()))
            .status()
            .map_err(|e| Error::io("run", &hook, &e))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::new(format!(
                "the {name} hook failed ({status}); nothing was committed"
            ))
            .in_file(hook)
            .with_help(
                "fix what the hook reports, or commit without cargo-tasks: git commit --no-verify",
            ))
        }
    }

    fn gpg_sign(&self) -> bool {
        self.repo
            .config()
            .and_then(|c| c.get_bool("commit.gpgsign"))
            .unwrap_or(false)
    }

    /// `git commit-tree -S`: the git program signs with the user's own
    /// gpg/ssh setup.
    fn commit_with_git_program(
        &self,
        tree: Oid,
        parent: Option<&git2::Commit>,
        message: &str,
    ) -> Result<Oid> {
        let message_file = self.repo.path().join("COMMIT_EDITMSG");
        fs::write(&message_file, message).map_err(|e| Error::io("write", &message_file, &e))?;
        let mut command = Command::new("git");
        command
            .current_dir(&self.workdir)
            .arg("commit-tree")
            .arg(tree.to_string())
            .arg("-S");
        if let Some(parent) = parent {
            command.arg("-p").arg(parent.id().to_string());
        }
        let output = command
            .arg("-F")
            .arg(&message_file)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::new(format!("cannot run git to sign the commit: {e}")))?;
        if !output.status.success() {
            return Err(Error::new(format!(
                "git could not create the signed commit: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))
            .with_help("check commit.gpgsign, user.signingkey and gpg.program"));
        }
        Oid::from_str(String::from_utf8_lossy(&output.stdout).trim())
            .map_err(|e| git_error("git commit-tree printed no commit ID", &e))
    }

    /// Points HEAD's branch (or a detached HEAD) at `commit`, only if it still
    /// points at `parent`.
    fn move_head(&self, commit: Oid, parent: Option<&git2::Commit>, message: &str) -> Result<()> {
        let head = self
            .repo
            .find_reference("HEAD")
            .map_err(|e| git_error("cannot read HEAD", &e))?;
        let target = head
            .symbolic_target()
            .ok()
            .flatten()
            .unwrap_or("HEAD")
            .to_string();
        let subject = message.lines().next().unwrap_or_default();
        let log = format!("commit: {subject}");
        let updated = match parent {
            Some(parent) => self
                .repo
                .reference_matching(&target, commit, true, parent.id(), &log),
            None => self.repo.reference(&target, commit, false, &log),
        };
        updated
            .map(|_| ())
            .map_err(|e| git_error("HEAD moved while committing; nothing was committed", &e))
    }
}

/// Puts the index file back byte for byte (or removes it if there was none).
fn restore_index(index_path: &Path, saved: Option<&[u8]>) {
    let _ = match saved {
        Some(bytes) => crate::ops::fs::write_atomic(index_path, bytes),
        None => fs::remove_file(index_path).map_err(|e| Error::io("remove", index_path, &e)),
    };
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Windows has no executable bit; git for Windows runs any hook file.
#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    true
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
        0o160000 => git2::FileMode::Commit,
        _ => git2::FileMode::Blob,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
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
    fn unborn_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        git(dir.path(), &["config", "user.name", "Tess Ter"]);
        git(dir.path(), &["config", "user.email", "tess@example.com"]);
        fs::write(dir.path().join("a.txt"), "a\n").unwrap();
        fs::write(dir.path().join("b.txt"), "b\n").unwrap();
        dir
    }

    fn repo() -> tempfile::TempDir {
        let dir = unborn_repo();
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["commit", "-q", "-m", "init"]);
        dir
    }

    #[test]
    fn commits_only_the_paths_and_keeps_other_staged_changes_staged() {
        let dir = repo();
        fs::write(dir.path().join("a.txt"), "a2\n").unwrap();
        fs::write(dir.path().join("b.txt"), "b2\n").unwrap();
        git(dir.path(), &["add", "b.txt"]);
        fs::create_dir(dir.path().join("new")).unwrap();
        fs::write(dir.path().join("new/c.txt"), "c\n").unwrap();
        let repo = Git::discover(dir.path()).unwrap();
        repo.check_can_commit().unwrap();
        assert!(repo.changed_since_head("new").unwrap());
        assert!(!repo.changed_since_head("missing").unwrap());
        repo.commit_paths(&["a.txt".into(), "new".into()], "T001: a\n")
            .unwrap();
        assert_eq!(
            git(
                dir.path(),
                &["show", "--name-only", "--format=%s|%an", "HEAD"]
            ),
            "T001: a|Tess Ter\n\na.txt\nnew/c.txt\n"
        );
        assert_eq!(
            git(dir.path(), &["diff", "--cached", "--name-only"]),
            "b.txt\n"
        );
        assert_eq!(git(dir.path(), &["status", "--porcelain"]), "M  b.txt\n");
    }

    #[test]
    fn refuses_without_identity() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["config", "user.name", ""]);
        git(dir.path(), &["config", "user.email", ""]);
        let err = Git::discover(dir.path())
            .unwrap()
            .check_can_commit()
            .unwrap_err();
        assert_eq!(
            err.message(),
            "no git identity configured (user.name and user.email)"
        );
    }

    #[test]
    fn the_first_commit_of_an_unborn_branch() {
        let dir = unborn_repo();
        let repo = Git::discover(dir.path()).unwrap();
        repo.commit_paths(&["a.txt".into()], "T001: a").unwrap();
        assert_eq!(
            git(dir.path(), &["show", "--name-only", "--format=%s", "HEAD"]),
            "T001: a\n\na.txt\n"
        );
        assert_eq!(git(dir.path(), &["status", "--porcelain"]), "?? b.txt\n");
    }

    #[test]
    fn is_under_matches_whole_components() {
        assert!(is_under("docker/a.sh", "docker/"));
        assert!(is_under("docker/a.sh", "docker"));
        assert!(is_under("docker", "docker"));
        assert!(!is_under("dockerfile", "docker"));
    }
}
