//! One task, one commit: tasks.md written and committed with the task's
//! paths as `git commit --only` would, through the journal.

use super::hooks::HookEnv;
use super::ident::{Idents, PendingIdents};
use super::journal::Journal;
use super::{git_error, tree, Git};
use crate::ops::fs::write_atomic;
use crate::ops::signal;
use crate::{Error, Result};
use git2::{Index, Oid};
use std::fs;
use std::path::PathBuf;
use std::process::Stdio;

/// tasks.md before and after checking (or unchecking) a task.
pub struct TaskEdit<'a> {
    pub file: &'a std::path::Path,
    pub before: &'a [u8],
    pub after: &'a [u8],
    /// What is being done, for messages: `done T001`.
    pub label: &'a str,
}

const MESSAGE_HOOKS: [&str; 2] = ["prepare-commit-msg", "commit-msg"];

impl Git {
    /// Writes `edit` and commits it with `paths` (relative to the work tree;
    /// tasks.md among them) as they are on disk, with `message` after the
    /// hooks had their say. All or nothing: on an error or a signal before
    /// the commit lands, tasks.md, the index and HEAD are as they were.
    pub fn commit_edit(&self, edit: &TaskEdit, paths: &[String], message: &str) -> Result<Oid> {
        self.check_can_commit()?;
        let message = cleaned(message);
        if message.is_empty() && MESSAGE_HOOKS.iter().all(|h| self.hook(h).is_none()) {
            return Err(Error::new("the commit message is empty")
                .with_help("give one with --message, or leave it out to use the template"));
        }
        let parent = self.head_commit()?;
        let mut journal = Journal::begin(self, edit, parent.as_ref().map(git2::Commit::id))?;
        // git works out the identities while the commit is prepared.
        let idents = self.spawn_idents()?;
        let (commit, idents) = match self.commit_journaled(
            &mut journal,
            edit,
            paths,
            &message,
            idents,
            parent.as_ref(),
        ) {
            Ok(done) => done,
            Err(err) => return Err(journal.abort(err)),
        };
        let index_file = self.index_path().to_path_buf();
        journal.finish().map_err(|e| {
            e.with_help(format!(
                "the commit {commit} landed; the next `cargo tasks done` or `undo` updates the index"
            ))
        })?;
        let env = HookEnv {
            index_file: &index_file,
            author: &idents.author,
        };
        // Like git, a failing post-commit hook does not undo the commit.
        let _ = self.run_hook("post-commit", &[], &env);
        Ok(commit)
    }

    pub(super) fn commit_journaled(
        &self,
        journal: &mut Journal,
        edit: &TaskEdit,
        paths: &[String],
        message: &str,
        idents: PendingIdents,
        parent: Option<&git2::Commit>,
    ) -> Result<(Oid, Idents)> {
        let mut idents = Some(idents);
        let result = self.prepare_and_commit(journal, edit, paths, message, &mut idents, parent);
        // Never leave the identity processes unreaped.
        if let Some(pending) = idents {
            let _ = pending.wait();
        }
        result
    }

    fn prepare_and_commit(
        &self,
        journal: &mut Journal,
        edit: &TaskEdit,
        paths: &[String],
        message: &str,
        pending: &mut Option<PendingIdents>,
        parent: Option<&git2::Commit>,
    ) -> Result<(Oid, Idents)> {
        write_atomic(edit.file, edit.after)?;
        signal::check()?;
        let mut index = journal.scratch_index()?;
        tree::stage(&self.repo, &self.workdir, &mut index, paths)
            .map_err(|e| git_error("cannot stage the task's paths", &e))?;
        let base = parent
            .map(git2::Commit::tree)
            .transpose()
            .map_err(|e| git_error("cannot read HEAD's tree", &e))?;
        let tree_id = tree::commit_tree(&self.repo, &index, paths, base.as_ref())
            .map_err(|e| git_error("cannot build the commit's tree", &e))?;

        let idents = match pending.take() {
            Some(pending) => pending.wait()?,
            None => return Err(Error::new("the identities were asked for once only")),
        };
        // Hooks see the commit's own index (HEAD plus the paths), as with
        // `git commit --only`.
        let hook_index = journal.scratch("hook-index");
        let env = HookEnv {
            index_file: &hook_index,
            author: &idents.author,
        };
        let tree_id = self.run_pre_commit(tree_id, &env)?;
        let message = self.message_after_hooks(message, &env)?;
        signal::check()?;
        let commit = self.create_commit(tree_id, parent, &message, &idents)?;
        journal.stage_index(&mut index)?;
        signal::check()?;
        journal.committing(commit)?;
        self.move_head(commit, parent, &message)?;
        Ok((commit, idents))
    }

    pub(super) fn head_commit(&self) -> Result<Option<git2::Commit<'_>>> {
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

