//! Times `cargo tasks generate` on one feature and `--all` over 1,000
//! features of a workspace it creates, and `cargo metadata` alone, so the
//! tool's own work can be told apart. Run: `cargo bench --bench generate`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const FEATURES: usize = 1000;
const RUNS: usize = 15;

fn main() {
    let bin = build_release_binary();
    let ws = std::env::temp_dir().join(format!("cargo-tasks-bench-{}", std::process::id()));
    make_workspace(&ws);
    let metadata = median(RUNS, || {
        run(Command::new("cargo")
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .current_dir(&ws))
    });
    let generate = |args: &[&str]| {
        run(Command::new(&bin)
            .args(["tasks", "generate", "--quiet"])
            .args(args)
            .current_dir(&ws))
    };
    let first_all = generate(&["--all"]);
    let one = median(RUNS, || generate(&["--feature", "0001"]));
    let all = median(3, || generate(&["--all"]));
    let per_feature = all.saturating_sub(one) / (FEATURES as u32 - 1);
    println!(
        "cargo metadata --no-deps               {:>9.2} ms (median of {RUNS})",
        ms(metadata)
    );
    println!("generate one feature                   {:>9.2} ms (median of {RUNS}); without cargo metadata {:.2} ms", ms(one), ms(one.saturating_sub(metadata)));
    println!(
        "generate --all, first run (writes)     {:>9.2} ms (target < 2000 ms)",
        ms(first_all)
    );
    println!(
        "generate --all, up to date             {:>9.2} ms (median of 3; target < 2000 ms)",
        ms(all)
    );
    println!(
        "tool's own work per feature            {:>9.3} ms ((all - one) / {}; target < 5 ms)",
        ms(per_feature),
        FEATURES - 1
    );
    match support::peak_memory_kib(&ws, &bin, &["tasks", "generate", "--all", "--quiet"]) {
        Some(kib) => println!(
            "peak memory of --all            {:>9.1} MB (target < 50 MB)",
            kib as f64 / 1024.0
        ),
        None => println!("peak memory: install GNU time (`apt-get install time`) to measure it"),
    }
    let _ = std::fs::remove_dir_all(&ws);
}

fn build_release_binary() -> PathBuf {
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "cargo-tasks"])
        .status()
        .expect("cargo build");
    assert!(status.success(), "cargo build --release failed");
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/cargo-tasks")
}

fn make_workspace(ws: &Path) {
    let feature = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite/generate/single.in");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::copy(feature.join("Cargo.toml"), ws.join("Cargo.toml")).unwrap();
    std::fs::copy(feature.join("src/main.rs"), ws.join("src/main.rs")).unwrap();
    let source = feature.join("specs/001-containerize-hello");
    for n in 1..=FEATURES {
        let dir = ws.join(format!("specs/{n:04}-feature"));
        std::fs::create_dir_all(dir.join("contracts")).unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            }
        }
        std::fs::copy(
            source.join("contracts/health.md"),
            dir.join("contracts/health.md"),
        )
        .unwrap();
    }
}

fn run(command: &mut Command) -> Duration {
    let start = Instant::now();
    let output = command.output().expect("spawn");
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
