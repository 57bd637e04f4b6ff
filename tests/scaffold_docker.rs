//! End to end on the real Docker Engine: scaffold the fixture workspace,
//! make sure the stand-in base images exist (.ci/images.sh: the engine here
//! cannot pull), then run the generated docker/test/run_all.sh, which builds
//! the image and runs every generated container test. The single-service
//! fixture is built with BuildKit (the default Dockerfile form) on every
//! runtime variant built here (Debian slim, distroless cc and static,
//! scratch), the multi-service workspace with the legacy builder
//! (`docker-builder = "legacy"`). Fails when no engine answers `docker info` or the buildx
//! plugin is missing, unless CARGO_TASKS_TEST_SKIP names docker (then it is
//! skipped with a printed line; refused under CI=true).

mod scaffold_support;

use scaffold_support::{corpus_workspace, multi_workspace, Workspace};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

/// One engine test at a time: parallel builds would distort the generated
/// timing checks (time to healthy) on a small machine, and the generated
/// tests tag images by service name.
static ENGINE: Mutex<()> = Mutex::new(());

/// The engine is shared by every checkout on the machine: an exclusive lock
/// on a file in the temporary directory keeps two test runs from retagging
/// each other's images. Held with the `ENGINE` mutex until the test ends.
fn machine_lock() -> std::fs::File {
    let path = std::env::temp_dir().join("cargo-tasks-docker-tests.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    fs4::FileExt::lock(&file).unwrap_or_else(|e| panic!("lock {}: {e}", path.display()));
    file
}

/// Runs `body` holding both locks, when the engine and buildx answer.
fn with_engine(body: impl FnOnce()) {
    let _engine = ENGINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !engine_available() {
        return;
    }
    let _machine = machine_lock();
    let _images = TaggedImages;
    ensure_stand_in_images();
    body();
}

/// The tag of every image the generated tests build in this test process
/// (IMAGE_TAG): its own, so a run from another checkout on the same engine
/// never replaces them.
fn image_tag() -> String {
    format!("cargo-tasks-test-{}", std::process::id())
}

/// Removes the images tagged [`image_tag`] when a test ends, passed or not.
struct TaggedImages;

impl Drop for TaggedImages {
    fn drop(&mut self) {
        let listing = Command::new("docker")
            .args(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"])
            .output()
            .expect("docker image ls");
        let suffix = format!(":{}", image_tag());
        let images: Vec<String> = String::from_utf8_lossy(&listing.stdout)
            .lines()
            .filter(|image| image.ends_with(&suffix))
            .map(str::to_string)
            .collect();
        if !images.is_empty() {
            let removed = Command::new("docker")
                .args(["image", "rm", "--force"])
                .args(&images)
                .output()
                .expect("docker image rm");
            assert!(
                removed.status.success() || std::thread::panicking(),
                "{}",
                text(&removed)
            );
        }
    }
}

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

/// Builds the stand-in base images (`debian:bookworm-slim`,
/// `rust:<M.m>-slim-bookworm`, the distroless ones) unless the engine
/// already holds them.
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
        .env("IMAGE_TAG", image_tag())
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    let report = text(&output);
    (output, report)
}

/// Runs the generated `docker/test/run_all.sh`, asserts that it passed and
/// ran each of `tests`, and returns its standard output.
fn run_all_passes(ws: &Workspace, tests: &[&str]) -> String {
    run_all_in(ws, "docker/test", tests)
}

/// `run_all_passes` for the scripts in `test_dir`.
fn run_all_in(ws: &Workspace, test_dir: &str, tests: &[&str]) -> String {
    let (output, report) = run_script(ws, &format!("{test_dir}/run_all.sh"), &[]);
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
    with_engine(|| {
        let ws = Workspace::fixture("service");
        ws.run(&["scaffold", "--feature", "001"]).ok();
        let dockerfile = ws.read("docker/Dockerfile");
        assert!(dockerfile.contains("RUN --mount=type=bind"), "{dockerfile}");
        assert!(dockerfile.contains("ARG RUNTIME_IMAGE=\"debian:bookworm-slim\""));
        let mut tests = GENERATED_TESTS.to_vec();
        tests.push("contracts/health-endpoint_test.sh");
        run_all_passes(&ws, &tests);
    });
}

/// The fixture on a runtime image without a shell: the same generated tests
/// pass (they read the image from the host, and the compiled entrypoint
/// validates, supervises and probes). The final stage adds no shell to the
/// runtime base, which has none (scratch is empty).
fn passes_on_runtime(image: &str, from_line: &str) {
    with_engine(|| {
        if image != "scratch" {
            assert_no_shell(image);
        }
        let ws = Workspace::fixture("service");
        ws.run(&["scaffold", "--feature", "001", "--runtime-image", image])
            .ok();
        let dockerfile = ws.read("docker/Dockerfile");
        assert!(dockerfile.contains(from_line), "{dockerfile}");
        let final_stage = &dockerfile[dockerfile.find("FROM ${RUNTIME_IMAGE}").unwrap()..];
        for shell_step in ["RUN ", "setup.sh", "entrypoint.d"] {
            assert!(!final_stage.contains(shell_step), "{final_stage}");
        }
        let mut tests = GENERATED_TESTS.to_vec();
        tests.push("contracts/health-endpoint_test.sh");
        run_all_passes(&ws, &tests);
    });
}

fn assert_no_shell(image: &str) {
    let shell = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--entrypoint",
            "/bin/sh",
            image,
            "-c",
            "true",
        ])
        .output()
        .expect("docker run");
    assert!(!shell.status.success(), "{image} has a shell");
}