    /// Runs pre-commit (if any) on an index file holding `tree`; returns the
    /// tree the index holds afterwards (the hook may stage changes).
    fn run_pre_commit(&self, tree: Oid, env: &HookEnv) -> Result<Oid> {
        let hooks = ["pre-commit"].iter().chain(&MESSAGE_HOOKS);
        if hooks.into_iter().all(|h| self.hook(h).is_none()) {
            return Ok(tree);
        }
        let fail = |e: git2::Error| git_error("cannot write the commit's index", &e);
        let mut temp = Index::open(env.index_file).map_err(fail)?;
        let tree = self.repo.find_tree(tree).map_err(fail)?;
        temp.read_tree(&tree)
            .and_then(|()| temp.write())
            .map_err(fail)?;
        if self.hook("pre-commit").is_none() {
            return Ok(tree.id());
        }
        self.run_hook("pre-commit", &[], env)?;
        temp.read(true)
            .and_then(|()| temp.write_tree_to(&self.repo))
            .map_err(|e| git_error("cannot read the index after pre-commit", &e))
    }

    /// Writes the message to `COMMIT_EDITMSG`, runs `prepare-commit-msg`
    /// (source `message`, as for `git commit -m`) and `commit-msg` on it,
    /// and reads back what they left.
    fn message_after_hooks(&self, message: &str, env: &HookEnv) -> Result<String> {
        let ran: Vec<&str> = MESSAGE_HOOKS
            .into_iter()
            .filter(|h| self.hook(h).is_some())
            .collect();
        if ran.is_empty() {
            return Ok(message.to_string());
        }
        let file = self.repo.path().join("COMMIT_EDITMSG");
        fs::write(&file, message).map_err(|e| Error::io("write", &file, &e))?;
        let file_arg = file.to_string_lossy().into_owned();
        self.run_hook("prepare-commit-msg", &[&file_arg, "message"], env)?;
        self.run_hook("commit-msg", &[&file_arg], env)?;
        let edited = fs::read_to_string(&file).map_err(|e| Error::io("read", &file, &e))?;
        let edited = cleaned(&edited);
        if edited.is_empty() {
            return Err(Error::new(format!(
                "the commit message is empty after the {} hook",
                ran.join(" and ")
            ))
            .in_file(file));
        }
        Ok(edited)
    }

    fn create_commit(
        &self,
        tree: Oid,
        parent: Option<&git2::Commit>,
        message: &str,
        idents: &Idents,
    ) -> Result<Oid> {
        if self.gpg_sign() {
            return self.commit_with_git_program(tree, parent, message, idents);
        }
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(|e| git_error("cannot read the tree", &e))?;
        let parents: Vec<&git2::Commit> = parent.into_iter().collect();
        self.repo
            .commit(
                None,
                &idents.author.signature()?,
                &idents.committer.signature()?,
                message,
                &tree,
                &parents,
            )
            .map_err(|e| git_error("cannot create the commit", &e))
    }

    fn gpg_sign(&self) -> bool {
        self.repo
            .config()
            .and_then(|c| c.get_bool("commit.gpgsign"))
            .unwrap_or(false)
    }

    /// `git commit-tree -S`: the git program signs with the user's own
    /// gpg/ssh setup, with the same author, committer and dates.
    fn commit_with_git_program(
        &self,
        tree: Oid,
        parent: Option<&git2::Commit>,
        message: &str,
        idents: &Idents,
    ) -> Result<Oid> {
        let message_file = self.repo.path().join("COMMIT_EDITMSG");
        fs::write(&message_file, message).map_err(|e| Error::io("write", &message_file, &e))?;
        let mut command = self.git_command();
        command.arg("commit-tree").arg(tree.to_string()).arg("-S");
        if let Some(parent) = parent {
            command.arg("-p").arg(parent.id().to_string());
        }
        for (role, ident) in [("AUTHOR", &idents.author), ("COMMITTER", &idents.committer)] {
            command
                .env(format!("GIT_{role}_NAME"), &ident.name)
                .env(format!("GIT_{role}_EMAIL"), &ident.email)
                .env(format!("GIT_{role}_DATE"), ident.date());
        }
        let output = command
            .arg("-F")
            .arg(&message_file)
            .stderr(Stdio::piped())
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
        let target = self.head_target()?;
        let subject = message.lines().next().unwrap_or_default();
        let log = format!("commit: {subject}");
        let updated = match parent {
            Some(parent) => self
                .repo
                .reference_matching(&target, commit, true, parent.id(), &log),
            None => self.repo.reference(&target, commit, false, &log),
        };
        updated.map(|_| ()).map_err(|e| {
            if e.code() == git2::ErrorCode::Locked {
                let lock = self.ref_lock(&target);
                let remove = format!(
                    "if no git process is running, a crashed one left it: rm '{}'",
                    lock.display()
                );
                Error::new(format!(
                    "another git process holds the lock of {target}; nothing was committed"
                ))
                .in_file(lock)
                .with_help("wait for it to finish and run this again")
                .with_help(remove)
            } else {
                git_error("HEAD moved while committing; nothing was committed", &e)
            }
        })
    }

