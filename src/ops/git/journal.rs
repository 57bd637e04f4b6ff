//! All or nothing through a kill. A commit of a task goes in this order:
//!
//! 1. the journal `<git dir>/cargo-tasks/journal` records what is about to
//!    happen: tasks.md's bytes before (kept as a blob) and after (a hash),
//!    HEAD, and the inode of the file that will become `index.lock`;
//! 2. `index.lock` is taken (a hard link to that file, so it is ours beyond
//!    doubt) and held until the end: a concurrent `git add` fails instead of
//!    losing its update;
//! 3. tasks.md is written (atomically);
//! 4. the commit is built on a scratch copy of the index, hooks run, the
//!    commit object is written, the new index goes into `index.lock`;
//! 5. the journal records the commit; HEAD moves: this is the commit point;
//! 6. `index.lock` is renamed over the index; journal and scratch files go.
//!
//! A failure or a signal before step 5 rolls back in-process. A run that
//! finds a journal while holding the cargo-tasks lock knows its writer is
//! dead (the lock dies with its process) and finishes the job: forward when
//! HEAD is the recorded commit, back otherwise.

use super::{git_error, Git, TaskEdit};
use crate::ops::fs::write_atomic;
use crate::{Error, Result};
use git2::{ObjectType, Oid};
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for another git process to release `index.lock`.
const LOCK_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    pid: u32,
    label: String,
    tasks: PathBuf,
    before: String,
    after: String,
    head: Option<String>,
    index: PathBuf,
    lock: Option<(u64, u64)>,
    commit: Option<String>,
}

/// A change in progress, holding `index.lock`.
pub(super) struct Journal<'a> {
    git: &'a Git,
    dir: PathBuf,
    record: Record,
    lock: File,
}

/// `index.lock` beside the index, as git names it.
fn lock_file(index: &Path) -> PathBuf {
    let mut name = index.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    index.with_file_name(name)
}

fn index_lock_held(index_lock: PathBuf) -> Error {
    let remove = format!(
        "if no git process is running, a crashed one left it: rm '{}'",
        index_lock.display()
    );
    Error::new("another git process holds the index lock")
        .in_file(index_lock)
        .with_help("wait for it to finish and run this again")
        .with_help(remove)
}

fn scratch_dir(git: &Git) -> PathBuf {
    git.repo.path().join("cargo-tasks")
}

#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn file_id(_meta: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn blob_hash(bytes: &[u8]) -> Result<String> {
    Oid::hash_object(ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .map_err(|e| git_error("cannot hash tasks.md", &e))
}

impl Record {
    fn lock_path(&self) -> PathBuf {
        lock_file(&self.index)
    }

    /// Whether `index.lock` is the one this record's run took.
    fn owns_lock(&self) -> bool {
        self.lock.is_some()
            && fs::symlink_metadata(self.lock_path())
                .ok()
                .and_then(|meta| file_id(&meta))
                == self.lock
    }

    fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join("journal");
        let temp = dir.join("journal.tmp");
        let text = serde_json::to_vec(self)
            .map_err(|e| Error::new(format!("cannot record the change: {e}")))?;
        fs::write(&temp, text).map_err(|e| Error::io("write", &temp, &e))?;
        fs::rename(&temp, &path).map_err(|e| Error::io("rename a temporary file to", &path, &e))
    }

    fn load(dir: &Path) -> Result<Option<Record>> {
        let path = dir.join("journal");
        let text = match fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", &path, &e)),
        };
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            Error::new(format!("unreadable record of an interrupted run: {e}"))
                .in_file(&path)
                .with_help(format!(
                    "check tasks.md and `git status`, then remove {}",
                    dir.display()
                ))
        })
    }

    /// Puts tasks.md back to the bytes before, unless someone changed it
    /// since; says what it found when it leaves it.
    fn restore_tasks(&self, git: &Git) -> Result<Option<String>> {
        let current = match fs::read(&self.tasks) {
            Ok(bytes) => bytes,
            Err(e) => return Err(Error::io("read", &self.tasks, &e)),
        };
        let hash = blob_hash(&current)?;
        if hash == self.before {
            return Ok(None);
        }
        if hash != self.after {
            return Ok(Some(format!(
                "{} was changed by something else meanwhile and is left as it is",
                self.tasks.display()
            )));
        }
        let before = Oid::from_str(&self.before)
            .and_then(|oid| git.repo.find_blob(oid))
            .map_err(|e| git_error("cannot read the saved tasks.md", &e))?;
        write_atomic(&self.tasks, before.content())?;
        Ok(None)
    }

    /// Rolls back (HEAD not moved) or forward (HEAD is the new commit).
    fn settle(&self, git: &Git) -> Result<String> {
        let head = git.head_commit()?.map(|c| c.id().to_string());
        let note = if self.commit.is_some() && head == self.commit {
            if self.owns_lock() {
                fs::rename(self.lock_path(), &self.index)
                    .map_err(|e| Error::io("rename the held lock to", &self.index, &e))?;
            }
            let short: String = self.commit.iter().flat_map(|c| c.chars()).take(7).collect();
            format!(
                "the interrupted `{}` was completed (commit {short})",
                self.label
            )
        } else if head == self.head {
            self.remove_lock()?;
            self.remove_ref_lock(git)?;
            match self.restore_tasks(git)? {
                Some(left) => format!("the interrupted `{}` was rolled back; {left}", self.label),
                None => format!(
                    "the interrupted `{}` was rolled back: tasks.md restored, nothing committed",
                    self.label
                ),
            }
        } else {
            self.remove_lock()?;
            format!(
                "the interrupted `{}` was abandoned: HEAD moved since; tasks.md is left as it is",
                self.label
            )
        };
        Ok(note)
    }

    /// A run killed while libgit2 moved HEAD leaves the branch's lock
    /// behind, empty or holding the recorded commit: it goes. Anyone else's
    /// lock stays.
    fn remove_ref_lock(&self, git: &Git) -> Result<()> {
        let Some(commit) = &self.commit else {
            return Ok(());
        };
        let lock = git.ref_lock(&git.head_target()?);
        let ours =
            fs::read(&lock).is_ok_and(|bytes| format!("{commit}\n").as_bytes().starts_with(&bytes));
        if ours {
            fs::remove_file(&lock).map_err(|e| Error::io("remove", &lock, &e))?;
        }
        Ok(())
    }

    fn remove_lock(&self) -> Result<()> {
        if self.owns_lock() {
            let path = self.lock_path();
            fs::remove_file(&path).map_err(|e| Error::io("remove", &path, &e))?;
        }
        Ok(())
    }
}