#[test]
fn on_distroless_cc_the_fixture_passes_the_same_tests() {
    passes_on_runtime(
        "gcr.io/distroless/cc-debian12",
        "ARG RUNTIME_IMAGE=\"gcr.io/distroless/cc-debian12\"",
    );
}

#[test]
fn on_distroless_static_the_fixture_passes_the_same_tests() {
    passes_on_runtime(
        "gcr.io/distroless/static-debian12",
        "cargo build --release --locked --bin hello-svc --target \"$target\"",
    );
}

#[test]
fn on_scratch_a_static_binary_passes_the_same_tests() {
    passes_on_runtime("scratch", "ENV RUSTFLAGS=\"-Ctarget-feature=+crt-static\"");
}

#[test]
fn a_multi_container_workspace_builds_and_passes_its_own_container_tests() {
    with_engine(|| {
        let ws = multi_workspace();
        let manifest = ws.read("Cargo.toml");
        ws.write(
            "Cargo.toml",
            &format!("{manifest}\n[workspace.metadata.tasks]\ndocker-builder = \"legacy\"\n"),
        );
        ws.run(&["scaffold", "--feature", "001"]).ok();
        assert!(!ws.read("docker/api/Dockerfile").contains("--mount"));
        run_all_passes(&ws, &GENERATED_TESTS);
    });
}

/// Container files where the plan's chosen tree option puts them: the API's
/// beside its crate (`backend/Dockerfile`), the sweeper's and the tests under
/// `deploy/docker/`; both build from the workspace root and pass.
#[test]
fn containers_placed_by_the_plans_tree_build_and_pass_their_tests() {
    with_engine(|| {
        let ws = Workspace::fixture("placed");
        ws.run(&["scaffold", "--feature", "003"]).ok();
        let stdout = run_all_in(&ws, "deploy/docker/test", &GENERATED_TESTS);
        for dockerfile in ["backend/Dockerfile", "deploy/docker/sweeper/Dockerfile"] {
            assert!(stdout.contains(&format!("({dockerfile})")), "{stdout}");
        }
    });
}

/// The shelf fixture's service serves its OpenAPI contract (health, a
/// required query parameter, a path parameter, and two requests that need a
/// bearer token, one with a JSON body); the generated contract test sends
/// every request and passes out of the box, and sends the guarded ones too
/// when CONTRACT_AUTHORIZATION is set.
#[test]
fn an_openapi_contract_is_checked_against_the_running_service() {
    with_engine(openapi_contract_checks);
}

