//! Fault injection for `done` and `undo`: SIGKILL at random moments (with
//! and without a slow pre-commit hook), SIGINT and SIGTERM while a hook runs,
//! racing `git add`. After each fault, tasks.md, the index and HEAD must show
//! the state before or the state after, and `done --repair` must leave no
//! lock, journal or temporary file behind.
//!
//! `CARGO_TASKS_KILL_RUNS` sets the number of kills per test (default 150);
//! `CARGO_TASKS_KILL_SEED` replays a run.

mod done_support;

use done_support::{Repo, TASKS};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TASKS_MD: &str = "# Tasks: x\n\n## Phase 3.1: Setup\n\
- [ ] T001 Create docker/Dockerfile\n";

/// A small xorshift generator: the seed is printed, so a failure replays.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = std::env::var("CARGO_TASKS_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("CARGO_TASKS_KILL_SEED={seed}");
        Random(seed)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}

fn runs() -> usize {
    std::env::var("CARGO_TASKS_KILL_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150)
}

/// A repository where T001's file exists and another change is staged, so
/// that a lost or swept index entry shows.
fn repo() -> Repo {
    let repo = Repo::new(TASKS_MD);
    repo.write("docker/Dockerfile", "FROM scratch\n");
    repo.git(&["add", "docker/Dockerfile"]);
    repo.git(&["commit", "-q", "-m", "dockerfile"]);
    repo.write("src/lib.rs", "pub fn staged() {}\n");
    repo.git(&["add", "src/lib.rs"]);
    repo
}

/// What a settled repository looks like from outside.
#[derive(Debug, PartialEq, Eq, Clone)]
struct State {
    head: String,
    tasks: String,
}

impl State {
    fn of(repo: &Repo) -> State {
        State {
            head: repo.head(),
            tasks: repo.tasks(),
        }
    }
}

fn toggled(tasks: &str) -> String {
    if tasks.contains("- [ ] T001") {
        tasks.replace("- [ ] T001", "- [X] T001")
    } else {
        tasks.replace("- [X] T001", "- [ ] T001")
    }
}

/// Nothing of ours is left and the user's staged change is untouched.
fn assert_clean(repo: &Repo, context: &str) {
    let git_dir = repo.root().join(".git");
    assert!(
        !git_dir.join("index.lock").exists(),
        "{context}: index.lock left"
    );
    assert!(
        !git_dir.join("cargo-tasks").exists(),
        "{context}: journal or scratch files left"
    );
    let leftovers: Vec<String> = std::fs::read_dir(repo.root().join("specs/001-x"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "tasks.md")
        .collect();
    assert!(
        leftovers.is_empty(),
        "{context}: files left beside tasks.md: {leftovers:?}"
    );
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]),
        "src/lib.rs\n",
        "{context}: the staged change was lost, or something else is staged"
    );
    assert_eq!(
        repo.git(&["show", &format!("HEAD:{TASKS}")]),
        repo.tasks(),
        "{context}: tasks.md differs from HEAD's"
    );
}

/// The state after the interrupted command completed: one commit on top of
/// `before.head` with tasks.md toggled.
fn is_after(repo: &Repo, before: &State, now: &State) -> bool {
    now.head != before.head
        && repo.git(&["rev-parse", "HEAD~1"]) == before.head
        && now.tasks == toggled(&before.tasks)
}