impl<'a> Journal<'a> {
    /// Records the plan, then takes `index.lock`; nothing visible changed
    /// yet. Fails without leftovers when the lock is held.
    pub fn begin(git: &'a Git, edit: &TaskEdit, head: Option<Oid>) -> Result<Journal<'a>> {
        let dir = scratch_dir(git);
        fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, &e))?;
        let before = git
            .repo
            .blob(edit.before)
            .map_err(|e| git_error("cannot save tasks.md", &e))?;
        let index = git.index_path().to_path_buf();
        let candidate = dir.join("lock");
        let _ = fs::remove_file(&candidate);
        let lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
            .map_err(|e| Error::io("create", &candidate, &e))?;
        let id = lock
            .metadata()
            .map_err(|e| Error::io("inspect", &candidate, &e))?;
        let record = Record {
            pid: std::process::id(),
            label: edit.label.to_string(),
            tasks: edit.file.to_path_buf(),
            before: before.to_string(),
            after: blob_hash(edit.after)?,
            head: head.map(|oid| oid.to_string()),
            index,
            lock: file_id(&id),
            commit: None,
        };
        let journal = Journal {
            git,
            dir,
            record,
            lock,
        };
        let taken = journal
            .record
            .save(&journal.dir)
            .and_then(|()| journal.take_lock(&candidate));
        if let Err(err) = taken {
            journal.discard();
            return Err(err);
        }
        Ok(journal)
    }

    /// Takes `index.lock`, waiting up to a second for another git process
    /// that holds it (a `git add` holds it for milliseconds).
    fn take_lock(&self, candidate: &Path) -> Result<()> {
        let lock = self.record.lock_path();
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match fs::hard_link(candidate, &lock) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Instant::now() >= deadline {
                        return Err(index_lock_held(lock));
                    }
                    crate::ops::signal::check()?;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(Error::io("create", &lock, &e)),
            }
        }
        fs::remove_file(candidate).map_err(|e| Error::io("remove", candidate, &e))
    }

    /// A scratch file of this change, removed at the end.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A copy of the index for this change, and the repository's index from
    /// now on (so that libgit2 never writes the real one).
    pub fn scratch_index(&self) -> Result<git2::Index> {
        let fail = |e: git2::Error| git_error("cannot read the index", &e);
        let copy = self.scratch("index");
        match fs::copy(&self.record.index, &copy) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let _ = fs::remove_file(&copy);
            }
            Err(e) => return Err(Error::io("copy", &self.record.index, &e)),
        }
        let mut index = git2::Index::open(&copy).map_err(fail)?;
        self.git.repo.set_index(&mut index).map_err(fail)?;
        Ok(index)
    }

    /// Writes `index` into the held `index.lock`, to become the index when
    /// the commit lands.
    pub fn stage_index(&mut self, index: &mut git2::Index) -> Result<()> {
        index
            .write()
            .map_err(|e| git_error("cannot write the index", &e))?;
        let copy = self.scratch("index");
        let bytes = fs::read(&copy).map_err(|e| Error::io("read", &copy, &e))?;
        let lock = self.record.lock_path();
        self.lock
            .write_all(&bytes)
            .and_then(|()| self.lock.flush())
            .map_err(|e| Error::io("write", &lock, &e))
    }

    /// Notes the commit about to become HEAD.
    pub fn committing(&mut self, commit: Oid) -> Result<()> {
        self.record.commit = Some(commit.to_string());
        self.record.save(&self.dir)
    }

    /// After HEAD moved: the index takes the held lock's content; the
    /// record and scratch files go.
    pub fn finish(self) -> Result<()> {
        let lock = self.record.lock_path();
        fs::rename(&lock, &self.record.index)
            .map_err(|e| Error::io("rename the held lock to", &self.record.index, &e))?;
        self.discard();
        Ok(())
    }

    /// Before HEAD moved: tasks.md back, lock released, record gone. If
    /// that fails, both errors are reported and the record stays for the
    /// next run to finish.
    pub fn abort(self, err: Error) -> Error {
        let file = self.record.tasks.display().to_string();
        let restored = self
            .record
            .remove_lock()
            .and_then(|()| self.record.restore_tasks(self.git));
        match restored {
            Ok(None) => {
                self.discard();
                err.with_help(format!("{file} was restored; nothing was committed"))
            }
            Ok(Some(left)) => {
                self.discard();
                err.with_help(format!("nothing was committed; {left}"))
            }
            Err(second) => err
                .with_help(format!(
                    "nothing was committed, but restoring failed too: {second}"
                ))
                .with_help(
                    "the next `cargo tasks done` or `cargo tasks undo` finishes the restore \
                     (`cargo tasks done --repair` does only that)",
                ),
        }
    }

    fn discard(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Puts right what an interrupted run left; see the module documentation.
pub(super) fn recover(git: &Git) -> Result<Option<String>> {
    let dir = scratch_dir(git);
    if !dir.exists() {
        return Ok(None);
    }
    let note = match Record::load(&dir)? {
        Some(record) => Some(record.settle(git)?),
        None => None,
    };
    fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", &dir, &e))?;
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{git as run_git, repo};
    use super::*;

    /// A run of `done` killed right after it took the index lock and wrote
    /// tasks.md (`a.txt` here).
    fn killed_after_begin(dir: &Path) -> Git {
        let git = Git::discover(dir).unwrap();
        let tasks = dir.join("a.txt");
        let head = git.head_commit().unwrap().map(|c| c.id());
        let edit = edit(&tasks);
        let journal = Journal::begin(&git, &edit, head).unwrap();
        fs::write(&tasks, "a2\n").unwrap();
        std::mem::forget(journal);
        git
    }

    /// A run of `done` killed after it recorded `commit`, before HEAD moved.
    fn killed_before_head_moved(dir: &Path, commit: &str) -> Git {
        let git = Git::discover(dir).unwrap();
        let tasks = dir.join("a.txt");
        let head = git.head_commit().unwrap().map(|c| c.id());
        let mut journal = Journal::begin(&git, &edit(&tasks), head).unwrap();
        fs::write(&tasks, "a2\n").unwrap();
        journal.committing(Oid::from_str(commit).unwrap()).unwrap();
        std::mem::forget(journal);
        git
    }

    fn edit(tasks: &Path) -> TaskEdit<'_> {
        TaskEdit {
            file: tasks,
            before: b"a\n",
            after: b"a2\n",
            label: "done T001",
        }
    }

    /// A `git add` holds `index.lock` for milliseconds: a lock released within the
    /// wait is taken, not reported as held.
    #[test]
    fn an_index_lock_released_meanwhile_is_taken() {
        let dir = repo();
        let git = Git::discover(dir.path()).unwrap();
        let lock = dir.path().join(".git/index.lock");
        fs::write(&lock, "another git").unwrap();
        let release = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                fs::remove_file(lock).unwrap();
            })
        };
        let tasks = dir.path().join("a.txt");
        let head = git.head_commit().unwrap().map(|c| c.id());
        let journal = Journal::begin(&git, &edit(&tasks), head).unwrap();
        release.join().unwrap();
        assert!(journal.record.owns_lock());
        journal.finish().unwrap();
        assert!(!lock.exists());
    }

    /// Only a lock that exists is waited on: an index whose directory is gone
    /// fails at once with the reason, and nothing is left behind.
    #[test]
    fn a_lock_that_cannot_be_made_is_reported_at_once() {
        let dir = repo();
        let mut git = Git::discover(dir.path()).unwrap();
        git.index = dir.path().join("gone/index");
        let tasks = dir.path().join("a.txt");
        let started = Instant::now();
        let err = Journal::begin(&git, &edit(&tasks), None)
            .err()
            .expect("no lock");
        assert!(started.elapsed() < LOCK_WAIT, "{:?}", started.elapsed());
        assert_eq!(
            err.message(),
            "cannot create: No such file or directory (os error 2)"
        );
        assert_eq!(
            err.file(),
            Some(dir.path().join("gone/index.lock").as_path())
        );
        assert!(!dir.path().join(".git/cargo-tasks").exists());
    }

    /// The commit was recorded but HEAD never moved to it: back, not forward.
    #[test]
    fn a_run_killed_between_recording_the_commit_and_moving_head_is_rolled_back() {
        let dir = repo();
        let git = killed_before_head_moved(dir.path(), "1111111111111111111111111111111111111111");
        let tasks = dir.path().join("a.txt");
        assert_eq!(
            git.recover().unwrap().unwrap(),
            "the interrupted `done T001` was rolled back: tasks.md restored, nothing committed"
        );
        assert_eq!(fs::read_to_string(&tasks).unwrap(), "a\n");
        assert!(!dir.path().join(".git/index.lock").exists());
    }

    /// Killed while libgit2 held the lock of the reference HEAD moves: the
    /// lock is ours when it is empty or holds the recorded commit, and goes
    /// with the rollback; another process's lock stays. Branch locks live in
    /// the common git directory, a detached HEAD's in the work tree's own.
    #[test]
    fn a_ref_lock_left_by_the_killed_run_is_removed_and_anyone_elses_kept() {
        let commit = "1111111111111111111111111111111111111111";
        for checkout in ["main work tree", "linked, on a branch", "linked, detached"] {
            for (content, ours) in [
                (String::new(), true),
                (format!("{commit}\n"), true),
                ("11111".to_string(), true),
                (
                    "2222222222222222222222222222222222222222\n".to_string(),
                    false,
                ),
            ] {
                let dir = repo();
                let work = match checkout {
                    "linked, on a branch" => {
                        run_git(
                            dir.path(),
                            &["worktree", "add", "-q", "-b", "side", "linked"],
                        );
                        dir.path().join("linked")
                    }
                    "linked, detached" => {
                        run_git(dir.path(), &["worktree", "add", "-q", "--detach", "linked"]);
                        dir.path().join("linked")
                    }
                    _ => dir.path().to_path_buf(),
                };
                let work = work.as_path();
                let git = killed_before_head_moved(work, commit);
                let moved = run_git(work, &["rev-parse", "--symbolic-full-name", "HEAD"]);
                let lock_name = format!("{}.lock", moved.trim());
                let lock = run_git(
                    work,
                    &[
                        "rev-parse",
                        "--path-format=absolute",
                        "--git-path",
                        &lock_name,
                    ],
                );
                let lock = Path::new(lock.trim());
                fs::write(lock, &content).unwrap();
                git.recover().unwrap().unwrap();
                let context = format!("{checkout}, lock holding {content:?}");
                assert_eq!(lock.exists(), !ours, "{context}");
                assert_eq!(
                    fs::read_to_string(work.join("a.txt")).unwrap(),
                    "a\n",
                    "{context}"
                );
            }
        }
    }

    /// A record that cannot be read is an error, and it stays for a later run.
    #[test]
    fn a_journal_that_cannot_be_read_is_an_error_and_kept() {
        let dir = repo();
        let journal = dir.path().join(".git/cargo-tasks/journal");
        fs::create_dir_all(&journal).unwrap();
        let err = Git::discover(dir.path()).unwrap().recover().unwrap_err();
        assert!(err.message().starts_with("cannot read: "), "{err}");
        assert_eq!(err.file(), Some(journal.as_path()));
        assert!(journal.is_dir());
    }

    #[test]
    fn nothing_to_recover_and_a_journal_never_written() {
        let dir = repo();
        let git = Git::discover(dir.path()).unwrap();
        assert_eq!(git.recover().unwrap(), None);
        fs::create_dir(dir.path().join(".git/cargo-tasks")).unwrap();
        fs::write(dir.path().join(".git/cargo-tasks/lock"), "").unwrap();
        assert_eq!(git.recover().unwrap(), None);
        assert!(!dir.path().join(".git/cargo-tasks").exists());
    }

    #[test]
    fn a_run_killed_before_the_commit_point_is_rolled_back() {
        let dir = repo();
        let git = killed_after_begin(dir.path());
        assert!(dir.path().join(".git/index.lock").exists());
        assert_eq!(
            git.recover().unwrap().unwrap(),
            "the interrupted `done T001` was rolled back: tasks.md restored, nothing committed"
        );
        assert_eq!(fs::read_to_string(dir.path().join("a.txt")).unwrap(), "a\n");
        assert!(!dir.path().join(".git/index.lock").exists());
        assert!(!dir.path().join(".git/cargo-tasks").exists());
        assert_eq!(run_git(dir.path(), &["status", "--porcelain"]), "");
    }

    #[test]
    fn someone_elses_index_lock_and_edits_are_left_alone() {
        let dir = repo();
        let git = killed_after_begin(dir.path());
        let lock = dir.path().join(".git/index.lock");
        fs::remove_file(&lock).unwrap();
        fs::write(&lock, "another git").unwrap();
        fs::write(dir.path().join("a.txt"), "edited by hand\n").unwrap();
        let note = git.recover().unwrap().unwrap();
        assert!(
            note.ends_with("a.txt was changed by something else meanwhile and is left as it is"),
            "{note}"
        );
        assert_eq!(fs::read_to_string(&lock).unwrap(), "another git");
        assert_eq!(
            fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "edited by hand\n"
        );
    }

    #[test]
    fn head_moved_since_the_kill_leaves_tasks_md_alone() {
        let dir = repo();
        let git = killed_after_begin(dir.path());
        fs::remove_file(dir.path().join(".git/index.lock")).unwrap();
        run_git(dir.path(), &["commit", "-q", "-am", "by hand"]);
        let note = git.recover().unwrap().unwrap();
        assert_eq!(
            note,
            "the interrupted `done T001` was abandoned: HEAD moved since; tasks.md is left as it is"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "a2\n"
        );
    }

    #[test]
    fn a_run_killed_after_the_commit_point_is_completed() {
        let dir = repo();
        let git = Git::discover(dir.path()).unwrap();
        let tasks = dir.path().join("a.txt");
        let parent = git.head_commit().unwrap();
        let edit = edit(&tasks);
        let mut journal =
            Journal::begin(&git, &edit, parent.as_ref().map(git2::Commit::id)).unwrap();
        let idents = git.spawn_idents().unwrap();
        let (commit, _) = git
            .commit_journaled(
                &mut journal,
                &edit,
                &["a.txt".to_string()],
                "T001: a\n",
                idents,
                parent.as_ref(),
            )
            .unwrap();
        std::mem::forget(journal);
        assert_eq!(
            run_git(dir.path(), &["status", "--porcelain"]),
            "MM a.txt\n",
            "killed before the index was renamed: it still holds the old entry"
        );
        let short: String = commit.to_string().chars().take(7).collect();
        assert_eq!(
            git.recover().unwrap().unwrap(),
            format!("the interrupted `done T001` was completed (commit {short})")
        );
        assert_eq!(run_git(dir.path(), &["status", "--porcelain"]), "");
        assert!(!dir.path().join(".git/index.lock").exists());
        assert!(!dir.path().join(".git/cargo-tasks").exists());
    }

    #[test]
    fn an_unreadable_journal_says_what_to_check() {
        let dir = repo();
        fs::create_dir(dir.path().join(".git/cargo-tasks")).unwrap();
        fs::write(dir.path().join(".git/cargo-tasks/journal"), "{").unwrap();
        let err = Git::discover(dir.path()).unwrap().recover().unwrap_err();
        assert!(
            err.message()
                .starts_with("unreadable record of an interrupted run"),
            "{err}"
        );
        assert!(err.help()[0].starts_with("check tasks.md and `git status`, then remove "));
    }
}
