//! End to end on the real Docker Engine: scaffold the fixture workspace,
//! make sure the stand-in base images exist (.ci/images.sh: the engine here
//! cannot pull), then run the generated docker/test/run_all.sh, which builds
//! the image and runs every generated container test. The single-service
//! fixture is built with BuildKit (the default Dockerfile form), the
//! multi-service workspace with the legacy builder (`docker-builder =
//! "legacy"`). Fails when no engine answers `docker info` or the buildx
//! plugin is missing, unless CARGO_TASKS_TEST_SKIP names docker (then it is
//! skipped with a printed line; refused under CI=true).

mod scaffold_support;

use scaffold_support::{multi_workspace, Workspace};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

/// One engine test at a time: parallel builds would distort the generated
/// timing checks (time to healthy) on a small machine.
static ENGINE: Mutex<()> = Mutex::new(());

fn engine_available() -> bool {
    scaffold_support::tool_available("docker", &["info"])
        && scaffold_support::tool_available("docker", &["buildx", "version"])
}

fn text(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Builds the stand-in `debian:bookworm-slim` and `rust:<M.m>-slim-bookworm`
/// images unless the engine already holds them.
fn ensure_stand_in_images() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/images.sh");
    let output = Command::new("sh")
        .arg(&script)
        .output()
        .expect("run .ci/images.sh");
    assert!(
        output.status.success(),
        ".ci/images.sh failed\n{}",
        text(&output)
    );
}

/// Runs the generated `docker/test/run_all.sh` and asserts that it passed
/// and ran each of `tests`.
fn run_all_passes(ws: &Workspace, tests: &[&str]) {
    let output = Command::new("sh")
        .arg("docker/test/run_all.sh")
        .current_dir(ws.root())
        .env_remove("BUILDER_IMAGE")
        .env_remove("RUNTIME_IMAGE")
        .output()
        .expect("run docker/test/run_all.sh");
    let report = text(&output);
    assert!(output.status.success(), "run_all.sh failed\n{report}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("run_all: all container tests passed"),
        "{report}"
    );
    assert!(!stdout.contains("FAIL"), "{report}");
    for test in tests {
        assert!(
            stdout.contains(&format!("### {test}")),
            "{test} did not run\n{report}"
        );
    }
}

const GENERATED_TESTS: [&str; 5] = [
    "build_test.sh",
    "entrypoint_test.sh",
    "health_test.sh",
    "security_test.sh",
    "performance_test.sh",
];

#[test]
fn the_scaffolded_fixture_builds_and_passes_its_own_container_tests() {
    let _engine = ENGINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !engine_available() {
        return;
    }
    ensure_stand_in_images();
    let ws = Workspace::fixture("service");
    ws.run(&["scaffold", "--feature", "001"]).ok();
    assert!(ws
        .read("docker/Dockerfile")
        .contains("RUN --mount=type=bind"));
    let mut tests = GENERATED_TESTS.to_vec();
    tests.push("contracts/health-endpoint_test.sh");
    run_all_passes(&ws, &tests);
}

#[test]
fn a_multi_container_workspace_builds_and_passes_its_own_container_tests() {
    let _engine = ENGINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !engine_available() {
        return;
    }
    ensure_stand_in_images();
    let ws = multi_workspace();
    let manifest = ws.read("Cargo.toml");
    ws.write(
        "Cargo.toml",
        &format!("{manifest}\n[workspace.metadata.tasks]\ndocker-builder = \"legacy\"\n"),
    );
    ws.run(&["scaffold", "--feature", "001"]).ok();
    assert!(!ws.read("docker/api/Dockerfile").contains("--mount"));
    run_all_passes(&ws, &GENERATED_TESTS);
}