/// Kills `done`/`undo` at random moments `runs` times; checks every outcome.
fn kill_loop(repo: &Repo, runs: usize) -> (usize, usize) {
    let mut random = Random::new();
    let args = |state: &State| -> [&'static str; 3] {
        if state.tasks.contains("- [ ] T001") {
            ["done", "T001", "--quiet"]
        } else {
            ["undo", "T001", "--quiet"]
        }
    };
    // How long one uninterrupted run takes, to spread the kills over it.
    let mut span = Duration::ZERO;
    for _ in 0..2 {
        let state = State::of(repo);
        let start = Instant::now();
        repo.ok(&args(&state));
        span = span.max(start.elapsed());
    }
    // Twice the span: on a loaded machine a run can take longer than the
    // measured ones, and kills that land after the commit point must still
    // happen, or the loop could not tell a binary that does nothing.
    let span_us = (span.as_micros() as u64).max(1000) * 2;
    let (mut befores, mut afters, mut rolled_back, mut completed) = (0, 0, 0, 0);
    for run in 0..runs {
        let before = State::of(repo);
        repo.write("docker/Dockerfile", &format!("FROM scratch\n# {run}\n"));
        let delay = Duration::from_micros(random.below(span_us));
        // Every eighth run is left to finish: on a loaded machine the kills
        // may all land before the commit point, and the loop must still tell
        // a binary that commits from one that does nothing.
        let context = if run % 8 == 7 {
            let output = repo.run(&args(&before));
            let context = format!("run {run}, not killed");
            assert!(
                output.status.success(),
                "{context}: failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            context
        } else {
            let mut child = repo.command_quiet(&args(&before));
            std::thread::sleep(delay);
            let _ = child.kill();
            child.wait().unwrap();
            format!("run {run}, killed after {delay:?}")
        };

        // Straight after the kill: HEAD is before or after; a checked task
        // without its commit is allowed only with the journal that repairs it.
        let raw = State::of(repo);
        if raw.head == before.head {
            assert!(
                raw.tasks == before.tasks || repo.root().join(".git/cargo-tasks/journal").exists(),
                "{context}: tasks.md changed, HEAD did not, and no journal says so"
            );
        } else {
            assert!(is_after(repo, &before, &raw), "{context}: HEAD is neither");
        }

        let repair = repo.run(&["done", "--repair"]);
        let said = String::from_utf8_lossy(&repair.stderr);
        assert!(repair.status.success(), "{context}: repair failed: {said}");
        if said.contains("was rolled back") {
            rolled_back += 1;
        } else if said.contains("was completed") {
            completed += 1;
        }
        let now = State::of(repo);
        if now == before {
            befores += 1;
        } else {
            assert!(
                is_after(repo, &before, &now),
                "{context}: half state {now:?}"
            );
            afters += 1;
        }
        assert_clean(repo, &context);
    }
    eprintln!(
        "{runs} runs: {befores} left the state before, {afters} the state after; \
         the repair rolled back {rolled_back} and completed {completed}"
    );
    (befores, afters)
}

#[test]
fn killed_at_random_moments_done_and_undo_leave_before_or_after() {
    let repo = repo();
    let (befores, afters) = kill_loop(&repo, runs());
    assert!(
        befores > 0 && afters > 0,
        "the kills should land both before and after the commit point: {befores} before, {afters} after"
    );
}

#[test]
fn killed_while_a_slow_pre_commit_hook_runs_leaves_before_or_after() {
    let repo = repo();
    repo.hook("pre-commit", "#!/bin/sh\nexec sleep 0.05\n");
    let (befores, afters) = kill_loop(&repo, runs() / 2);
    assert!(
        befores > 0 && afters > 0,
        "{befores} before, {afters} after"
    );
}

/// Starts `done T001` with a pre-commit hook that waits, sends `signal` once
/// the hook runs, and returns the output.
fn signal_during_hook(signal: &str) -> (Repo, State, std::process::Output) {
    let repo = repo();
    repo.hook(
        "pre-commit",
        "#!/bin/sh\ntouch .git/hook-started\nexec sleep 10\n",
    );
    repo.write("docker/Dockerfile", "FROM scratch\n# changed\n");
    let before = State::of(&repo);
    let child = repo.spawn(&["done", "T001"]);
    let started = repo.root().join(".git/hook-started");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the hook never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the hook was not stopped"
    );
    (repo, before, output)
}

