//! `cargo tasks done` and `undo` in real temporary git repositories, checked
//! with the real git program.

mod done_support;

use done_support::{Repo, TASKS};

const TASKS_MD: &str = "# Tasks: x\n\n## Phase 3.1: Setup\n\
- [ ] T001 [P] Create docker/Dockerfile\n\
- [ ] T002 [P] Entrypoint in docker/entrypoint.sh\n\
- [ ] T003 [P] Notes in docs/notes.md\n\n\
## Phase 3.3: Tests\n\
- [ ] T004 Build test in docker/test/build_test.sh\n\n\
## Dependencies\n- T001 blocks T004\n\n\
## Parallel Example\n```\n- [ ] T009 Not a task in docker/Dockerfile\n```\n";

fn repo() -> Repo {
    Repo::new(TASKS_MD)
}

/// Asserts nothing changed: tasks.md bytes, HEAD, and the index file bytes.
struct Snapshot {
    tasks: Vec<u8>,
    head: String,
    index: Vec<u8>,
}

impl Snapshot {
    fn take(repo: &Repo) -> Snapshot {
        Snapshot {
            tasks: repo.read(TASKS),
            head: repo.head(),
            index: repo.read(".git/index"),
        }
    }

    fn assert_unchanged(&self, repo: &Repo) {
        assert_eq!(
            String::from_utf8_lossy(&repo.read(TASKS)),
            String::from_utf8_lossy(&self.tasks)
        );
        assert_eq!(repo.head(), self.head, "HEAD moved");
        assert!(repo.read(".git/index") == self.index, "the index changed");
    }
}

#[test]
fn done_checks_the_task_and_commits_it_with_its_paths() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let output = repo.run(&["done", "T001"]);
    assert!(output.status.success());
    let short = repo.git(&["rev-parse", "--short=7", "HEAD"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        format!(
            "Completed T001 Create docker/Dockerfile (commit {})",
            short.trim()
        )
    );
    assert_eq!(repo.tasks(), TASKS_MD.replace("- [ ] T001", "- [X] T001"));
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s|%an <%ae>|%cn"]),
        "T001: Create docker/Dockerfile|Tess Ter <tess@example.com>|Tess Ter\n"
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/Dockerfile\nspecs/001-x/tasks.md\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "2\n");
}

/// The work tree is where `.git` is, not the directory `done` runs in.
#[test]
fn done_from_a_subdirectory_commits_the_paths_from_the_work_tree_root() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let output = repo.run_in(&repo.root().join("src"), &["done", "T001"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/Dockerfile\nspecs/001-x/tasks.md\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn cargo_subcommand_form_and_several_ids_make_one_commit_each() {
    let repo = repo();
    repo.write("docker/entrypoint.sh", "#!/bin/sh\n");
    repo.write("docs/notes.md", "notes\n");
    repo.ok(&["tasks", "done", "T002", "t003"]);
    assert_eq!(
        repo.git(&["log", "-2", "--format=%s"]),
        "T003: Notes in docs/notes.md\nT002: Entrypoint in docker/entrypoint.sh\n"
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD~1"]),
        "docker/entrypoint.sh\nspecs/001-x/tasks.md\n"
    );
    assert!(repo.tasks().contains("- [X] T002") && repo.tasks().contains("- [X] T003"));
}

#[test]
fn unknown_id_is_refused_with_the_nearest_suggested() {
    let repo = repo();
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T0004"]);
    assert!(stderr.contains("no task T0004"), "{stderr}");
    assert!(stderr.contains("did you mean T004?"), "{stderr}");
    let stderr = repo.fails(&["done", "T009"]);
    assert!(
        stderr.contains("no task T009"),
        "a task inside a code fence is not a task: {stderr}"
    );
    before.assert_unchanged(&repo);
}

#[test]
fn a_task_already_done_is_refused() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains("specs/001-x/tasks.md:4: T001 is already done"),
        "{stderr}"
    );
    before.assert_unchanged(&repo);
}

