//! `done --verify` with a real git repository and real scripts: the check a
//! task names runs before anything is locked or written; a failing check
//! leaves the task open and the repository as it was; a passing one is
//! recorded in the commit message.

mod done_support;

use done_support::Repo;

const TASKS_MD: &str = "# Tasks: health\n\n## Phase 1: Tests\n\
- [ ] T001 [P] Health test in docker/test/health_test.sh\n\
- [ ] T002 [P] Base image in docker/Dockerfile\n\
- [ ] T003 [P] Parser in src/lib.rs\n";

const HEALTH_OK: &str = "echo \"health ok from $0\"\nexit 0\n";
const HEALTH_503: &str =
    "#!/bin/sh\necho 'health check failed: 503'\necho 'on stderr too' >&2\nexit 1\n";

/// HEAD, the index, the work tree's status and tasks.md, as text.
fn state(repo: &Repo) -> String {
    [
        repo.head(),
        repo.git(&["ls-files", "--stage"]),
        repo.git(&["status", "--porcelain"]),
        repo.tasks(),
    ]
    .join("\n--\n")
}

#[test]
fn a_passing_test_script_is_run_and_recorded_in_the_commit() {
    let repo = Repo::new(TASKS_MD);
    repo.write("docker/test/health_test.sh", HEALTH_OK);
    let output = repo.run(&["done", "T001", "--verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert!(
        stderr.contains("Verifying T001 with `sh docker/test/health_test.sh`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("health ok from docker/test/health_test.sh"),
        "{stderr}"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]),
        "T001: Health test in docker/test/health_test.sh\n\n\
         Verified-by: sh docker/test/health_test.sh (passed)\n\n"
    );
    assert_eq!(
        repo.git(&[
            "log",
            "-1",
            "--format=%(trailers:key=Verified-by,valueonly)"
        ]),
        "sh docker/test/health_test.sh (passed)\n\n"
    );
    assert!(repo.tasks().contains("- [X] T001 [P]"));
}

#[test]
fn a_failing_check_shows_its_output_and_changes_nothing() {
    let repo = Repo::new(TASKS_MD);
    repo.executable("docker/test/health_test.sh", HEALTH_503);
    let before = state(&repo);
    let output = repo.run(&["done", "T001", "--verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    for expected in [
        "health check failed: 503",
        "on stderr too",
        "specs/001-x/tasks.md:4: check `./docker/test/health_test.sh` failed (exit status: 1); its output is above",
        "T001 stays open and nothing was committed",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    }
    assert_eq!(state(&repo), before);
    assert!(!repo.root().join(".git/index.lock").exists());
    let git_dir: Vec<String> = std::fs::read_dir(repo.root().join(".git"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("journal"))
        .collect();
    assert!(git_dir.is_empty(), "{git_dir:?}");
}

#[test]
fn no_check_found_names_what_was_looked_for() {
    let repo = Repo::new(TASKS_MD);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    let before = state(&repo);
    let stderr = repo.fails(&["done", "T002", "--verify"]);
    assert!(
        stderr.contains(
            "T002 names no check to run: looked for a test script among its paths (docker/Dockerfile)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("and no `verify` patterns are configured"),
        "{stderr}"
    );
    assert!(stderr.contains("verify = { \"crates/**/*.rs\""), "{stderr}");
    assert_eq!(state(&repo), before);
    // The script a task names must exist to be run.
    let stderr = repo.fails(&["done", "T001", "--verify", "--force"]);
    assert!(stderr.contains("T001 names no check to run"), "{stderr}");
}

#[test]
fn a_configured_command_gets_each_value_as_one_argument_without_a_shell() {
    let repo = Repo::with_manifest(
        TASKS_MD,
        "\n[package.metadata.tasks]\n\
         verify = { \"src/**/*.rs\" = [\"sh\", \"tools/record.sh\", \"{crate}\", \"--file={path}\", \"$HOME;echo\"] }\n",
    );
    repo.write(
        "tools/record.sh",
        "printf '%s\\n' \"$#\" \"$@\" > verify-args.txt\n",
    );
    repo.write("src/lib.rs", "pub fn parse() {}\n");
    repo.ok(&["done", "T003", "--verify"]);
    assert_eq!(
        String::from_utf8(repo.read("verify-args.txt")).unwrap(),
        "3\nx\n--file=src/lib.rs\n$HOME;echo\n"
    );
    assert!(repo
        .git(&["log", "-1", "--format=%B"])
        .contains("Verified-by: sh tools/record.sh x --file=src/lib.rs $HOME;echo (passed)"));
}

#[test]
fn dry_run_names_the_check_without_running_it() {
    let repo = Repo::new(TASKS_MD);
    repo.write("docker/test/health_test.sh", "touch ran.txt\nexit 0\n");
    let before = state(&repo);
    let output = repo.run(&["done", "T001", "--verify", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Would run `sh docker/test/health_test.sh` for T001"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("Verified-by: sh docker/test/health_test.sh (passed)"));
    assert!(!repo.root().join("ran.txt").exists());
    assert_eq!(state(&repo), before);
    assert_eq!(repo.tasks(), TASKS_MD);
}
