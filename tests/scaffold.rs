//! `cargo tasks scaffold` run as the real binary on copies of
//! tests/fixtures/service: statuses, idempotence, kept hand edits, --force,
//! --dry-run, symlink refusal, template errors, and the generated files
//! checked by shellcheck and hadolint.

mod scaffold_support;

use scaffold_support::{
    assert_hadolint_clean, assert_shellcheck_clean, corpus_workspace, missing_tool,
    multi_workspace, tool_available, Skip, Workspace,
};

const FEATURE: &str = "001";

/// Every file scaffold writes for the single-container fixture, besides one
/// test script per contract.
const FILES: [&str; 17] = [
    ".dockerignore",
    "docker/Dockerfile",
    "docker/README.md",
    "docker/entrypoint.d/scripts/10-config-summary.sh",
    "docker/entrypoint.rs",
    "docker/setup.sh",
    "docker/setup/scripts/10-user.sh",
    "docker/setup/scripts/20-packages.sh",
    "docker/setup/scripts/90-cleanup.sh",
    "docker/test/build_test.sh",
    "docker/test/entrypoint_test.sh",
    "docker/test/health_test.sh",
    "docker/test/lib.sh",
    "docker/test/performance_test.sh",
    "docker/test/run_all.sh",
    "docker/test/security_test.sh",
    "docker/test/contracts",
];

fn fixture() -> Workspace {
    Workspace::fixture("service")
}

/// The fixture's files, sorted, with `docker/test/contracts` expanded into
/// one `<stem>_test.sh` per contract of the feature.
fn expected_files(ws: &Workspace) -> Vec<String> {
    let specs = ws.path("specs");
    let feature = std::fs::read_dir(&specs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(FEATURE)
        })
        .expect("fixture feature 001");
    let mut files: Vec<String> = FILES
        .iter()
        .filter(|f| **f != "docker/test/contracts")
        .map(|f| f.to_string())
        .collect();
    if let Ok(entries) = std::fs::read_dir(feature.join("contracts")) {
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let stem = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(s, _)| s)
                .to_string();
            files.push(format!("docker/test/contracts/{stem}_test.sh"));
        }
    }
    files.sort();
    files
}

fn all(verb: &str, files: &[String]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| (verb.to_string(), f.clone()))
        .collect()
}

#[test]
fn creates_every_file_then_a_second_run_changes_nothing() {
    let ws = fixture();
    let expected = expected_files(&ws);
    let first = ws.run(&["scaffold", "--feature", FEATURE]);
    let stderr = first.ok();
    assert_eq!(first.statuses(), all("Created", &expected), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} created, 0 unchanged, 0 kept, 0 overwritten",
            expected.len()
        )),
        "{stderr}"
    );
    for file in &expected {
        let mode = ws.mode(file);
        if file.ends_with(".sh") {
            assert_eq!(mode, 0o755, "{file}");
        } else {
            assert_eq!(mode & 0o111, 0, "{file} must not be executable");
        }
    }
    let dockerfile = ws.read("docker/Dockerfile");
    assert!(
        dockerfile.contains("cargo build --release --locked --bin hello-svc"),
        "{dockerfile}"
    );

    let before = ws.snapshot();
    let second = ws.run(&["scaffold", "--feature", FEATURE]);
    second.ok();
    assert_eq!(second.statuses(), all("Unchanged", &expected));
    ws.assert_unchanged(
        &before,
        "a second run must not touch any file (content, mode, mtime)",
    );
}

#[test]
fn a_hand_edited_file_is_kept_until_forced() {
    let ws = fixture();
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    let original = ws.read("docker/setup.sh");
    let edited = format!("{original}# local tweak\n");
    ws.write("docker/setup.sh", &edited);
    let before = ws.snapshot();

    let kept = ws.run(&["scaffold", "--feature", FEATURE]);
    let stderr = kept.ok();
    assert!(
        stderr.contains("Kept docker/setup.sh (differs; use --force to overwrite)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: 1 file(s) differ from the templates and were kept"),
        "{stderr}"
    );
    let statuses = kept.statuses();
    assert_eq!(
        statuses.iter().filter(|(verb, _)| verb == "Kept").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|(verb, _)| verb == "Unchanged")
            .count(),
        statuses.len() - 1
    );
    ws.assert_unchanged(&before, "a kept file is not touched");

    let forced = ws.run(&["scaffold", "--feature", FEATURE, "--force"]);
    forced.ok();
    assert!(forced
        .statuses()
        .contains(&("Overwritten".to_string(), "docker/setup.sh".to_string())));
    assert_eq!(ws.read("docker/setup.sh"), original);
    assert_eq!(ws.mode("docker/setup.sh"), 0o755);
}

#[test]
fn dry_run_shows_diffs_and_writes_nothing() {
    let ws = fixture();
    let before = ws.snapshot();
    let run = ws.run(&["scaffold", "--feature", FEATURE, "--dry-run"]);
    let stderr = run.ok();
    assert_eq!(run.statuses(), all("Created", &expected_files(&ws)));
    assert!(stderr.contains("(dry run: nothing written)"), "{stderr}");
    ws.assert_unchanged(&before, "--dry-run wrote something");
    let stdout = run.stdout();
    assert!(
        stdout.contains("--- a/docker/Dockerfile\n+++ b/docker/Dockerfile\n@@ -0,0 +1,"),
        "{stdout}"
    );
    assert!(stdout.contains("\n+ENTRYPOINT ["), "{stdout}");

    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    ws.write("docker/README.md", "mine\n");
    let changed = ws.snapshot();
    let diff = ws.run(&["scaffold", "--feature", FEATURE, "--dry-run", "--force"]);
    diff.ok();
    ws.assert_unchanged(&changed, "--dry-run --force wrote something");
    assert!(
        diff.stdout()
            .starts_with("--- a/docker/README.md\n+++ b/docker/README.md\n"),
        "{}",
        diff.stdout()
    );
    assert!(diff.stdout().contains("\n-mine\n"));
}

