//! `done` and `undo` as git does it: each state is duplicated, `cargo tasks
//! done` runs in one copy and `git commit --only` in the other, with the same
//! identity and dates, and the resulting commits (by ID), indexes and work
//! trees must be identical. Then repository discovery (`GIT_DIR`,
//! `GIT_WORK_TREE`, `GIT_CEILING_DIRECTORIES`, `GIT_INDEX_FILE`), hooks and
//! identity variables as git honours them.

mod done_support;

use done_support::{Repo, TASKS};
use std::fs;

const AUTHOR_DATE: &str = "2005-04-07T22:13:13+02:00";
const COMMITTER_DATE: &str = "@1234567890 -0700";

fn fixed_dates(repo: &Repo) {
    repo.set_env("GIT_AUTHOR_DATE", AUTHOR_DATE);
    repo.set_env("GIT_COMMITTER_DATE", COMMITTER_DATE);
}

/// Everything git keeps about a repository's state, as text.
fn state(repo: &Repo) -> String {
    [
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["ls-files", "--stage"]),
        repo.git(&["ls-files", "-t"]),
        repo.git(&["status", "--porcelain", "--ignore-submodules=none"]),
        repo.tasks(),
    ]
    .join("\n--\n")
}

/// `done <id>` commits what `git commit --only` on tasks.md and `paths` does.
fn same_as_git_commit_only(repo: Repo, id: &str, paths: &[&str], message: &str) -> Repo {
    let commit = [
        &["commit", "-q", "--only", "-m", message, "--", TASKS][..],
        paths,
    ]
    .concat();
    same_as_git(repo, id, &[commit])
}

/// Runs `done <id>` here and, on a copy of the same state, checks the same
/// box and runs the git `commands`; the states must be equal. Returns the
/// repository after `done`.
fn same_as_git(repo: Repo, id: &str, commands: &[Vec<&str>]) -> Repo {
    fixed_dates(&repo);
    let theirs = repo.duplicate();
    repo.ok(&["done", id]);
    theirs.write(TASKS, &repo.tasks());
    for args in commands {
        theirs.git(args);
    }
    assert_eq!(state(&repo), state(&theirs));
    repo
}

#[test]
fn sparse_checkout_entries_stay_as_git_commit_only_leaves_them() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Tune the services in docker/\n");
    for file in 1..=3 {
        repo.write(&format!("docker/worker/w{file}.sh"), "worker\n");
        repo.write(&format!("docker/api/a{file}.sh"), "api\n");
    }
    repo.git(&["add", "docker"]);
    repo.git(&["commit", "-q", "-m", "services"]);
    repo.git(&[
        "sparse-checkout",
        "set",
        "--no-cone",
        "/*",
        "!/docker/worker/",
    ]);
    assert!(!repo.root().join("docker/worker").exists());
    repo.write("docker/api/a1.sh", "api changed\n");
    let repo = same_as_git_commit_only(
        repo,
        "T001",
        &["docker/"],
        "T001: Tune the services in docker/",
    );
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tdocker/api/a1.sh\nM\tspecs/001-x/tasks.md\n",
        "the skip-worktree files are not deleted"
    );
}

/// An executable keeps its mode 100755 and a symlink is committed as a link
/// (mode 120000, its target as content).
#[test]
fn executables_and_symlinks_keep_their_modes() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Tune the services in docker/\n");
    repo.executable("docker/run.sh", "#!/bin/sh\n");
    std::os::unix::fs::symlink("run.sh", repo.root().join("docker/current")).unwrap();
    repo.git(&["add", "docker"]);
    repo.git(&["commit", "-q", "-m", "scripts"]);
    repo.executable("docker/run.sh", "#!/bin/sh\nexit 0\n");
    fs::remove_file(repo.root().join("docker/current")).unwrap();
    std::os::unix::fs::symlink("other.sh", repo.root().join("docker/current")).unwrap();
    let repo = same_as_git_commit_only(
        repo,
        "T001",
        &["docker/"],
        "T001: Tune the services in docker/",
    );
    assert_eq!(
        repo.git(&["ls-tree", "HEAD", "docker/"]),
        "120000 blob d39b79dccef71b09b2711ba863585bdfef34bf42\tdocker/current\n\
         100755 blob 039e4d0069c5c26909f86c505b9de66182e6d1f3\tdocker/run.sh\n"
    );
}

