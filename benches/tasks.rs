//! `cargo bench --bench tasks`: `check`, `status`, `next` and `graph` on a
//! 10,000-task tasks.md written in every form the reader knows (plain, bold,
//! numbered, suffixed IDs, story labels, detail lines with dependencies) and
//! with range dependencies: one group statement per phase boundary and one
//! range over the whole file, which expanded into pairs would be 25 million
//! edges, and 1,000 single `blocks` lines. Detail lines under numbered items
//! are indented two spaces, as people write them. Prints the median wall time
//! of each verb and its peak memory (GNU time's `%M`, when /usr/bin/time is
//! there).

mod support;

use std::fmt::Write;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TASKS: usize = 10_000;
const PER_PHASE: usize = 200;
const RUNS: usize = 5;

fn tasks_md() -> String {
    let mut out = String::from("# Tasks: benchmark\n\n");
    let id = |n: usize| format!("T{n:05}");
    for n in 1..=TASKS {
        if (n - 1) % PER_PHASE == 0 {
            let phase = (n - 1) / PER_PHASE + 1;
            let _ = write!(out, "\n## Phase {phase}: Part {phase}\n\n");
        }
        let story = format!("[US{}]", (n - 1) / PER_PHASE % 9 + 1);
        let parallel = if n % 3 == 0 { " [P]" } else { "" };
        let path = format!("src/part{}/file{n}.rs", (n - 1) / PER_PHASE);
        let line = match n % 13 {
            0 => format!(
                "- [ ] **{}{parallel}** {story} Bold work in {path}\n",
                id(n)
            ),
            5 => format!(
                "1. [x] {}{parallel} {story} Numbered work in {path}\n",
                id(n)
            ),
            7 => format!(
                "- [ ] {}a{parallel} {story} Suffixed work in {path}\n",
                id(n)
            ),
            _ => format!("- [ ] {}{parallel} {story} Plain work in {path}\n", id(n)),
        };
        out.push_str(&line);
        if n % 5 == 0 && n > 1 {
            let before = if (n - 1) % 13 == 7 {
                format!("{}a", id(n - 1))
            } else {
                id(n - 1)
            };
            let _ = writeln!(out, "  - Depends on: {before}");
            let _ = writeln!(out, "  - File: `{path}`");
        }
    }
    out.push_str("\n## Dependencies\n\n");
    for phase in 1..TASKS / PER_PHASE {
        let first = (phase - 1) * PER_PHASE + 1;
        let _ = writeln!(
            out,
            "- Part {phase} ({}-{}) before part {} ({}-{})",
            id(first),
            id(first + PER_PHASE - 1),
            phase + 1,
            id(first + PER_PHASE),
            id(first + 2 * PER_PHASE - 1)
        );
    }
    let _ = writeln!(
        out,
        "- {}-{} before {}-{}",
        id(1),
        id(TASKS / 2),
        id(TASKS / 2 + 1),
        id(TASKS)
    );
    for n in (10..TASKS).step_by(10) {
        let _ = writeln!(out, "- {} blocks {}", id(n), id(n + 1));
    }
    out
}

fn setup(dir: &Path) {
    support::write_package(dir);
    fs::create_dir_all(dir.join("specs/001-bench")).unwrap();
    fs::write(dir.join("specs/001-bench/tasks.md"), tasks_md()).unwrap();
}

fn timed(dir: &Path, binary: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    let output = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run cargo-tasks");
    let elapsed = start.elapsed();
    // `check` exits 1 when the file has errors; any other failure is a bug.
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn main() {
    let binary = env!("CARGO_BIN_EXE_cargo-tasks");
    let root = tempfile::tempdir().expect("temporary directory");
    let dir = root.path();
    setup(dir);
    let size = fs::metadata(dir.join("specs/001-bench/tasks.md"))
        .unwrap()
        .len();
    println!("tasks.md: {TASKS} tasks, {size} bytes, {RUNS} runs each");
    for verb in [
        &["tasks", "check", "specs/001-bench/tasks.md"][..],
        &["tasks", "status"],
        &["tasks", "next", "--format", "json"],
        &["tasks", "graph", "--format", "svg"],
    ] {
        let mut times: Vec<Duration> = (0..RUNS).map(|_| timed(dir, binary, verb)).collect();
        times.sort();
        let median = times[RUNS / 2];
        let memory = support::peak_memory_kib(dir, Path::new(binary), verb)
            .map_or("n/a".to_string(), |kb| {
                format!("{:.1} MB", kb as f64 / 1024.0)
            });
        println!(
            "{:<28} median {:>8.1} ms   peak {memory}",
            verb[1..].join(" "),
            median.as_secs_f64() * 1e3
        );
    }
}