fn assert_interrupted(signal: &str, number: i32) {
    use std::os::unix::process::ExitStatusExt;
    let (repo, before, output) = signal_during_hook(signal);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.signal(),
        Some(number),
        "dies of the signal after restoring: {stderr}"
    );
    assert!(
        stderr.contains(&format!("error: interrupted by SIG{signal}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("specs/001-x/tasks.md was restored; nothing was committed"),
        "{stderr}"
    );
    assert_eq!(State::of(&repo), before);
    assert_clean(&repo, signal);
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        " M docker/Dockerfile\nM  src/lib.rs\n"
    );
    let repair = repo.ok(&["done", "--repair"]);
    assert_eq!(repair, "");
}

#[test]
fn sigterm_while_the_hook_runs_restores_and_exits_by_the_signal() {
    assert_interrupted("TERM", 15);
}

#[test]
fn sigint_while_the_hook_runs_restores_and_exits_by_the_signal() {
    assert_interrupted("INT", 2);
}

/// The grace period starts with a signal: a hook slower than it, with no
/// signal, runs to its end and the commit lands.
#[test]
fn a_slow_hook_without_a_signal_is_left_to_finish() {
    let repo = repo();
    repo.hook("pre-commit", "#!/bin/sh\nsleep 6\n");
    repo.write("docker/Dockerfile", "FROM scratch\n# changed\n");
    repo.ok(&["done", "T001", "--quiet"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "docker/Dockerfile\nspecs/001-x/tasks.md\n"
    );
}

/// SIGTERM while a `--verify` check runs: the check, in a process group of
/// its own, is passed the signal (its trap runs); `done` changes nothing and
/// dies of the signal.
#[test]
fn sigterm_while_a_verify_check_runs_is_passed_to_the_check() {
    use std::os::unix::process::ExitStatusExt;
    let repo = Repo::new(
        "# Tasks: x\n\n## Phase 1: Tests\n- [ ] T001 Health test in docker/test/health_test.sh\n",
    );
    repo.executable(
        "docker/test/health_test.sh",
        "#!/bin/sh\ntrap 'touch .git/check-stopped; exit 1' TERM\ntouch .git/check-started\nsleep 10 &\nwait\n",
    );
    let before = State::of(&repo);
    let child = repo.spawn(&["done", "T001", "--verify"]);
    let started = repo.root().join(".git/check-started");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the check never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "the check was not stopped: {stderr}"
    );
    assert_eq!(output.status.signal(), Some(15), "{stderr}");
    assert!(
        stderr.contains(
            "error: specs/001-x/tasks.md:4: interrupted by SIGTERM\n  \
             help: T001 stays open and nothing was committed\n"
        ),
        "{stderr}"
    );
    assert!(
        repo.root().join(".git/check-stopped").exists(),
        "the check's trap ran: {stderr}"
    );
    assert_eq!(State::of(&repo), before);
}

#[test]
fn a_hook_that_ignores_the_signal_is_killed_after_a_grace_period() {
    use std::os::unix::process::ExitStatusExt;
    let repo = repo();
    repo.hook(
        "pre-commit",
        "#!/bin/sh\ntrap '' TERM\ntouch .git/hook-started\nsleep 30 &\nwait\n",
    );
    repo.write("docker/Dockerfile", "FROM scratch\n# changed\n");
    let before = State::of(&repo);
    let mut child = repo.command_quiet(&["done", "T001"]);
    let started = repo.root().join(".git/hook-started");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the hook never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let start = Instant::now();
    assert!(Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    let waited = start.elapsed();
    assert_eq!(status.signal(), Some(15));
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(15),
        "killed after the grace period: {waited:?}"
    );
    assert_eq!(State::of(&repo), before);
    assert_clean(&repo, "after the grace period");
}