    /// The reference a commit moves: HEAD's branch, or `HEAD` when detached.
    pub(super) fn head_target(&self) -> Result<String> {
        let head = self
            .repo
            .find_reference("HEAD")
            .map_err(|e| git_error("cannot read HEAD", &e))?;
        Ok(head.symbolic_target().unwrap_or("HEAD").to_string())
    }

    /// The lock file git and libgit2 take to update `reference`: per
    /// work tree for HEAD, shared by all work trees for branches.
    pub(super) fn ref_lock(&self, reference: &str) -> PathBuf {
        let dir = if reference == "HEAD" {
            self.repo.path()
        } else {
            self.repo.commondir()
        };
        dir.join(format!("{reference}.lock"))
    }
}

/// The message as git cleans one given with `-m` (the `whitespace` mode):
/// trailing spaces and surrounding blank lines removed, runs of blank lines
/// collapsed, one final newline; empty when nothing is left.
fn cleaned(message: &str) -> String {
    git2::message_prettify(message, None).unwrap_or_else(|_| message.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{git, repo, unborn_repo};
    use super::*;
    use std::path::Path;

    fn commit(dir: &Path, paths: &[&str], message: &str) -> Result<Oid> {
        let repo = Git::discover(dir).unwrap();
        let tasks = dir.join("a.txt");
        let before = fs::read(&tasks).unwrap();
        let paths: Vec<String> = paths.iter().map(|p| (*p).to_string()).collect();
        repo.commit_edit(
            &TaskEdit {
                file: &tasks,
                before: &before,
                after: b"a2\n",
                label: "done T001",
            },
            &paths,
            message,
        )
    }

    #[test]
    fn commits_only_the_paths_and_keeps_other_staged_changes_staged() {
        let dir = repo();
        fs::write(dir.path().join("b.txt"), "b2\n").unwrap();
        git(dir.path(), &["add", "b.txt"]);
        fs::create_dir(dir.path().join("new")).unwrap();
        fs::write(dir.path().join("new/c.txt"), "c\n").unwrap();
        let repo = Git::discover(dir.path()).unwrap();
        assert!(repo.changed_since_head("new").unwrap());
        assert!(!repo.changed_since_head("missing").unwrap());
        commit(dir.path(), &["a.txt", "new"], "T001: a\n").unwrap();
        assert_eq!(
            git(
                dir.path(),
                &["show", "--name-only", "--format=%s|%an", "HEAD"]
            ),
            "T001: a|Tess Ter\n\na.txt\nnew/c.txt\n"
        );
        assert_eq!(git(dir.path(), &["status", "--porcelain"]), "M  b.txt\n");
        assert!(!dir.path().join(".git/cargo-tasks").exists());
        assert!(!dir.path().join(".git/index.lock").exists());
    }

    #[test]
    fn the_first_commit_of_an_unborn_branch() {
        let dir = unborn_repo();
        commit(dir.path(), &["a.txt"], "T001: a").unwrap();
        assert_eq!(
            git(dir.path(), &["show", "--name-only", "--format=%s", "HEAD"]),
            "T001: a\n\na.txt\n"
        );
        assert_eq!(git(dir.path(), &["status", "--porcelain"]), "?? b.txt\n");
    }

    #[test]
    fn a_corrupt_branch_is_an_error_not_an_unborn_branch() {
        let dir = repo();
        let good = Git::discover(dir.path()).unwrap();
        assert!(good.head_commit().unwrap().is_some());
        let branch = git(dir.path(), &["symbolic-ref", "HEAD"]);
        fs::write(
            dir.path().join(".git").join(branch.trim()),
            "not an object ID\n",
        )
        .unwrap();
        let corrupt = Git::discover(dir.path()).unwrap();
        let err = corrupt.head_commit().unwrap_err();
        assert!(err.message().starts_with("cannot read HEAD"), "{err}");
        let unborn = unborn_repo();
        let unborn = Git::discover(unborn.path()).unwrap();
        assert!(unborn.head_commit().unwrap().is_none());
    }

    #[test]
    fn an_empty_message_is_refused_before_anything_changes() {
        let dir = repo();
        let err = commit(dir.path(), &["a.txt"], " \n\n").unwrap_err();
        assert_eq!(err.message(), "the commit message is empty");
        assert_eq!(fs::read_to_string(dir.path().join("a.txt")).unwrap(), "a\n");
    }

    #[test]
    fn messages_are_cleaned_as_git_cleans_them() {
        assert_eq!(
            cleaned("\n\nT001: a  \n\n\n\nbody\n\n"),
            "T001: a\n\nbody\n"
        );
        assert_eq!(cleaned(" \n"), "");
    }
}
