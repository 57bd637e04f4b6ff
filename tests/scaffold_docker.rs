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

/// Runs a generated test script with `env` set; its output, and a report for messages.
fn run_script(ws: &Workspace, script: &str, env: &[(&str, &str)]) -> (Output, String) {
    let output = Command::new("sh")
        .arg(script)
        .current_dir(ws.root())
        .env_remove("BUILDER_IMAGE")
        .env_remove("RUNTIME_IMAGE")
        .env_remove("CONTRACT_AUTHORIZATION")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    let report = text(&output);
    (output, report)
}

/// Runs the generated `docker/test/run_all.sh`, asserts that it passed and
/// ran each of `tests`, and returns its standard output.
fn run_all_passes(ws: &Workspace, tests: &[&str]) -> String {
    let (output, report) = run_script(ws, "docker/test/run_all.sh", &[]);
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
    stdout.into_owned()
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

/// The shelf fixture's service serves its OpenAPI contract (health, a
/// required query parameter, a path parameter, and two requests that need a
/// bearer token, one with a JSON body); the generated contract test sends
/// every request and passes out of the box, and sends the guarded ones too
/// when CONTRACT_AUTHORIZATION is set.
#[test]
fn an_openapi_contract_is_checked_against_the_running_service() {
    let _engine = ENGINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !engine_available() {
        return;
    }
    ensure_stand_in_images();
    let ws = Workspace::fixture("shelf");
    ws.run(&["scaffold", "--feature", "001"]).ok();
    let mut tests = GENERATED_TESTS.to_vec();
    tests.extend([
        "contracts/book.schema_test.sh",
        "contracts/shelf-api_test.sh",
    ]);
    let stdout = run_all_passes(&ws, &tests);
    let contract = "contracts/shelf-api.yaml";
    for line in [
        format!("ok    GET /healthz ({contract}:13) answers 200 (200)"),
        format!("ok    GET /books ({contract}:19) answers 200 or 400 (200)"),
        format!("ok    POST /books ({contract}:29) answers 401 without credentials (401)"),
        format!("ok    GET /books/{{bookId}} ({contract}:42) answers 200 or 404 (200)"),
        format!("ok    DELETE /books/{{bookId}} ({contract}:47) answers 401 without credentials (401)"),
        format!("skip  POST /books ({contract}:29) with credentials (set CONTRACT_AUTHORIZATION to send it)"),
        "skip  contracts/book.schema.json defines no HTTP request (a JSON Schema of a payload); check it by hand".to_string(),
        "shelf-api_test.sh: all checks passed, 2 skipped".to_string(),
    ] {
        assert!(stdout.contains(&line), "missing {line:?} in\n{stdout}");
    }
    assert!(!ws.path("docker/test/contracts/README_test.sh").exists());

    let script = "docker/test/contracts/shelf-api_test.sh";
    let (output, report) = run_script(&ws, script, &[("CONTRACT_AUTHORIZATION", "Bearer test")]);
    assert!(output.status.success(), "{report}");
    for line in [
        format!("ok    POST /books ({contract}:29) answers 201 or 400 (201)"),
        format!("ok    DELETE /books/{{bookId}} ({contract}:47) answers 204 (204)"),
        "shelf-api_test.sh: all checks passed\n".to_string(),
    ] {
        assert!(report.contains(&line), "missing {line:?} in\n{report}");
    }

    // A runtime image without bash (distroless) is probed from a sidecar.
    let (output, report) = run_script(&ws, script, &[("HTTP_PROBE", "sidecar")]);
    assert!(output.status.success(), "{report}");
    let line = format!("ok    GET /books/{{bookId}} ({contract}:42) answers 200 or 404 (200)");
    assert!(report.contains(&line), "missing {line:?} in\n{report}");
}