#[test]
fn open_dependencies_are_named_and_force_overrides() {
    let repo = repo();
    repo.write("docker/test/build_test.sh", "true\n");
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T004"]);
    assert!(
        stderr.contains("T004 depends on tasks not done yet: T001"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    before.assert_unchanged(&repo);
    repo.ok(&["done", "T004", "--force"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "T004: Build test in docker/test/build_test.sh\n"
    );
}

#[test]
fn phantom_completion_is_refused_and_force_overrides() {
    let repo = repo();
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains("T001 names paths that neither exist nor changed since the last commit: docker/Dockerfile"),
        "{stderr}"
    );
    before.assert_unchanged(&repo);
    repo.ok(&["done", "T001", "--force"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "specs/001-x/tasks.md\n"
    );
}

#[test]
fn a_deleted_file_is_a_change_not_a_phantom() {
    let repo = repo();
    repo.write("docs/notes.md", "old\n");
    repo.git(&["add", "docs/notes.md"]);
    repo.git(&["commit", "-q", "-m", "notes"]);
    std::fs::remove_file(repo.root().join("docs/notes.md")).unwrap();
    repo.ok(&["done", "T003"]);
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "D\tdocs/notes.md\nM\tspecs/001-x/tasks.md\n"
    );
}

#[test]
fn paths_outside_the_repository_are_refused_even_with_force() {
    let repo = Repo::new(
        "## Phase 1\n- [ ] T001 Write ../outside/file.txt\n- [ ] T002 Write link/x.txt\n",
    );
    std::os::unix::fs::symlink(std::env::temp_dir(), repo.root().join("link")).unwrap();
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T001", "--force"]);
    assert!(
        stderr.contains("T001 names ../outside/file.txt, which is outside the repository"),
        "{stderr}"
    );
    let stderr = repo.fails(&["done", "T002", "--force"]);
    assert!(
        stderr.contains("T002 names link/x.txt, which is outside the repository"),
        "{stderr}"
    );
    before.assert_unchanged(&repo);
}

#[test]
fn merge_or_rebase_in_progress_is_refused() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let before = Snapshot::take(&repo);
    repo.write(".git/MERGE_HEAD", &repo.head());
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("a merge is in progress"), "{stderr}");
    std::fs::remove_file(repo.root().join(".git/MERGE_HEAD")).unwrap();
    std::fs::create_dir_all(repo.root().join(".git/rebase-merge")).unwrap();
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("a rebase is in progress"), "{stderr}");
    before.assert_unchanged(&repo);
}

#[test]
fn no_git_identity_is_refused() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.git(&["config", "--unset", "user.name"]);
    repo.git(&["config", "--unset", "user.email"]);
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("no git identity configured"), "{stderr}");
    assert!(stderr.contains("git config --global user.name"), "{stderr}");
    before.assert_unchanged(&repo);
}

#[test]
fn a_held_index_lock_fails_cleanly() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let before = Snapshot::take(&repo);
    repo.write(".git/index.lock", "");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains("another git process holds the index lock"),
        "{stderr}"
    );
    assert!(
        stderr.contains("if no git process is running, a crashed one left it: rm '/"),
        "the help names the command that removes it: {stderr}"
    );
    before.assert_unchanged(&repo);
    assert!(
        repo.root().join(".git/index.lock").exists(),
        "someone else's lock must stay"
    );
}

/// A branch lock left by a crashed git is named as what it is, not as
/// "HEAD moved", and stays: it is not ours to remove.
#[test]
fn a_held_branch_lock_fails_cleanly_and_names_the_lock() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let branch = repo.git(&["symbolic-ref", "HEAD"]);
    let lock = format!(".git/{}.lock", branch.trim());
    let before = Snapshot::take(&repo);
    repo.write(&lock, "");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains(&format!(
            "another git process holds the lock of {}; nothing was committed",
            branch.trim()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("if no git process is running, a crashed one left it: rm '/"),
        "{stderr}"
    );
    before.assert_unchanged(&repo);
    assert!(
        repo.root().join(&lock).exists(),
        "someone else's lock must stay"
    );
}