/// `git add docker/` updates tracked files inside an ignored directory too:
/// ignore rules only keep out untracked files (and repositories).
#[test]
fn tracked_files_in_an_ignored_directory_are_committed_as_git_commits_them() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Tune the services in docker/\n");
    repo.write(".gitignore", "/target\nCargo.lock\ndocker/cache/\n");
    repo.write("docker/cache/keep.txt", "one\n");
    repo.write("docker/cache/later.txt", "later\n");
    repo.git(&["add", ".gitignore"]);
    repo.git(&["add", "-f", "docker/cache/keep.txt"]);
    repo.git(&["add", "-f", "-N", "docker/cache/later.txt"]);
    repo.git(&["commit", "-q", "-m", "cache"]);
    repo.write("docker/cache/keep.txt", "two\n");
    repo.write("docker/cache/new.txt", "new\n");
    let lib = Repo::new("## Phase 1\n- [ ] T001 Nothing\n");
    repo.git(&[
        "clone",
        "-q",
        lib.root().to_str().unwrap(),
        "docker/cache/lib",
    ]);
    let repo = same_as_git_commit_only(
        repo,
        "T001",
        &["docker/"],
        "T001: Tune the services in docker/",
    );
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tdocker/cache/keep.txt\nA\tdocker/cache/later.txt\nM\tspecs/001-x/tasks.md\n"
    );
}

/// A tracked file that became a directory, and a tracked directory that
/// became a file: `git add` replaces the old entries, and so does `done`,
/// whether the task names the paths themselves or a directory above them.
#[test]
fn a_file_that_became_a_directory_and_back_is_committed_as_git_commits_it() {
    for paths in [
        &["docker/entrypoint.d", "docker/probe.sh"][..],
        &["docker/"],
    ] {
        let named = paths.join(" and ");
        let repo = Repo::new(&format!(
            "## Phase 1\n- [ ] T001 Split {named}\n- [ ] T002 Join {named}\n"
        ));
        repo.write("docker/entrypoint.d", "one script\n");
        repo.write("docker/probe.sh/inner.sh", "probe\n");
        repo.git(&["add", "docker"]);
        repo.git(&["commit", "-q", "-m", "docker"]);
        std::fs::remove_file(repo.root().join("docker/entrypoint.d")).unwrap();
        repo.write("docker/entrypoint.d/10-env.sh", "env\n");
        repo.write("docker/entrypoint.d/20-wait.sh", "wait\n");
        std::fs::remove_dir_all(repo.root().join("docker/probe.sh")).unwrap();
        repo.write("docker/probe.sh", "probe inline\n");
        // `git commit --only` refuses a file that became a directory; `git add`
        // and a plain commit show what the commit must hold.
        let add = [&["add", "--", TASKS][..], paths].concat();
        let split = format!("T001: Split {named}");
        let repo = same_as_git(
            repo,
            "T001",
            &[add.clone(), vec!["commit", "-q", "-m", &split]],
        );
        std::fs::remove_dir_all(repo.root().join("docker/entrypoint.d")).unwrap();
        repo.write("docker/entrypoint.d", "one script again\n");
        std::fs::remove_file(repo.root().join("docker/probe.sh")).unwrap();
        repo.write("docker/probe.sh/inner.sh", "probe again\n");
        let join = format!("T002: Join {named}");
        same_as_git(repo, "T002", &[add, vec!["commit", "-q", "-m", &join]]);
    }
}

#[test]
fn intent_to_add_entries_are_committed_when_named_and_kept_otherwise() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Write docker/run.sh\n");
    repo.write("docker/run.sh", "#!/bin/sh\n");
    repo.write("notes.txt", "later\n");
    repo.git(&["add", "-N", "docker/run.sh", "notes.txt"]);
    let repo = same_as_git_commit_only(
        repo,
        "T001",
        &["docker/run.sh"],
        "T001: Write docker/run.sh",
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        " A notes.txt\n",
        "notes.txt is still intent-to-add"
    );
}