fn openapi_contract_checks() {
    let ws = Workspace::fixture("shelf");
    ws.run(&["scaffold", "--feature", "001"]).ok();
    let mut tests = GENERATED_TESTS.to_vec();
    tests.extend([
        "contracts/book.schema_test.sh",
        "contracts/shelf-api_test.sh",
    ]);
    let stdout = run_all_passes(&ws, &tests);
    let contract = "contracts/shelf-api.yaml";
    assert_lines(&stdout, &[
        format!("ok    GET /healthz ({contract}:13) answers 200 (200)"),
        format!("ok    GET /books ({contract}:19) answers 200 or 400 (200)"),
        format!("ok    POST /books ({contract}:29) answers 401 without credentials (401)"),
        format!("ok    GET /books/{{bookId}} ({contract}:42) answers 200 or 404 (200)"),
        format!("ok    DELETE /books/{{bookId}} ({contract}:47) answers 401 without credentials (401)"),
        format!("skip  POST /books ({contract}:29) with credentials (set CONTRACT_AUTHORIZATION to send it)"),
        "skip  contracts/book.schema.json defines no HTTP request (a JSON Schema of a payload); check it by hand".to_string(),
        "shelf-api_test.sh: all checks passed, 2 skipped".to_string(),
    ]);
    assert!(!ws.path("docker/test/contracts/README_test.sh").exists());

    let script = "docker/test/contracts/shelf-api_test.sh";
    script_passes(
        &ws,
        script,
        ("CONTRACT_AUTHORIZATION", "Bearer test"),
        &[
            format!("ok    POST /books ({contract}:29) answers 201 or 400 (201)"),
            format!("ok    DELETE /books/{{bookId}} ({contract}:47) answers 204 (204)"),
            "shelf-api_test.sh: all checks passed\n".to_string(),
        ],
    );

    // A runtime image without bash (distroless) is probed from a sidecar.
    script_passes(
        &ws,
        script,
        ("HTTP_PROBE", "sidecar"),
        &[format!(
            "ok    GET /books/{{bookId}} ({contract}:42) answers 200 or 404 (200)"
        )],
    );
}

/// Runs a generated test script with one variable set; asserts that it
/// passed and printed each of `lines`.
fn script_passes(ws: &Workspace, script: &str, var: (&str, &str), lines: &[String]) {
    let (output, report) = run_script(ws, script, &[var]);
    assert!(output.status.success(), "{report}");
    assert_lines(&report, lines);
}

/// The ledger fixture's documents name PostgreSQL (a compose snippet) and
/// Redis (`docker run`): compose.yaml runs both beside the api and the
/// worker, and the api's health endpoint answers 200 only while it reaches
/// the database its DATABASE_URL names. The generated run_all.sh passes: each
/// container test runs beside the backing services (lib.sh), and
/// compose_test.sh brings the whole stack up healthy, asks the api through
/// its published port and takes everything down with its volumes.
#[test]
fn backing_services_run_beside_the_services_in_compose() {
    with_engine(|| {
        if !scaffold_support::tool_available("docker", &["compose", "version"]) {
            return;
        }
        let ws = Workspace::fixture("ledger");
        ws.run(&["scaffold", "--feature", "001"]).ok();
        let compose = ws.read("docker/compose.yaml");
        for line in [
            "      DATABASE_URL: \"postgres://ledger:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db:5432/ledger\"\n",
            "      REDIS_URL: \"redis://redis:6379\"\n",
            "      POSTGRES_PASSWORD: \"${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}\"\n",
        ] {
            assert!(compose.contains(line), "missing {line:?} in\n{compose}");
        }
        let mut tests = GENERATED_TESTS.to_vec();
        tests.extend(["contracts/ledger-api_test.sh", "compose_test.sh"]);
        let (output, report) = run_script(&ws, "docker/test/run_all.sh", &[]);
        assert!(output.status.success(), "run_all.sh failed\n{report}");
        for test in &tests {
            assert!(
                report.contains(&format!("### {test}")),
                "{test} did not run\n{report}"
            );
        }
        for line in [
            "ok    db is healthy",
            "ok    redis is healthy",
            "ok    api is healthy",
            "ok    worker is healthy",
            "ok    GET /healthz on api through the published port 0.0.0.0:8080 answers 200",
            "ok    no container, volume or network of cargo-tasks-compose-",
            "run_all: all container tests passed",
        ] {
            assert!(report.contains(line), "missing {line:?} in\n{report}");
        }
        assert_projects_removed(&report);
        api_is_unhealthy_without_its_database();
    });
}