#[test]
fn a_symlinked_docker_directory_is_refused_before_anything_is_written() {
    let ws = fixture();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), ws.path("docker")).unwrap();
    let before = ws.snapshot();
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).fails();
    assert!(
        stderr.contains("refusing to write through a symlink"),
        "{stderr}"
    );
    assert!(stderr.contains("docker"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "wrote through the link"
    );
    ws.assert_unchanged(&before, "nothing may be written, not even .dockerignore");
}

#[test]
fn a_template_error_names_the_override_file_and_line() {
    let ws = fixture();
    let template = ".specify/templates/docker/service/Dockerfile.hbs";
    ws.write(template, "FROM scratch\n{{#if multi}}\n{{/each}}\n");
    let before = ws.snapshot();
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).fails();
    assert!(
        stderr.contains(&format!("{template}:3: template error")),
        "{stderr}"
    );
    ws.assert_unchanged(&before, "a syntax error writes nothing");

    ws.write(template, "FROM scratch\n\nUSER {{service.no_such_field}}\n");
    let before = ws.snapshot();
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).fails();
    assert!(stderr.contains(&format!("{template}:3:")), "{stderr}");
    assert!(stderr.contains("no_such_field"), "{stderr}");
    ws.assert_unchanged(&before, "a render error writes nothing");
}

#[test]
fn a_template_override_replaces_one_file_only() {
    let ws = fixture();
    ws.write(
        ".specify/templates/docker/feature/docker/README.md.hbs",
        "# {{feature}} on {{runtime_image}}\n",
    );
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    let feature = expected_feature_name(&ws);
    assert_eq!(
        ws.read("docker/README.md"),
        format!("# {feature} on debian:bookworm-slim\n")
    );
    assert!(ws.read("docker/Dockerfile").contains("HEALTHCHECK"));

    ws.write(".specify/templates/docker/Dockerfile.hbs", "FROM scratch\n");
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).ok();
    assert!(
        stderr.contains("warning: template `docker/Dockerfile.hbs` is ignored"),
        "{stderr}"
    );
}

#[test]
fn after_generate_every_container_path_of_tasks_md_exists() {
    let ws = fixture();
    ws.run(&["generate", "--feature", FEATURE]).ok();
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).ok();
    assert!(!stderr.contains("which does not exist"), "{stderr}");
    let tasks = ws.read(&format!("specs/{}/tasks.md", expected_feature_name(&ws)));
    for word in tasks.split(|c: char| c.is_whitespace() || c == '`') {
        let path = word
            .trim_start_matches(['"', '(', '\''])
            .trim_end_matches([',', '.', ';', ')', '"', '\'', ':']);
        if path.starts_with("docker/") || path == ".dockerignore" {
            assert!(
                ws.path(path).exists(),
                "tasks.md names {path}, which scaffold did not create"
            );
        }
    }
}

#[test]
fn generated_scripts_are_shellcheck_clean() {
    if !tool_available("shellcheck", &["--version"]) {
        return;
    }
    let ws = fixture();
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    let scripts: Vec<String> = expected_files(&ws)
        .into_iter()
        .filter(|f| f.ends_with(".sh"))
        .collect();
    assert!(scripts.len() >= 13, "{scripts:?}");
    assert_shellcheck_clean(ws.root(), &scripts);
}

#[test]
fn generated_dockerfile_is_hadolint_clean_at_warning_level() {
    if !tool_available("hadolint", &["--version"]) {
        return;
    }
    let ws = fixture();
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    assert_hadolint_clean(ws.root(), "docker/Dockerfile");
}