/// An intent-to-add entry that is also outside the sparse checkout is never
/// brought up to date, and still not committed, even inside a named directory.
#[test]
fn an_intent_to_add_entry_outside_the_sparse_checkout_is_not_committed() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Tune docker/\n");
    repo.write("docker/run.sh", "#!/bin/sh\n");
    repo.git(&["add", "docker/run.sh"]);
    repo.git(&["commit", "-q", "-m", "run.sh"]);
    repo.write("docker/later.sh", "later\n");
    repo.git(&["add", "-N", "docker/later.sh"]);
    repo.git(&["update-index", "--skip-worktree", "docker/later.sh"]);
    repo.write("docker/run.sh", "#!/bin/sh\nexec app\n");
    let repo = same_as_git_commit_only(repo, "T001", &["docker/"], "T001: Tune docker/");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/run.sh\nspecs/001-x/tasks.md\n"
    );
}

#[test]
fn a_submodule_is_committed_as_its_checked_out_commit() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Update vendor/lib\n");
    let lib = Repo::new("## Phase 1\n- [ ] T001 Nothing\n");
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        lib.root().to_str().unwrap(),
        "vendor/lib",
    ]);
    repo.git(&["commit", "-q", "-m", "submodule"]);
    let sub = repo.root().join("vendor/lib");
    fs::write(sub.join("new.txt"), "new\n").unwrap();
    for args in [&["add", "new.txt"][..], &["commit", "-q", "-m", "new"]] {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(&sub)
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_AUTHOR_NAME", "L")
            .env("GIT_AUTHOR_EMAIL", "l@example.com")
            .env("GIT_COMMITTER_NAME", "L")
            .env("GIT_COMMITTER_EMAIL", "l@example.com")
            .status()
            .unwrap();
        assert!(status.success());
    }
    let repo = same_as_git_commit_only(repo, "T001", &["vendor/lib"], "T001: Update vendor/lib");
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tspecs/001-x/tasks.md\nM\tvendor/lib\n"
    );
}

#[test]
fn a_directory_holding_a_submodule_commits_it_as_one_entry() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Vendor in vendor/\n");
    let lib = Repo::new("## Phase 1\n- [ ] T001 Nothing\n");
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        lib.root().to_str().unwrap(),
        "vendor/lib",
    ]);
    repo.write("vendor/README.md", "vendored\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tspecs/001-x/tasks.md\nA\tvendor/README.md\nA\tvendor/lib\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "A  .gitmodules\n");
}