#[test]
fn other_staged_changes_stay_staged_and_out_of_the_commit() {
    let repo = repo();
    repo.write("src/lib.rs", "pub fn staged() {}\n");
    repo.git(&["add", "src/lib.rs"]);
    repo.write("README.md", "untracked\n");
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/Dockerfile\nspecs/001-x/tasks.md\n"
    );
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]),
        "src/lib.rs\n"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "M  src/lib.rs\n?? README.md\n"
    );
    assert_eq!(repo.git(&["show", ":src/lib.rs"]), "pub fn staged() {}\n");
}

#[test]
fn hooks_run_on_the_commits_index_and_may_edit_the_message() {
    let repo = repo();
    repo.hook(
        "pre-commit",
        "#!/bin/sh\ngit diff --cached --name-only > \"$(git rev-parse --git-dir)/pre-commit-ran\"\n",
    );
    repo.hook(
        "commit-msg",
        "#!/bin/sh\nprintf '\\nReviewed-by: Hook\\n' >> \"$1\"\n",
    );
    repo.write("src/lib.rs", "pub fn staged() {}\n");
    repo.git(&["add", "src/lib.rs"]);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        String::from_utf8(repo.read(".git/pre-commit-ran")).unwrap(),
        "docker/Dockerfile\nspecs/001-x/tasks.md\n",
        "pre-commit sees exactly what is committed"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]),
        "T001: Create docker/Dockerfile\n\nReviewed-by: Hook\n\n"
    );
}

#[test]
fn a_failing_pre_commit_hook_rolls_everything_back() {
    let repo = repo();
    repo.hook("pre-commit", "#!/bin/sh\necho 'lint failed' >&2\nexit 1\n");
    repo.write("src/lib.rs", "pub fn staged() {}\n");
    repo.git(&["add", "src/lib.rs"]);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains("lint failed"),
        "the hook's output is shown: {stderr}"
    );
    assert!(stderr.contains("the pre-commit hook failed"), "{stderr}");
    assert!(
        stderr.contains("specs/001-x/tasks.md was restored"),
        "{stderr}"
    );
    before.assert_unchanged(&repo);
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "M  src/lib.rs\n?? docker/\n"
    );
}

#[test]
fn a_failing_commit_msg_hook_rolls_everything_back() {
    let repo = repo();
    repo.hook("commit-msg", "#!/bin/sh\ngrep -q JIRA- \"$1\" || exit 1\n");
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let before = Snapshot::take(&repo);
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("the commit-msg hook failed"), "{stderr}");
    before.assert_unchanged(&repo);
    repo.ok(&["done", "T001", "-m", "JIRA-7 Dockerfile"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "JIRA-7 Dockerfile\n"
    );
}

#[test]
fn core_hooks_path_is_honoured_and_non_executable_hooks_are_skipped() {
    let repo = repo();
    repo.executable("githooks/pre-commit", "#!/bin/sh\nexit 1\n");
    repo.write(".git/hooks/commit-msg", "#!/bin/sh\nexit 1\n");
    repo.git(&["config", "core.hooksPath", "githooks"]);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("githooks/pre-commit"), "{stderr}");
    repo.git(&["config", "--unset", "core.hooksPath"]);
    repo.ok(&["done", "T001"]);
}