#[test]
fn dockerfiles_are_for_buildkit_unless_the_flag_or_the_metadata_table_says_legacy() {
    let ws = fixture();
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    let buildkit = ws.read("docker/Dockerfile");
    for expected in [
        "--mount=type=bind,source=Cargo.lock,target=Cargo.lock",
        "--mount=type=bind,source=crates/hello-svc,target=crates/hello-svc",
        "--mount=type=cache,id=cargo-tasks-service-target,target=/build/target,sharing=locked",
        "--mount=type=cache,id=cargo-tasks-service-registry,target=/usr/local/cargo/registry",
        "--mount=type=cache,id=cargo-tasks-service-git,target=/usr/local/cargo/git/db",
        "cargo build --release --locked --bin hello-svc",
        r#"COPY --from=builder ["/out/hello-svc", "/usr/local/bin/hello-svc"]"#,
    ] {
        assert!(buildkit.contains(expected), "{expected}\n{buildkit}");
    }
    assert!(!buildkit.contains("# syntax="), "{buildkit}");
    assert!(!buildkit.contains("COPY [\"crates/"), "{buildkit}");
    assert!(ws
        .read("docker/test/lib.sh")
        .contains("export DOCKER_BUILDKIT=1\n"));

    let manifest = ws.read("Cargo.toml");
    ws.write(
        "Cargo.toml",
        &format!("{manifest}\n[workspace.metadata.tasks]\ndocker-builder = \"legacy\"\n"),
    );
    ws.run(&["scaffold", "--feature", FEATURE, "--force"]).ok();
    let legacy = ws.read("docker/Dockerfile");
    assert!(!legacy.contains("--mount"), "{legacy}");
    assert!(
        legacy.contains(r#"COPY ["crates/hello-svc/Cargo.toml", "crates/hello-svc/Cargo.toml"]"#)
            && legacy.contains(r#"COPY ["crates/hello-svc", "crates/hello-svc"]"#),
        "{legacy}"
    );
    assert!(ws
        .read("docker/test/lib.sh")
        .contains("export DOCKER_BUILDKIT=0\n"));
    if tool_available("hadolint", &["--version"]) {
        assert_hadolint_clean(ws.root(), "docker/Dockerfile");
    }

    let flag = ["scaffold", "--feature", FEATURE, "--force", "--builder"];
    ws.run(&[&flag[..], &["buildkit"]].concat()).ok();
    assert_eq!(ws.read("docker/Dockerfile"), buildkit, "the flag wins");

    ws.write(
        "Cargo.toml",
        &format!("{manifest}\n[workspace.metadata.tasks]\ndocker-builder = \"kaniko\"\n"),
    );
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).fails();
    assert!(
        stderr.contains("Cargo.toml")
            && stderr.contains(
                "`workspace.metadata.tasks.docker-builder` must be \"buildkit\" or \"legacy\""
            ),
        "{stderr}"
    );
}

/// Every runtime variant renders a hadolint-clean Dockerfile, with the
/// stages its image can run (Alpine is rendered and linted only: its musl
/// target cannot be installed and no Alpine image pulled here).
#[test]
fn every_runtime_variant_is_hadolint_clean() {
    if !tool_available("hadolint", &["--version"]) {
        return;
    }
    let ws = fixture();
    for (image, expected, absent) in [
        (
            "debian:trixie-slim",
            "RUN sh /tmp/setup/setup.sh",
            "--target",
        ),
        (
            "gcr.io/distroless/cc-debian12",
            "COPY --from=builder /out/entrypoint",
            "setup.sh",
        ),
        (
            "gcr.io/distroless/static-debian12",
            "+crt-static",
            "setup.sh",
        ),
        ("scratch", "ca-certificates.crt", "setup.sh"),
        ("alpine:3.20", "RUN sh /tmp/setup/setup.sh", "+crt-static"),
    ] {
        ws.run(&[
            "scaffold",
            "--feature",
            FEATURE,
            "--force",
            "--runtime-image",
            image,
        ])
        .ok();
        let dockerfile = ws.read("docker/Dockerfile");
        assert!(
            dockerfile.contains(&format!("ARG RUNTIME_IMAGE=\"{image}\"")),
            "{dockerfile}"
        );
        assert!(
            dockerfile.contains(expected),
            "{image}: {expected}\n{dockerfile}"
        );
        assert!(
            !dockerfile.contains(absent),
            "{image}: {absent}\n{dockerfile}"
        );
        assert_hadolint_clean(ws.root(), "docker/Dockerfile");
    }
}

/// The fixture with its runtime image decided as `image` in plan.md and research.md.
fn fixture_on(image: &str) -> Workspace {
    let ws = fixture();
    for doc in ["plan.md", "research.md"] {
        let path = format!("specs/001-containerize-hello/{doc}");
        let text = ws.read(&path);
        assert!(text.contains("debian:bookworm-slim"), "{path}");
        ws.write(&path, &text.replace("debian:bookworm-slim", image));
    }
    ws
}

/// The lines of `ours` that `theirs` lacks, in order.
fn lines_only_in<'a>(ours: &'a str, theirs: &str) -> Vec<&'a str> {
    let theirs: Vec<&str> = theirs.lines().collect();
    ours.lines().filter(|l| !theirs.contains(l)).collect()
}