#[test]
fn a_racing_git_add_never_loses_its_update() {
    let repo = Repo::new(
        "## Phase 1\n- [ ] T001 Write a/1.txt\n- [ ] T002 Write a/2.txt\n\
         - [ ] T003 Write a/3.txt\n- [ ] T004 Write a/4.txt\n- [ ] T005 Write a/5.txt\n\
         - [ ] T006 Write a/6.txt\n- [ ] T007 Write a/7.txt\n- [ ] T008 Write a/8.txt\n",
    );
    for task in 1..=8 {
        repo.write(&format!("a/{task}.txt"), "work\n");
    }
    let files = 60;
    for file in 0..files {
        repo.write(&format!("user/{file}.txt"), &format!("{file}\n"));
    }
    let root = repo.root().to_path_buf();
    let adder = std::thread::spawn(move || {
        let mut refused = 0;
        for file in 0..files {
            // git add fails while the index is locked; a user retries.
            loop {
                let status = Command::new("git")
                    .args(["add", &format!("user/{file}.txt")])
                    .current_dir(&root)
                    .env_remove("GIT_DIR")
                    .env_remove("GIT_INDEX_FILE")
                    .stderr(Stdio::null())
                    .status()
                    .unwrap();
                if status.success() {
                    break;
                }
                refused += 1;
            }
        }
        refused
    });
    for task in 1..=8 {
        repo.ok(&["done", &format!("T00{task}"), "--quiet"]);
    }
    let refused = adder.join().unwrap();
    eprintln!("git add was refused {refused} times while done held the index");
    let staged = repo.git(&["diff", "--cached", "--name-only"]);
    let expected: String = {
        let mut names: Vec<String> = (0..files).map(|f| format!("user/{f}.txt")).collect();
        names.sort();
        names.iter().map(|n| format!("{n}\n")).collect()
    };
    assert_eq!(staged, expected, "every staged file stays staged");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "9\n");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "a/8.txt\nspecs/001-x/tasks.md\n"
    );
    assert!(!Path::new(&repo.root().join(".git/index.lock")).exists());
}

#[test]
fn a_failing_restore_is_shown_beside_the_first_error_and_repaired_later() {
    let repo = repo();
    repo.write("docker/Dockerfile", "FROM scratch\n# changed\n");
    let before = State::of(&repo);
    // The hook fails, and takes the name of the temporary file that restoring
    // tasks.md will want (the second atomic write of this process), so the
    // restore fails too.
    repo.hook(
        "pre-commit",
        "#!/bin/sh\ntouch \"specs/001-x/.tasks.md.$PPID.1.tmp\"\necho 'lint failed' >&2\nexit 1\n",
    );
    let stderr = repo.fails(&["done", "T001"]);
    assert!(
        stderr.contains("error: .git/hooks/pre-commit: the pre-commit hook failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: nothing was committed, but restoring failed too: "),
        "{stderr}"
    );
    assert!(stderr.contains("cargo tasks done --repair"), "{stderr}");
    assert_eq!(repo.head(), before.head);
    assert_eq!(repo.tasks(), toggled(&before.tasks), "the restore did fail");
    assert!(repo.root().join(".git/cargo-tasks/journal").exists());

    std::fs::remove_file(repo.root().join(".git/hooks/pre-commit")).unwrap();
    let output = repo.run(&["done", "--repair"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "   Recovered the interrupted `done T001` was rolled back: tasks.md restored, nothing committed\n"
    );
    assert_eq!(State::of(&repo), before);
    assert_clean(&repo, "after the repair");
}

#[test]
fn a_temporary_tasks_md_of_a_dead_run_is_removed_and_one_of_a_live_run_kept() {
    let repo = repo();
    let dead = "specs/001-x/.tasks.md.999999999.0.tmp";
    let live = format!("specs/001-x/.tasks.md.{}.0.tmp", std::process::id());
    repo.write(dead, "half written");
    repo.write(&live, "being written");
    let output = repo.run(&["done", "T001", "--no-commit"]);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains(&format!("Removed {dead} (left by an interrupted run)")),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!repo.root().join(dead).exists());
    assert!(
        repo.root().join(&live).exists(),
        "a live writer's file stays"
    );
}