/// As `git add vendor/`: a repository of its own inside the named directory,
/// though no submodule, is one gitlink entry holding its checked-out commit.
#[test]
fn an_embedded_repository_is_committed_as_one_entry_not_walked() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Vendor in vendor/\n");
    let lib = Repo::new("## Phase 1\n- [ ] T001 Nothing\n");
    repo.git(&["clone", "-q", lib.root().to_str().unwrap(), "vendor/lib"]);
    repo.write("vendor/README.md", "vendored\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tspecs/001-x/tasks.md\nA\tvendor/README.md\nA\tvendor/lib\n"
    );
    assert_eq!(
        repo.git(&["ls-tree", "HEAD", "vendor/lib"]),
        format!("160000 commit {}\tvendor/lib\n", lib.head().trim())
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_git_entry_that_is_no_repository_is_left_out_and_its_directory_walked() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Write docker/ and tools/\n");
    repo.write("docker/.git", "not a gitdir line\n");
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.write("docker/test/run.sh", "true\n");
    fs::create_dir_all(repo.root().join("tools/.git")).unwrap();
    repo.write("tools/build.sh", "true\n");
    repo.ok(&["done", "T001"]);
    // As `git add docker tools`: neither `.git` is a repository, so both
    // directories are walked and their files added, never the `.git` entries.
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "A\tdocker/Dockerfile\nA\tdocker/test/run.sh\nM\tspecs/001-x/tasks.md\nA\ttools/build.sh\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

const TASK: &str = "## Phase 1\n- [ ] T001 Create docker/Dockerfile\n";

/// The repository's `.git` moved out to `../meta.git`: only `GIT_DIR` (and
/// `GIT_WORK_TREE`) lead to it.
fn separated() -> (Repo, std::path::PathBuf) {
    let repo = Repo::new(TASK);
    let meta = repo.root().parent().unwrap().join("meta.git");
    fs::rename(repo.root().join(".git"), &meta).unwrap();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    (repo, meta)
}

fn git_at(meta: &std::path::Path, work: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(meta)
        .arg("--work-tree")
        .arg(work)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn git_dir_and_git_work_tree_lead_to_the_repository() {
    let (repo, meta) = separated();
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.starts_with("error: not inside a git repository"),
        "{stderr}"
    );
    repo.set_env("GIT_DIR", &meta);
    repo.set_env("GIT_WORK_TREE", repo.root());
    repo.ok(&["done", "T001"]);
    assert_eq!(
        git_at(
            &meta,
            repo.root(),
            &["show", "--name-only", "--format=%s", "HEAD"]
        ),
        "T001: Create docker/Dockerfile\n\ndocker/Dockerfile\nspecs/001-x/tasks.md\n"
    );
    assert_eq!(git_at(&meta, repo.root(), &["status", "--porcelain"]), "");
    assert!(!repo.root().join(".git").exists());
}

#[test]
fn git_dir_alone_takes_the_current_directory_as_the_work_tree() {
    let (repo, meta) = separated();
    repo.set_env("GIT_DIR", &meta);
    repo.ok(&["done", "T001"]);
    assert_eq!(git_at(&meta, repo.root(), &["status", "--porcelain"]), "");
    assert_eq!(
        git_at(&meta, repo.root(), &["log", "-1", "--format=%s"]),
        "T001: Create docker/Dockerfile\n"
    );
}

#[test]
fn git_dir_wins_over_the_workspaces_own_repository() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let own_head = repo.head();
    let other = repo.root().parent().unwrap().join("other.git");
    fs::create_dir(&other).unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(repo.root().join(".git/."))
        .arg(&other)
        .status()
        .unwrap();
    assert!(status.success());
    repo.set_env("GIT_DIR", &other);
    repo.set_env("GIT_WORK_TREE", repo.root());
    repo.ok(&["done", "T001"]);
    assert_eq!(
        git_at(&other, repo.root(), &["log", "-1", "--format=%s"]),
        "T001: Create docker/Dockerfile\n"
    );
    repo.set_env("GIT_DIR", repo.root().join(".git"));
    assert_eq!(
        repo.head(),
        own_head,
        "the workspace's own .git is untouched"
    );
}

#[test]
fn ceiling_directories_stop_the_search_with_a_clear_error() {
    let repo = Repo::new(TASK);
    repo.write(
        "ws/Cargo.toml",
        "[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("ws/src/lib.rs", "");
    repo.write("ws/specs/001-x/tasks.md", TASK);
    repo.write("ws/docker/Dockerfile", "FROM scratch\n");
    repo.set_env("GIT_CEILING_DIRECTORIES", repo.root());
    let output = repo.run_in(&repo.root().join("ws"), &["done", "T001"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: not inside a git repository"),
        "no empty file name: {stderr}"
    );
    assert!(stderr.contains("--no-commit"), "{stderr}");
    let output = repo.run_in(&repo.root().join("ws"), &["done", "T001", "--no-commit"]);
    assert!(output.status.success());
}

#[test]
fn git_index_file_is_the_index_used_and_locked() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.write("src/lib.rs", "pub fn staged() {}\n");
    let alternate = repo.root().join(".git/alternate-index");
    fs::copy(repo.root().join(".git/index"), &alternate).unwrap();
    let real_index = fs::read(repo.root().join(".git/index")).unwrap();
    repo.set_env("GIT_INDEX_FILE", &alternate);
    repo.git(&["add", "src/lib.rs"]);
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]),
        "src/lib.rs\n",
        "the change staged in the alternate index stays staged there"
    );
    assert_eq!(
        fs::read(repo.root().join(".git/index")).unwrap(),
        real_index,
        "the default index is untouched"
    );
}