/// An Alpine runtime decided in the documents gets the Debian runtime's tasks and files, and
/// its final stage runs the same setup scripts; they differ from Debian's only in the BusyBox
/// and apk commands (no Alpine image can be pulled here: rendered and linted, not built).
#[test]
fn an_alpine_runtime_runs_the_setup_scripts_with_busybox_and_apk() {
    let debian = fixture();
    let alpine = fixture_on("alpine:3.20");
    let tasks = "specs/001-containerize-hello/tasks.md";
    for ws in [&debian, &alpine] {
        let stderr = ws.run(&["generate", "--feature", FEATURE]).ok();
        assert!(!stderr.contains("warning"), "{stderr}");
        let scaffold = ws.run(&["scaffold", "--feature", FEATURE]);
        let stderr = scaffold.ok();
        assert!(!stderr.contains("warning"), "{stderr}");
        assert_eq!(scaffold.statuses(), all("Created", &expected_files(ws)));
    }
    assert_eq!(
        alpine.read(tasks),
        debian
            .read(tasks)
            .replace("debian:bookworm-slim", "alpine:3.20")
    );
    let final_stage = |ws: &Workspace| {
        let dockerfile = ws.read("docker/Dockerfile");
        let at = dockerfile
            .find("FROM ${RUNTIME_IMAGE}\n")
            .expect("a final stage");
        dockerfile[at..].to_string()
    };
    let stage = final_stage(&alpine);
    assert_eq!(stage, final_stage(&debian));
    assert!(
        stage.contains(concat!(
            "COPY [\"docker/setup.sh\", \"/tmp/setup/setup.sh\"]\n",
            "COPY [\"docker/setup/scripts/\", \"/tmp/setup/scripts/\"]\n",
            "RUN sh /tmp/setup/setup.sh && rm -rf /tmp/setup\n",
        )),
        "{stage}"
    );
    let user = (
        "docker/setup/scripts/10-user.sh",
        &[
            "    addgroup -S -g 10001 app",
            "    adduser -S -D -H -u 10001 -G \"$group\" -h /nonexistent -s /sbin/nologin app",
        ][..],
        &[
            "    groupadd --system --gid 10001 app",
            "    useradd --system --uid 10001 --gid \"$group\" --no-create-home --home-dir /nonexistent \\",
            "        --shell /usr/sbin/nologin app",
        ][..],
    );
    let packages = (
        "docker/setup/scripts/20-packages.sh",
        &[
            "# The names are the documents' (Debian's), given to apk as they are: ca-certificates, tzdata, tini",
            "# and libssl3 are named alike in Alpine; a name apk does not know fails the build.",
            "    if ! apk info -e \"$package\" >/dev/null 2>&1; then",
            "apk add --no-cache $missing",
        ][..],
        &[
            "    if ! dpkg -s \"$package\" >/dev/null 2>&1; then",
            "apt-get update",
            "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing",
        ][..],
    );
    let cleanup = (
        "docker/setup/scripts/90-cleanup.sh",
        &["rm -rf /var/cache/apk/* /root/.cache"][..],
        &[
            "apt-get clean",
            "rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/lib/dpkg/*-old \\",
            "    /var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log /root/.cache",
        ][..],
    );
    for (script, alpine_only, debian_only) in [user, packages, cleanup] {
        let (on_alpine, on_debian) = (alpine.read(script), debian.read(script));
        assert_eq!(
            lines_only_in(&on_alpine, &on_debian),
            alpine_only,
            "{script}"
        );
        assert_eq!(
            lines_only_in(&on_debian, &on_alpine),
            debian_only,
            "{script}"
        );
    }
    assert!(alpine
        .read("docker/setup/scripts/20-packages.sh")
        .contains("\nset -- tini\n"));
    let readme = alpine.read("docker/README.md");
    assert!(
        readme.contains("On Alpine they use BusyBox and apk: `20-packages.sh` installs"),
        "{readme}"
    );
    assert!(!debian.read("docker/README.md").contains("On Alpine"));

    if tool_available("shellcheck", &["--version"]) {
        let scripts: Vec<String> = expected_files(&alpine)
            .into_iter()
            .filter(|f| f.ends_with(".sh"))
            .collect();
        assert_shellcheck_clean(alpine.root(), &scripts);
    }
    if tool_available("hadolint", &["--version"]) {
        assert_hadolint_clean(alpine.root(), "docker/Dockerfile");
    }
}

/// The static and musl builds name no architecture: each RUN that needs the target takes it
/// from the builder's rustc, so the image follows the platform it is built on. The rendered
/// commands run here against the real rustc give its host triple (musl for Alpine).
#[test]
fn static_and_musl_targets_follow_the_builders_platform() {
    let ws = fixture();
    let host = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    let host = String::from_utf8(host.stdout).unwrap();
    let host = host
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names its host")
        .to_string();
    let musl = host.replace("-gnu", "-musl");
    for builder in ["buildkit", "legacy"] {
        for (image, expected, runs) in [("scratch", &host, 2), ("alpine:3.20", &musl, 3)] {
            let args = [
                "scaffold",
                "--feature",
                FEATURE,
                "--force",
                "--builder",
                builder,
            ];
            ws.run(&[&args[..], &["--runtime-image", image]].concat())
                .ok();
            let dockerfile = ws.read("docker/Dockerfile");
            assert!(!dockerfile.contains("x86_64"), "{dockerfile}");
            assert!(
                dockerfile.contains(
                    "install -D -m 0755 target/\"$target\"/release/hello-svc /out/hello-svc"
                ) && dockerfile.contains("--bin hello-svc --target \"$target\""),
                "{dockerfile}"
            );
            let settings: Vec<String> = dockerfile
                .lines()
                .filter_map(|line| line.find("libdir=").map(|at| &line[at..]))
                .map(|line| {
                    let parts = line.split(" && ");
                    let assignment = |p: &&str| {
                        ["libdir=", "host=", "target="]
                            .iter()
                            .any(|v| p.starts_with(v))
                    };
                    let set = parts.take_while(assignment);
                    set.collect::<Vec<_>>().join(" && ")
                })
                .collect();
            let legacy_runs = usize::from(builder == "legacy");
            assert_eq!(settings.len(), runs + legacy_runs, "{dockerfile}");
            for setting in settings {
                let out = std::process::Command::new("sh")
                    .args(["-c", &format!("{setting} && printf %s \"$target\"")])
                    .output()
                    .unwrap();
                let target = String::from_utf8_lossy(&out.stdout);
                assert_eq!(&target, expected.as_str(), "{builder}, {image}: {setting}");
            }
        }
    }
}