/// Every compose project the generated tests named (compose_test.sh's, and
/// the backing services' of each test script) is gone, volumes included.
fn assert_projects_removed(report: &str) {
    let projects: Vec<&str> = report
        .lines()
        .filter_map(|line| {
            line.strip_prefix("compose_test: project ")
                .or_else(|| line.strip_prefix("lib.sh: backing services up as project "))
        })
        .collect();
    assert!(projects.len() >= 2, "no project named in\n{report}");
    for project in projects {
        let label = format!("label=com.docker.compose.project={project}");
        let listings: [&[&str]; 2] = [
            &["ps", "-aq", "--filter", &label],
            &["volume", "ls", "-q", "--filter", &label],
        ];
        for listing in listings {
            let output = Command::new("docker").args(listing).output().unwrap();
            assert!(output.status.success(), "{}", text(&output));
            assert!(
                output.stdout.is_empty(),
                "{project} left {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
    }
}

/// The api image alone, its database unreachable: the health probe fails, so
/// the healthy api above really reached PostgreSQL.
fn api_is_unhealthy_without_its_database() {
    let run = Command::new("docker")
        .args([
            "run",
            "-d",
            "-e",
            "DATABASE_URL=postgres://u:p@127.0.0.1:1/x",
        ])
        .arg(format!("ledger-api:{}", image_tag()))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run));
    let container = String::from_utf8_lossy(&run.stdout).trim().to_string();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let probe = Command::new("docker")
        .args(["exec", &container, "/usr/local/bin/entrypoint", "--probe"])
        .output()
        .unwrap();
    let removed = Command::new("docker")
        .args(["rm", "-f", &container])
        .output()
        .unwrap();
    assert!(removed.status.success(), "{}", text(&removed));
    assert_eq!(probe.status.code(), Some(1), "{}", text(&probe));
    let said = String::from_utf8_lossy(&probe.stderr);
    assert!(
        said.contains("GET /healthz answered 'HTTP/1.1 503"),
        "{}",
        text(&probe)
    );
}

/// A feature of the corpus scaffolded as a user would: the workspace around
/// the service that implements it, `generate`, then `scaffold`; the generated
/// run_all.sh passes every test, `contract_tests` included. Returns the
/// workspace and run_all.sh's output.
fn corpus_feature_passes(
    feature: &str,
    service: &str,
    contract_tests: &[&str],
) -> (Workspace, String) {
    let ws = corpus_workspace(feature, service);
    ws.run(&["generate", "--feature", "001"]).ok();
    ws.run(&["scaffold", "--feature", "001"]).ok();
    let mut tests = GENERATED_TESTS.to_vec();
    tests.extend(contract_tests);
    let stdout = run_all_passes(&ws, &tests);
    (ws, stdout)
}

fn assert_lines(output: &str, lines: &[String]) {
    for line in lines {
        assert!(
            output.contains(line.as_str()),
            "missing {line:?} in\n{output}"
        );
    }
}

