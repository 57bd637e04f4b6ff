//! Helpers shared by the benchmarks.
// Each benchmark compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::fs;
use std::path::Path;
use std::process::Command;

/// Peak resident memory in KiB of `binary args` run in `dir`, through GNU
/// time's `%M`; `None` when GNU time is missing.
pub fn peak_memory_kib(dir: &Path, binary: &Path, args: &[&str]) -> Option<u64> {
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(binary)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

/// A one-package cargo workspace (`bench`, empty lib) in `dir`.
pub fn write_package(dir: &Path) {
    fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(dir.join("src/lib.rs"), "").unwrap();
}