#[test]
fn gpgsign_hands_the_commit_to_git_which_signs_it() {
    let repo = repo();
    let gpg = repo.root().join(".git/fake-gpg");
    repo.executable(
        ".git/fake-gpg",
        "#!/bin/sh\ncat >/dev/null\necho >&2\necho '[GNUPG:] SIG_CREATED D 1 8 00 0 0' >&2\n\
         printf -- '-----BEGIN PGP SIGNATURE-----\\nfake\\n-----END PGP SIGNATURE-----\\n'\n",
    );
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "gpg.program", gpg.to_str().unwrap()]);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    let commit = repo.git(&["cat-file", "commit", "HEAD"]);
    assert!(
        commit.contains("gpgsig -----BEGIN PGP SIGNATURE-----"),
        "{commit}"
    );
    assert!(
        commit.ends_with("\nT001: Create docker/Dockerfile\n"),
        "{commit}"
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/Dockerfile\nspecs/001-x/tasks.md\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn crlf_bom_bold_and_c_numbered_files_change_by_one_byte() {
    let text = "\u{feff}# Tasks\r\n\r\n## Phase 1\r\n- [x] **C001** Done already in a.txt\r\n- [ ] **C002** Write b.txt\r\n";
    let repo = Repo::new(text);
    repo.write("b.txt", "b\n");
    repo.ok(&["done", "C002"]);
    assert_eq!(
        repo.tasks(),
        text.replace("- [ ] **C002**", "- [x] **C002**")
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "C002: Write b.txt\n"
    );
    repo.ok(&["undo", "C001", "--no-commit"]);
    assert_eq!(
        repo.tasks(),
        text.replace("- [ ] **C002**", "- [x] **C002**")
            .replace("- [x] **C001**", "- [ ] **C001**")
    );
}

#[test]
fn two_concurrent_runs_both_land() {
    let repo = repo();
    repo.write("docker/entrypoint.sh", "#!/bin/sh\n");
    repo.write("docs/notes.md", "notes\n");
    let first = repo.spawn(&["done", "T002"]);
    let second = repo.spawn(&["done", "T003"]);
    for child in [first, second] {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let tasks = repo.tasks();
    assert!(
        tasks.contains("- [X] T002") && tasks.contains("- [X] T003"),
        "{tasks}"
    );
    let subjects = repo.git(&["log", "-2", "--format=%s"]);
    assert!(
        subjects.contains("T002: ") && subjects.contains("T003: "),
        "{subjects}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn no_commit_only_edits_and_dry_run_changes_nothing() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let before = Snapshot::take(&repo);
    let stdout = repo.ok(&["done", "T001", "--dry-run"]);
    assert!(
        stdout.contains("-- [ ] T001 [P] Create docker/Dockerfile"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+- [X] T001 [P] Create docker/Dockerfile"),
        "{stdout}"
    );
    assert!(
        stdout.contains("commit message: T001: Create docker/Dockerfile"),
        "{stdout}"
    );
    before.assert_unchanged(&repo);
    repo.ok(&["done", "T001", "--no-commit"]);
    assert_eq!(repo.head(), before.head);
    assert!(repo.tasks().contains("- [X] T001"));
}

#[test]
fn undo_reopens_with_a_commit() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    repo.ok(&["undo", "T001"]);
    assert_eq!(repo.tasks(), TASKS_MD);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "Reopen T001: Create docker/Dockerfile\n"
    );
    let stderr = repo.fails(&["undo", "T001"]);
    assert!(stderr.contains("T001 is not done"), "{stderr}");
}

#[test]
fn conventional_commit_style_is_one_setting_away() {
    let repo = Repo::with_manifest(
        TASKS_MD,
        "\n[workspace.metadata.tasks]\ncommit-style = \"conventional\"\n",
    );
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.write("docker/test/build_test.sh", "true\n");
    repo.ok(&["done", "T001", "T004", "--force"]);
    assert_eq!(
        repo.git(&["log", "-2", "--format=%s"]),
        "test(tasks): T004 Build test in docker/test/build_test.sh\nbuild(tasks): T001 Create docker/Dockerfile\n"
    );
}

#[test]
fn a_user_template_overrides_the_message() {
    let repo = repo();
    repo.write(
        ".specify/templates/commit-message.hbs",
        "[{{id}}] {{description}} ({{phase}})\n",
    );
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "[T001] Create docker/Dockerfile (Phase 3.1: Setup)\n"
    );
}

#[test]
fn a_named_directory_commits_its_new_changed_and_deleted_files_but_not_ignored_ones() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Setup scripts in docker/setup/scripts/\n");
    repo.write("docker/setup/scripts/10-old.sh", "old\n");
    repo.write("docker/setup/scripts/20-keep.sh", "keep\n");
    repo.git(&["add", "docker"]);
    repo.git(&["commit", "-q", "-m", "scripts"]);
    std::fs::remove_file(repo.root().join("docker/setup/scripts/10-old.sh")).unwrap();
    repo.write("docker/setup/scripts/20-keep.sh", "changed\n");
    repo.write("docker/setup/scripts/nested/30-new.sh", "new\n");
    repo.write("docker/setup/scripts/debug.log", "ignored\n");
    repo.write("docker/setup/scripts/nested/trace.log", "ignored too\n");
    repo.write(".git/info/exclude", "*.log\n");
    repo.write("docker/other.sh", "not named\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "D\tdocker/setup/scripts/10-old.sh\nM\tdocker/setup/scripts/20-keep.sh\n\
         A\tdocker/setup/scripts/nested/30-new.sh\nM\tspecs/001-x/tasks.md\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "?? docker/other.sh\n");
}

