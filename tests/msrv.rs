//! `rust-version` in Cargo.toml is true: no locked dependency needs a newer
//! Rust than it claims (clippy's `incompatible_msrv` lint checks the standard
//! library items the code itself uses against the same number).

use std::process::Command;

fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap());
    let major = parts.next().unwrap();
    (major, parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ours = version(env!("CARGO_PKG_RUST_VERSION"));
    let mut needs: Vec<((u64, u64, u64), String)> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] != env!("CARGO_PKG_NAME"))
        .filter_map(|p| {
            let rust = p["rust_version"].as_str()?;
            let name = p["name"].as_str()?;
            let at = p["version"].as_str()?;
            Some((version(rust), format!("{name} {at} needs Rust {rust}")))
        })
        .collect();
    needs.sort();
    assert!(needs.len() > 20, "{needs:?}");
    let (highest, which) = needs.last().unwrap();
    assert!(
        *highest <= ours,
        "rust-version {} is not true: {which}",
        env!("CARGO_PKG_RUST_VERSION")
    );
}
