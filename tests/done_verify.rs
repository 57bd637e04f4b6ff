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

/// Whether process `pid` is gone (or a zombie waiting for init, which runs
/// nothing), waiting up to 5 s for it.
fn gone(pid: &str) -> bool {
    let stat = format!("/proc/{}/stat", pid.trim());
    for _ in 0..100 {
        match std::fs::read_to_string(&stat) {
            Err(_) => return true,
            Ok(text)
                if text
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z') =>
            {
                return true
            }
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    false
}

/// A check that hangs is stopped at its time limit (`--verify-timeout`, else
/// `verify-timeout` in the manifest) with every process it started, one that
/// ignores SIGTERM too; `done` names the command and the limit, exits 1 and
/// writes nothing.
#[test]
fn a_check_past_its_time_limit_is_stopped_with_its_processes_and_changes_nothing() {
    let pids = tempfile::tempdir().unwrap();
    let pids = pids.path();
    let repo = Repo::with_manifest(
        TASKS_MD,
        "\n[package.metadata.tasks]\nverify-timeout = \"1s\"\n",
    );
    let hang = format!(
        "#!/bin/sh\nsh -c 'trap \"\" TERM; echo $$ > {dir}/stubborn.pid; sleep 300' >/dev/null 2>&1 &\n\
         sleep 300 >/dev/null 2>&1 &\necho $! > {dir}/sleeper.pid\necho $$ > {dir}/script.pid\necho started\nsleep 300\n",
        dir = pids.display()
    );
    repo.executable("docker/test/health_test.sh", &hang);
    let before = state(&repo);
    for (args, limit) in [
        (&["done", "T001", "--verify"][..], "1s"),
        (
            &["done", "T001", "--verify", "--verify-timeout", "1500ms"][..],
            "1s500ms",
        ),
    ] {
        for file in ["script.pid", "sleeper.pid", "stubborn.pid"] {
            let _ = std::fs::remove_file(pids.join(file));
        }
        let output = repo.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "");
        for expected in [
            "started",
            &format!(
                "specs/001-x/tasks.md:4: check `./docker/test/health_test.sh` did not finish within \
                 {limit}; it was stopped, with every process it started"
            ),
            "raise the limit with --verify-timeout or `verify-timeout` in [workspace.metadata.tasks]",
            "T001 stays open and nothing was committed",
        ] {
            assert!(stderr.contains(expected), "{expected:?} in {stderr}");
        }
        assert_eq!(state(&repo), before);
        assert!(!repo.root().join(".git/index.lock").exists());
        for file in ["script.pid", "sleeper.pid", "stubborn.pid"] {
            let pid = std::fs::read_to_string(pids.join(file))
                .unwrap_or_else(|e| panic!("{file}: {e}; {stderr}"));
            if !gone(&pid) {
                let _ = std::process::Command::new("kill")
                    .args(["-9", pid.trim()])
                    .status();
                panic!(
                    "{file}: process {} still ran after done returned",
                    pid.trim()
                );
            }
        }
    }
    let output = repo.run(&["done", "T001", "--verify-timeout", "1s"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the following required arguments were not provided:\n  --verify\n"),
        "{stderr}"
    );
    let output = repo.run(&["done", "T001", "--verify", "--verify-timeout", "0s"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "invalid value '0s' for '--verify-timeout <DURATION>': `0s` is no time at all"
        ),
        "{stderr}"
    );
    assert_eq!(state(&repo), before);
}

/// A check past its time limit is asked to stop (SIGTERM) before it is killed:
/// its trap runs and has a grace period to clean up, as a test script removing
/// its containers does (this one takes half a second).
#[test]
fn a_check_past_its_time_limit_is_asked_to_stop_first_so_its_trap_runs() {
    let marks = tempfile::tempdir().unwrap();
    let trapped = marks.path().join("trapped");
    let repo = Repo::with_manifest(
        TASKS_MD,
        "\n[package.metadata.tasks]\nverify-timeout = \"1s\"\n",
    );
    let script = format!(
        "#!/bin/sh\ntrap 'sleep 0.5; echo cleaned up > {trapped}; exit 1' TERM\necho started\n\
         sleep 300 &\nwait\n",
        trapped = trapped.display()
    );
    repo.executable("docker/test/health_test.sh", &script);
    let before = state(&repo);
    let output = repo.run(&["done", "T001", "--verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("did not finish within 1s"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&trapped).unwrap_or_else(|e| panic!("{e}: {stderr}")),
        "cleaned up\n"
    );
    assert_eq!(state(&repo), before);
}