#[test]
fn one_path_with_work_is_enough_and_url_paths_are_not_paths() {
    let repo = Repo::new(
        "## Phase 1\n- [ ] T001 Logging (to stdout/stderr) in docker/entrypoint.sh\n\
         - [ ] T002 Health check (HTTP GET /healthz) in docker/healthcheck.sh\n",
    );
    repo.write("docker/entrypoint.sh", "#!/bin/sh\n");
    repo.write("docker/healthcheck.sh", "#!/bin/sh\n");
    repo.ok(&["done", "T001", "T002"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=%s", "HEAD"]),
        "T002: Health check (HTTP GET /healthz) in docker/healthcheck.sh\n\ndocker/healthcheck.sh\nspecs/001-x/tasks.md\n"
    );
}

#[test]
fn outside_a_repository_only_no_commit_works() {
    let repo = repo();
    std::fs::remove_dir_all(repo.root().join(".git")).unwrap();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let stderr = repo.fails(&["done", "T001"]);
    assert!(stderr.contains("not inside a git repository"), "{stderr}");
    assert!(stderr.contains("--no-commit"), "{stderr}");
    assert_eq!(repo.tasks(), TASKS_MD);
    repo.ok(&["done", "T001", "--no-commit"]);
    assert_eq!(repo.tasks(), TASKS_MD.replace("- [ ] T001", "- [X] T001"));
}

#[test]
fn an_ignored_file_is_not_committed_unless_tracked() {
    let repo = Repo::new("## Phase 1\n- [ ] T001 Build in target/out.txt and docker/run.sh\n");
    repo.write("target/out.txt", "build output\n");
    repo.write("docker/run.sh", "#!/bin/sh\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/run.sh\nspecs/001-x/tasks.md\n"
    );
}

/// A task naming a directory commits what git would add there: an ignored file stays out.
#[test]
fn a_task_directory_commits_its_files_but_not_the_ignored_ones() {
    let repo =
        Repo::new("# Tasks: x\n\n## Phase 3.1: Setup\n- [ ] T001 Setup scripts in docker/setup/\n");
    repo.write(".gitignore", "*.env\n");
    repo.git(&["add", ".gitignore"]);
    repo.git(&["commit", "-q", "-m", "ignore env files"]);
    repo.write("docker/setup/10-user.sh", "#!/bin/sh\n");
    repo.write("docker/setup/secrets.env", "TOKEN=x\n");
    repo.ok(&["done", "T001"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/setup/10-user.sh\nspecs/001-x/tasks.md\n"
    );
}

/// An index git cannot read is an error, never taken for a missing index (which would
/// commit a tree without the other tracked files).
#[test]
fn an_unreadable_index_is_an_error_and_nothing_changes() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let tasks = repo.read(TASKS);
    let head = repo.head();
    std::fs::remove_file(repo.root().join(".git/index")).unwrap();
    std::fs::create_dir(repo.root().join(".git/index")).unwrap();
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.starts_with("error: .git/index: cannot copy:"),
        "{stderr}"
    );
    assert_eq!(repo.read(TASKS), tasks);
    assert_eq!(repo.head(), head);
}

/// `-q` silences a reader's warnings with the status lines.
#[test]
fn quiet_drops_the_readers_warnings() {
    let repo = repo();
    repo.write("src/main.rs", "fn main() {}\n");
    repo.write(
        "specs/002-y/plan.md",
        "# Implementation Plan: y\n\n## Technical Context\n**Language/Version**: Rust 1.95\n",
    );
    let quiet = repo.run(&["generate", "--feature", "002", "--dry-run", "-q"]);
    assert_eq!(
        quiet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    let loud = repo.run(&["generate", "--feature", "002", "--dry-run"]);
    assert!(String::from_utf8_lossy(&loud.stderr)
        .starts_with("warning: specs/002-y/plan.md:1: no container facts found"));
}