/// The corpus feature with an OpenAPI contract (public reads, bearer-guarded
/// writes with JSON bodies, responses by `$ref`, integer status keys): every
/// request is sent, the guarded ones without credentials must be refused,
/// and what needs a token is reported as skipped.
#[test]
fn a_corpus_openapi_feature_passes_its_contract_test_on_the_engine() {
    with_engine(|| {
        let (ws, stdout) = corpus_feature_passes(
            "openapi-notes-service",
            "notes-api",
            &["contracts/notes-api_test.sh"],
        );
        let contract = "contracts/notes-api.yaml";
        assert_lines(
            &stdout,
            &[
                format!("ok    GET /health ({contract}:16) answers 200 (200)"),
                format!("ok    GET /notes ({contract}:31) answers 200 or 400 (200)"),
                format!("ok    POST /notes ({contract}:48) answers 401 without credentials (401)"),
                format!("ok    GET /notes/{{noteId}} ({contract}:76) answers 200 or 404 (404)"),
                format!("ok    PATCH /notes/{{noteId}} ({contract}:89) answers 401 without credentials (401)"),
                format!("ok    DELETE /notes/{{noteId}} ({contract}:105) answers 401 without credentials (401)"),
                format!("skip  PATCH /notes/{{noteId}} ({contract}:89) with credentials (set CONTRACT_AUTHORIZATION to send it)"),
                "notes-api_test.sh: all checks passed, 3 skipped".to_string(),
                "NOTES_LOG_LEVEL='not-a-number' rejected with exit 64".to_string(),
                "missing NOTES_API_TOKEN rejected with exit 64".to_string(),
            ],
        );

        // The generated tests start the service with NOTES_API_TOKEN=example
        // (a valid value of a free-form secret): with that token every
        // guarded request is sent too, in the contract's order, so the note
        // POST creates is the one PATCH edits and DELETE removes.
        let script = "docker/test/contracts/notes-api_test.sh";
        script_passes(
            &ws,
            script,
            ("CONTRACT_AUTHORIZATION", "Bearer example"),
            &[
                format!("ok    POST /notes ({contract}:48) answers 201 or 400 (201)"),
                format!("ok    PATCH /notes/{{noteId}} ({contract}:89) answers 200 or 404 (200)"),
                format!("ok    DELETE /notes/{{noteId}} ({contract}:105) answers 204 or 404 (204)"),
                "notes-api_test.sh: all checks passed\n".to_string(),
            ],
        );
    });
}

/// The corpus feature whose research decides the images (a pinned builder,
/// distroless cc), the runtime user (distroless's nonroot, 65532), the port
/// and the health path: the image is built from those and nothing else, and
/// the generated tests pass on it.
#[test]
fn a_corpus_feature_gets_the_runtime_its_research_decides() {
    with_engine(|| {
        let builder = Command::new("sh")
            .args([".ci/images.sh", "--print-builder"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run .ci/images.sh");
        assert_eq!(
            String::from_utf8_lossy(&builder.stdout).trim(),
            "rust:1.95-slim-bookworm",
            "research.md of research-distroless-nonroot pins the builder this machine's stand-in must be"
        );
        let (ws, stdout) = corpus_feature_passes("research-distroless-nonroot", "quote-svc", &[]);
        let dockerfile = ws.read("docker/Dockerfile");
        for line in [
            "ARG BUILDER_IMAGE=\"rust:1.95-slim-bookworm\"",
            "ARG RUNTIME_IMAGE=\"gcr.io/distroless/cc-debian12\"",
            "USER 65532:65532",
            "EXPOSE 7070/tcp",
        ] {
            assert!(
                dockerfile.contains(line),
                "missing {line:?} in\n{dockerfile}"
            );
        }
        let image = format!("quote-svc:{}", image_tag());
        assert_no_shell(&image);
        assert_lines(
            &stdout,
            &[
                "USER 65532:65532".to_string(),
                "EXPOSE 7070/tcp".to_string(),
                "the service runs as 65532:65532 (non-root)".to_string(),
                "QUOTE_PORT='not-a-number' rejected with exit 64".to_string(),
                "QUOTE_LANGUAGE='not-a-number' rejected with exit 64".to_string(),
                "container reached healthy".to_string(),
            ],
        );
    });
}
