//! `cargo bench --bench done`: `cargo tasks done` against `git add && git
//! commit` for the same change, in a repository with 10,000 tracked files and
//! a 500-task tasks.md. Prints both medians and their ratio.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const FILES: usize = 10_000;
const TASKS: usize = 500;
const RUNS: usize = 21;

fn run(dir: &Path, program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn timed(dir: &Path, program: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    run(dir, program, args);
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn setup(dir: &Path) {
    run(dir, "git", &["init", "-q", "-b", "main"]);
    run(dir, "git", &["config", "user.name", "Bench"]);
    run(dir, "git", &["config", "user.email", "bench@example.com"]);
    support::write_package(dir);
    for file in 0..FILES {
        let sub = dir.join(format!("data/d{:03}", file / 100));
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join(format!("f{file:05}.txt")), format!("{file}\n")).unwrap();
    }
    let mut tasks = String::from("# Tasks: bench\n\n## Phase 3.1: Setup\n");
    for task in 1..=TASKS {
        tasks.push_str(&format!("- [ ] T{task:03} [P] Write work/t{task:03}.txt\n"));
    }
    tasks.push_str("\n## Dependencies\n- T001 blocks T500\n");
    fs::create_dir_all(dir.join("specs/001-bench")).unwrap();
    fs::write(dir.join("specs/001-bench/tasks.md"), tasks).unwrap();
    fs::create_dir_all(dir.join("work")).unwrap();
    run(dir, "git", &["add", "-A"]);
    run(dir, "git", &["commit", "-q", "-m", "setup"]);
}

fn main() {
    let binary = env!("CARGO_BIN_EXE_cargo-tasks");
    let root = tempfile::tempdir().expect("temporary directory");
    let dir = root.path();
    setup(dir);
    let tasks_path = dir.join("specs/001-bench/tasks.md");
    let mut done_times = Vec::new();
    let mut git_times = Vec::new();
    for round in 0..RUNS {
        let id = format!("T{:03}", 2 * round + 2);
        fs::write(
            dir.join(format!("work/t{:03}.txt", 2 * round + 2)),
            "done\n",
        )
        .unwrap();
        done_times.push(timed(dir, binary, &["tasks", "done", &id, "--quiet"]));

        // The same change by hand: the next task's file and its checkbox.
        let id = format!("T{:03}", 2 * round + 3);
        let path = format!("work/t{:03}.txt", 2 * round + 3);
        fs::write(dir.join(&path), "done\n").unwrap();
        let text = fs::read_to_string(&tasks_path).unwrap();
        fs::write(
            &tasks_path,
            text.replacen(&format!("- [ ] {id} "), &format!("- [X] {id} "), 1),
        )
        .unwrap();
        let message = format!("{id}: Write {path}");
        let start = Instant::now();
        run(dir, "git", &["add", "specs/001-bench/tasks.md", &path]);
        run(dir, "git", &["commit", "-q", "-m", &message]);
        git_times.push(start.elapsed());
    }
    let done = median(done_times);
    let git = median(git_times);
    println!("repository: {FILES} tracked files, {TASKS} tasks, {RUNS} runs each");
    println!(
        "cargo tasks done            median {:>8.1} ms",
        done.as_secs_f64() * 1e3
    );
    println!(
        "git add && git commit       median {:>8.1} ms",
        git.as_secs_f64() * 1e3
    );
    println!(
        "ratio done / git            {:>8.2}",
        done.as_secs_f64() / git.as_secs_f64()
    );
}