#[test]
fn an_operation_in_progress_names_its_marker_file() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.write(".git/MERGE_HEAD", &repo.head());
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.starts_with("error: .git/MERGE_HEAD: a merge is in progress\n"),
        "{stderr}"
    );
}

#[test]
fn undo_commits_only_the_checkbox_and_leaves_the_tasks_files_alone() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    repo.write("docker/Dockerfile", "FROM scratch\n# not finished\n");
    repo.ok(&["undo", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=%s", "HEAD"]),
        "Reopen T001: Create docker/Dockerfile\n\nspecs/001-x/tasks.md\n"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        " M docker/Dockerfile\n",
        "the uncommitted edit stays uncommitted"
    );
}

#[test]
fn an_empty_message_is_refused_without_blaming_a_hook() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let head = repo.head();
    let stderr = repo.fails(&["done", "T001", "-m", ""]);
    assert!(
        stderr.starts_with("error: the commit message is empty\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("hook"), "{stderr}");
    assert_eq!(repo.head(), head);
    assert_eq!(repo.tasks(), TASK);
    repo.hook("commit-msg", "#!/bin/sh\n: > \"$1\"\n");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains("the commit message is empty after the commit-msg hook"),
        "{stderr}"
    );
    assert_eq!(repo.tasks(), TASK);
}

#[test]
fn prepare_commit_msg_runs_as_git_runs_it() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.hook(
        "prepare-commit-msg",
        "#!/bin/sh\nprintf '%s|%s|%s\\n' \"$#\" \"$2\" \"$(basename \"$1\")\" > .git/prepare-args\n\
         printf '\\nTicket: T-1\\n' >> \"$1\"\n",
    );
    repo.ok(&["done", "T001"]);
    assert_eq!(
        String::from_utf8(repo.read(".git/prepare-args")).unwrap(),
        "2|message|COMMIT_EDITMSG\n"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]),
        "T001: Create docker/Dockerfile\n\nTicket: T-1\n\n"
    );
}

#[test]
fn identity_and_date_variables_are_honoured_and_shown_to_hooks() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.hook(
        "pre-commit",
        "#!/bin/sh\necho \"$GIT_AUTHOR_NAME|$GIT_AUTHOR_EMAIL|$GIT_AUTHOR_DATE\" > .git/hook-author\n",
    );
    fixed_dates(&repo);
    repo.set_env("GIT_AUTHOR_NAME", "Ada Author");
    repo.set_env("GIT_AUTHOR_EMAIL", "ada@example.com");
    repo.set_env("GIT_COMMITTER_NAME", "Cy Committer");
    repo.set_env("GIT_COMMITTER_EMAIL", "cy@example.com");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae> %ad|%cn <%ce> %cd", "--date=raw"]),
        "Ada Author <ada@example.com> 1112904793 +0200|Cy Committer <cy@example.com> 1234567890 -0700\n"
    );
    assert_eq!(
        String::from_utf8(repo.read(".git/hook-author")).unwrap(),
        "Ada Author|ada@example.com|@1112904793 +0200\n"
    );
}

#[test]
fn a_date_git_cannot_read_is_refused_before_anything_changes() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.set_env("GIT_AUTHOR_DATE", "not a date");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.starts_with("error: git cannot tell the author: invalid date format: not a date"),
        "{stderr}"
    );
    assert_eq!(repo.tasks(), TASK);
}

#[test]
fn a_box_checked_without_its_commit_is_explained_with_the_commands_that_fix_it() {
    let repo = Repo::new(TASK);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001", "--no-commit"]);
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("T001 is already done"), "{stderr}");
    assert!(
        stderr.contains(
            "help: T001 is checked in specs/001-x/tasks.md but not in the last commit; to commit it: \
             cargo tasks undo T001 --no-commit && cargo tasks done T001"
        ),
        "{stderr}"
    );
    repo.ok(&["undo", "T001", "--no-commit"]);
    repo.ok(&["done", "T001"]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(!stderr.contains("help: T001 is checked"), "{stderr}");
}