fn expected_feature_name(ws: &Workspace) -> String {
    std::fs::read_dir(ws.path("specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(FEATURE))
        .expect("fixture feature 001")
}

#[test]
fn several_containers_get_a_directory_each_compose_and_shared() {
    let ws = multi_workspace();
    let run = ws.run(&["scaffold", "--feature", FEATURE]);
    run.ok();
    let created: Vec<String> = run
        .statuses()
        .into_iter()
        .map(|(verb, path)| {
            assert_eq!(verb, "Created", "{path}");
            path
        })
        .collect();
    for path in [
        "docker/api/Dockerfile",
        "docker/api/entrypoint.rs",
        "docker/worker/Dockerfile",
        "docker/worker/entrypoint.rs",
        "docker/compose.yaml",
        "docker/shared/README.md",
        "docker/test/run_all.sh",
    ] {
        assert!(
            created.iter().any(|c| c == path),
            "{path} not created: {created:?}"
        );
    }
    assert!(!ws.path("docker/Dockerfile").exists());
    let api = ws.read("docker/api/Dockerfile");
    assert!(
        api.contains("--bin demo-api") && api.contains("EXPOSE 3000/tcp"),
        "{api}"
    );
    let worker = ws.read("docker/worker/Dockerfile");
    assert!(
        worker.contains("--bin demo-worker") && !worker.contains("EXPOSE"),
        "{worker}"
    );
    let entrypoint = ws.read("docker/worker/entrypoint.rs");
    assert!(
        entrypoint.contains("DEMO_QUEUE") && !entrypoint.contains("DEMO_PORT"),
        "{entrypoint}"
    );

    let before = ws.snapshot();
    let again = ws.run(&["scaffold", "--feature", FEATURE]);
    again.ok();
    assert!(again.statuses().iter().all(|(verb, _)| verb == "Unchanged"));
    ws.assert_unchanged(&before, "a second run must not touch any file");

    if tool_available("shellcheck", &["--version"]) {
        let scripts: Vec<&String> = created.iter().filter(|p| p.ends_with(".sh")).collect();
        assert_shellcheck_clean(ws.root(), &scripts);
    }
    if tool_available("hadolint", &["--version"]) {
        for dockerfile in ["docker/api/Dockerfile", "docker/worker/Dockerfile"] {
            assert_hadolint_clean(ws.root(), dockerfile);
        }
    }
}

#[test]
fn a_missing_tool_fails_the_test_unless_the_developer_opts_out() {
    let refused = |result: Result<bool, Skip>| match result {
        Err(Skip::Refused(message)) => message,
        _ => panic!("expected a failure"),
    };
    let message = refused(missing_tool(false, "hadolint", &["--version"], None, false));
    assert_eq!(
        message,
        "`hadolint --version` does not succeed: this test needs hadolint (.ci/run installs it); \
         set CARGO_TASKS_TEST_SKIP=hadolint to skip the tests that need it"
    );
    // Another tool named does not excuse this one.
    refused(missing_tool(
        false,
        "docker",
        &["info"],
        Some("shellcheck,hadolint"),
        false,
    ));
    match missing_tool(
        false,
        "docker",
        &["info"],
        Some("shellcheck, docker"),
        false,
    ) {
        Err(Skip::Visibly(line)) => assert_eq!(
            line,
            "`docker info` does not succeed and CARGO_TASKS_TEST_SKIP names docker"
        ),
        _ => panic!("expected a visible skip"),
    }
    assert!(matches!(
        missing_tool(false, "docker", &["info"], Some("all"), false),
        Err(Skip::Visibly(_))
    ));
    let ci = refused(missing_tool(false, "docker", &["info"], Some("all"), true));
    assert!(ci.contains("CI=true requires docker"), "{ci}");
    assert!(matches!(
        missing_tool(true, "docker", &["info"], None, true),
        Ok(true)
    ));
    assert!(tool_available("sh", &["-c", "exit 0"]));
}

/// The ledger fixture's documents name PostgreSQL and Redis: compose.yaml
/// runs them beside the services with a health check and a named volume
/// each, the services wait for them healthy, connection variables name them
/// by service name, and the password is passed by variable only: a password
/// written in the documents reaches no generated file, and compose refuses
/// to start without one.
#[test]
fn backing_services_render_into_compose_wired_and_without_secrets() {
    let ws = Workspace::fixture("ledger");
    let quickstart = "specs/001-containerize-ledger/quickstart.md";
    let text = ws.read(quickstart);
    let planted = text.replace(
        "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
        "POSTGRES_PASSWORD: planted-Secret-42",
    );
    assert_ne!(planted, text);
    ws.write(quickstart, &planted);
    let run = ws.run(&["scaffold", "--feature", FEATURE]);
    run.ok();
    let created: Vec<String> = run.statuses().into_iter().map(|(_, path)| path).collect();
    assert!(created.contains(&"docker/test/compose_test.sh".to_string()));
    for path in &created {
        assert!(
            !ws.read(path).contains("planted-Secret-42"),
            "{path} holds the documents' password"
        );
    }
    if tool_available("shellcheck", &["--version"]) {
        let scripts: Vec<&String> = created.iter().filter(|p| p.ends_with(".sh")).collect();
        assert_shellcheck_clean(ws.root(), &scripts);
    }
    if !tool_available("docker", &["compose", "version"]) {
        return;
    }
    let config = |password: Option<&str>| {
        scaffold_support::compose_config(ws.root(), &[("POSTGRES_PASSWORD", password)])
    };
    let refused = config(None);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("set POSTGRES_PASSWORD"), "{said}");
    let accepted = config(Some("pw-1"));
    assert!(accepted.status.success(), "{accepted:?}");
    let json: serde_json::Value = serde_json::from_slice(&accepted.stdout).unwrap();
    let services = &json["services"];
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("{value}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        strings(&services["db"]["healthcheck"]["test"]),
        [
            "CMD",
            "pg_isready",
            "-h",
            "127.0.0.1",
            "-p",
            "5432",
            "-U",
            "ledger",
            "-d",
            "ledger"
        ]
    );
    assert_eq!(
        strings(&services["redis"]["healthcheck"]["test"]),
        ["CMD", "redis-cli", "-p", "6379", "ping"]
    );
    for (service, volume, path) in [
        ("db", "db-data", "/var/lib/postgresql/data"),
        ("redis", "redis-data", "/data"),
    ] {
        let mount = &services[service]["volumes"][0];
        assert_eq!(
            (
                mount["type"].as_str(),
                mount["source"].as_str(),
                mount["target"].as_str()
            ),
            (Some("volume"), Some(volume), Some(path)),
            "{json}"
        );
        assert!(json["volumes"][volume].is_object(), "{json}");
        assert!(
            services[service]["ports"].is_null(),
            "not published: {json}"
        );
    }
    let db_env = &services["db"]["environment"];
    assert_eq!(db_env["POSTGRES_PASSWORD"], "pw-1");
    assert_eq!(
        (
            db_env["POSTGRES_USER"].as_str(),
            db_env["POSTGRES_DB"].as_str()
        ),
        (Some("ledger"), Some("ledger"))
    );
    assert_eq!(
        services["api"]["environment"]["DATABASE_URL"],
        "postgres://ledger:pw-1@db:5432/ledger"
    );
    assert_eq!(
        services["worker"]["environment"]["REDIS_URL"],
        "redis://redis:6379"
    );
    for service in ["api", "worker"] {
        for backing in ["db", "redis"] {
            assert_eq!(
                services[service]["depends_on"][backing]["condition"], "service_healthy",
                "{service} waits for {backing}: {json}"
            );
        }
    }
}

/// Compose substitutes a password into a URL as it is. Where a wired URL
/// carries one, compose.yaml and docker/README.md say it must be URL-safe
/// and the tests' random passwords are hex; where the service reads the
/// database's password variable itself and the documents' URL shows none,
/// the URL leaves it out, so a password with `@ / : # % ?` reaches the
/// service and the database whole.
#[test]
fn a_password_the_service_reads_apart_stays_out_of_its_url() {
    let ws = Workspace::fixture("ledger");
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    let compose = ws.read("docker/compose.yaml");
    for line in [
        "      DATABASE_URL: \"postgres://ledger:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db:5432/ledger\"\n",
        "\n# digits, - . _ ~; no @ / : # % ? or space): POSTGRES_PASSWORD (in DATABASE_URL).\n",
    ] {
        assert!(compose.contains(line), "{line} not in:\n{compose}");
    }
    let readme = ws.read("docker/README.md");
    assert!(
        readme.contains("so the value of `POSTGRES_PASSWORD` (in `DATABASE_URL`)\nmust be URL-safe: letters, digits,"),
        "{readme}"
    );
    let lib = ws.read("docker/test/lib.sh");
    for line in [
        "    od -An -N16 -tx1 /dev/urandom | tr -d ' \\n'\n",
        "[ -n \"${POSTGRES_PASSWORD:-}\" ] || POSTGRES_PASSWORD=\"$(random_secret)\"\n",
    ] {
        assert!(lib.contains(line), "{line} not in:\n{lib}");
    }

    let configuration = "specs/001-containerize-ledger/configuration.md";
    let text = ws.read(configuration);
    let apart = text.replace(
        "| `DATABASE_URL` | |",
        "| `DATABASE_URL` | `postgres://ledger@localhost:5432/ledger` |",
    ) + "| `DB_PASSWORD` | | | api | password of the ledger user |\n";
    assert!(apart.contains("`postgres://ledger@localhost"), "{text}");
    ws.write(configuration, &apart);
    ws.run(&["scaffold", "--feature", FEATURE, "--force"]).ok();
    let compose = ws.read("docker/compose.yaml");
    for line in [
        "      DATABASE_URL: \"postgres://ledger@db:5432/ledger\"\n",
        "      DB_PASSWORD: \"${DB_PASSWORD:?set DB_PASSWORD}\"\n",
        "      POSTGRES_PASSWORD: \"${DB_PASSWORD:?set DB_PASSWORD}\"\n",
    ] {
        assert!(compose.contains(line), "{line} not in:\n{compose}");
    }
    assert!(!compose.contains("URL-safe"), "{compose}");
    assert!(!ws.read("docker/README.md").contains("URL-safe"));
    let lib = ws.read("docker/test/lib.sh");
    assert!(
        lib.contains(" -e DATABASE_URL=postgres://ledger@db:5432/ledger -e DB_PASSWORD=\"${DB_PASSWORD}\" ;;\n"),
        "the test containers get the password the database gets: {lib}"
    );
    if !tool_available("docker", &["compose", "version"]) {
        return;
    }
    let password = "p@ss/w:rd#50%?x";
    let output = scaffold_support::compose_config(ws.root(), &[("DB_PASSWORD", Some(password))]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let api = &json["services"]["api"]["environment"];
    assert_eq!(
        api["DATABASE_URL"], "postgres://ledger@db:5432/ledger",
        "{json}"
    );
    assert_eq!(api["DB_PASSWORD"], password, "{json}");
    assert_eq!(
        json["services"]["db"]["environment"]["POSTGRES_PASSWORD"],
        password
    );
}

/// Every kind of backing service compose.yaml knows (and one it does not)
/// renders into a file `docker compose config` accepts, each with its own
/// health check, data volume and credentials passed by variable.
#[test]
fn every_backing_kind_renders_into_a_file_compose_accepts() {
    let ws = Workspace::fixture("ledger");
    let kinds = [
        ("sql", "mysql:8", Some("mysqladmin")),
        ("maria", "mariadb:11", Some("healthcheck.sh")),
        ("docs", "mongo:7", Some("mongosh")),
        ("kv", "valkey/valkey:8", Some("valkey-cli")),
        ("broker", "rabbitmq:3", Some("rabbitmq-diagnostics")),
        ("memo", "memcached:1.6", None),
    ];
    let services: String = kinds
        .iter()
        .map(|(name, image, _)| format!("  {name}:\n    image: {image}\n"))
        .collect();
    ws.write(
        "specs/001-containerize-ledger/quickstart.md",
        &format!("# Quickstart\n\n```yaml\nservices:\n{services}```\n"),
    );
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    if !tool_available("docker", &["compose", "version"]) {
        return;
    }
    let secrets = [
        "MYSQL_PASSWORD",
        "MARIADB_PASSWORD",
        "MONGO_INITDB_ROOT_PASSWORD",
        "RABBITMQ_DEFAULT_PASS",
    ];
    let env: Vec<(&str, Option<&str>)> = secrets.iter().map(|s| (*s, Some("pw"))).collect();
    let output = scaffold_support::compose_config(ws.root(), &env);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for (name, _, health) in kinds {
        let service = &json["services"][name];
        let condition = &json["services"]["api"]["depends_on"][name]["condition"];
        match health {
            Some(command) => {
                assert_eq!(service["healthcheck"]["test"][1], command, "{json}");
                assert_eq!(service["volumes"][0]["source"], format!("{name}-data"));
                assert_eq!(condition, "service_healthy", "{json}");
            }
            None => {
                assert!(service["healthcheck"].is_null() && service["volumes"].is_null());
                assert_eq!(condition, "service_started", "{json}");
            }
        }
    }
    for secret in secrets {
        let refused = scaffold_support::compose_config(
            ws.root(),
            &env.iter()
                .map(|(name, value)| (*name, value.filter(|_| *name != secret)))
                .collect::<Vec<_>>(),
        );
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(&format!("set {secret}")), "{said}");
    }
}

#[test]
fn container_files_go_where_the_plans_chosen_tree_option_puts_them() {
    let ws = Workspace::fixture("placed");
    ws.run(&["generate", "--feature", "003"]).ok();
    let stderr = ws.run(&["scaffold", "--feature", "003"]).ok();
    assert!(!stderr.contains("which does not exist"), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    for placed in [
        "backend/Dockerfile",
        "backend/entrypoint.rs",
        "deploy/docker/sweeper/Dockerfile",
        "deploy/docker/compose.yaml",
        "deploy/docker/test/run_all.sh",
    ] {
        assert!(ws.path(placed).is_file(), "{placed} was not written");
    }
    for never in ["docker", "src", "api", "tests"] {
        assert!(
            !ws.path(never).exists(),
            "{never}/ comes from an unchosen option"
        );
    }
    let compose = ws.read("deploy/docker/compose.yaml");
    assert!(
        compose.contains("      context: \"../..\"\n      dockerfile: \"backend/Dockerfile\"\n"),
        "{compose}"
    );
    let lib = ws.read("deploy/docker/test/lib.sh");
    assert!(lib.contains("$(cd \"$TEST_DIR\"/../../.. && pwd)"), "{lib}");
    let tasks = ws.read("specs/003-ledger-images/tasks.md");
    assert!(
        tasks.contains("New file the plan's source tree marks in backend/src/health.rs"),
        "{tasks}"
    );
}

/// The shell scripts only an image with a shell runs, as paths and task texts name them.
fn names_a_shell_script(text: &str) -> bool {
    [
        "setup.sh",
        "setup/",
        "entrypoint.d",
        "Setup scripts",
        "Runtime scripts",
    ]
    .iter()
    .any(|name| text.contains(name))
}

/// The corpus feature whose research decides distroless cc (no shell) and its
/// nonroot UID: generate's tasks name no setup or entrypoint.d script and put
/// the user and the system dependencies in the Dockerfile; scaffold writes
/// every file those tasks name and no script the image would never run;
/// `check` finds nothing; scripts an older scaffold left are kept.
#[test]
fn a_runtime_without_a_shell_gets_no_shell_script_tasks_or_files() {
    let ws = corpus_workspace("research-distroless-nonroot", "quote-svc");
    let generate = ws.run(&["generate", "--feature", FEATURE]);
    let stderr = generate.ok();
    assert!(!stderr.contains("warning"), "{stderr}");
    let tasks = ws.read("specs/001-research-distroless-nonroot/tasks.md");
    let lines: Vec<&str> = tasks.lines().filter(|l| l.starts_with("- [ ] T")).collect();
    assert_eq!(lines.len(), 25, "{tasks}");
    for line in [
        "- [ ] T003 Provide system dependencies without a package manager: copy what the runtime image lacks from the builder stage (Primary Dependencies: std only) in docker/Dockerfile",
        "- [ ] T005 Apply research decision — run as the distroless nonroot account, UID 65532 and GID 65532 — in docker/Dockerfile",
        "- [ ] T010 Logging and monitoring setup (logs to stdout/stderr) in docker/entrypoint.rs",
        "- [ ] T017 Security hardening (non-root user, permissions) in docker/Dockerfile",
    ] {
        assert!(lines.contains(&line), "missing {line:?} in\n{tasks}");
    }
    let scripts: Vec<&&str> = lines.iter().filter(|l| names_a_shell_script(l)).collect();
    assert!(scripts.is_empty(), "{scripts:#?}");

    let scaffold = ws.run(&["scaffold", "--feature", FEATURE]);
    let stderr = scaffold.ok();
    assert!(!stderr.contains("warning"), "{stderr}");
    let created: Vec<String> = scaffold.statuses().into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        created,
        [
            ".dockerignore",
            "docker/Dockerfile",
            "docker/README.md",
            "docker/entrypoint.rs",
            "docker/test/build_test.sh",
            "docker/test/entrypoint_test.sh",
            "docker/test/health_test.sh",
            "docker/test/lib.sh",
            "docker/test/performance_test.sh",
            "docker/test/run_all.sh",
            "docker/test/security_test.sh",
        ]
    );
    for dead in ["docker/setup.sh", "docker/setup", "docker/entrypoint.d"] {
        assert!(!ws.path(dead).exists(), "{dead}");
    }
    let dockerfile = ws.read("docker/Dockerfile");
    assert!(dockerfile.contains("\nUSER 65532:65532\n"), "{dockerfile}");
    let check = ws.run(&["check", "--feature", FEATURE]);
    let stderr = check.ok();
    assert!(
        stderr.contains("(25 tasks, 0 errors, 0 warnings)"),
        "{stderr}"
    );

    // Scripts from an older version (or the user's own) are never deleted.
    let old = "#!/bin/sh\necho mine\n";
    for file in [
        "docker/setup.sh",
        "docker/entrypoint.d/scripts/10-config-summary.sh",
    ] {
        ws.write(file, old);
    }
    let again = ws.run(&["scaffold", "--feature", FEATURE]);
    let stderr = again.ok();
    for file in [
        "docker/setup.sh",
        "docker/entrypoint.d/scripts/10-config-summary.sh",
    ] {
        assert_eq!(ws.read(file), old, "{file}");
    }
    let unused: Vec<&str> = stderr.lines().filter(|l| l.contains("Unused")).collect();
    assert_eq!(
        unused,
        [
            "      Unused docker/setup.sh (kept: the runtime image `gcr.io/distroless/cc-debian12` has no shell to run it)",
            "      Unused docker/entrypoint.d/ (kept: the runtime image `gcr.io/distroless/cc-debian12` has no shell to run it)",
        ],
        "{stderr}"
    );
    assert!(again.statuses().iter().all(|(verb, _)| verb == "Unchanged"));
}

/// Runtime packages a plan asks for on an image without a package manager
/// are a warning naming the plan's line, and the task says where they come
/// from instead; never dropped in silence.
#[test]
fn runtime_packages_on_an_image_without_a_shell_are_a_warning_and_a_task() {
    let ws = fixture();
    let plan = "specs/001-containerize-hello/plan.md";
    let text = ws.read(plan);
    assert!(text
        .lines()
        .nth(15)
        .unwrap()
        .starts_with("**Primary Dependencies**: hello-svc (workspace crate); tini"));
    ws.write(
        plan,
        &text.replace(
            "debian:bookworm-slim (runtime)",
            "gcr.io/distroless/cc-debian12 (runtime)",
        ),
    );
    let warning = "warning: specs/001-containerize-hello/plan.md:16: runtime packages tini cannot be installed: the runtime image `gcr.io/distroless/cc-debian12` has no shell or package manager; copy them from the builder stage in the Dockerfile or choose a runtime image with a package manager";
    let stderr = ws.run(&["generate", "--feature", FEATURE]).ok();
    assert!(stderr.lines().any(|l| l == warning), "{stderr}");
    let tasks = ws.read("specs/001-containerize-hello/tasks.md");
    let line = "- [ ] T003 Copy runtime packages tini from the builder stage or choose a runtime image with a package manager: this one cannot install them (Primary Dependencies: hello-svc (workspace crate); tini; Build Requirements: cargo) in docker/Dockerfile";
    assert!(tasks.lines().any(|l| l == line), "{tasks}");
    let stderr = ws.run(&["scaffold", "--feature", FEATURE]).ok();
    assert!(stderr.lines().any(|l| l == warning), "{stderr}");
    assert!(!ws.path("docker/setup").exists());

    // The same plan on Debian installs them: no warning.
    let debian = fixture();
    let stderr = debian.run(&["generate", "--feature", FEATURE]).ok();
    assert!(!stderr.contains("cannot be installed"), "{stderr}");
    // scaffold's --runtime-image is warned about as the plan's image is.
    let stderr = debian
        .run(&[
            "scaffold",
            "--feature",
            FEATURE,
            "--runtime-image",
            "scratch",
        ])
        .ok();
    assert!(
        stderr.contains("plan.md:16: runtime packages tini cannot be installed: the runtime image `scratch` has no shell"),
        "{stderr}"
    );
}
