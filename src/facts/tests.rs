use super::*;
use crate::spec::plan::parse_plan;

const PLAN: &str = "# Plan: shop\n\n## Technical Context\n**Language/Version**: Rust 1.80\n";

fn facts(docs: &[(&str, &str)]) -> Facts {
    facts_with_plan(PLAN, docs)
}

fn facts_with_plan(plan: &str, docs: &[(&str, &str)]) -> Facts {
    let mut documents = Documents::new(parse_plan(plan).expect("plan parses"));
    for (name, text) in docs {
        if name.starts_with("contracts/") {
            let extension = name.rsplit('.').next().unwrap_or("");
            let contract = crate::spec::contracts::parse_contract(name, extension, text);
            documents.contracts.push(contract);
        } else {
            documents = documents.with_text(name, text);
        }
    }
    Facts::build(&documents, &[])
}

/// `file:line: message` per warning.
fn located(warnings: &[Diagnostic]) -> Vec<String> {
    warnings
        .iter()
        .map(|w| format!("{}: {}", w.location(), w.message))
        .collect()
}

fn env_names(facts: &Facts) -> Vec<&str> {
    facts.env.iter().map(|v| v.name.as_str()).collect()
}

#[test]
fn decisions_in_every_form_with_topics() {
    let text = "# Research\n\n## Base image\n**Decision**: `debian:bookworm-slim` at runtime\n\n## Auth\nDecision: use the `jwt-simple` crate for tokens\n\n### Decision: Probe `GET /readyz`\n\n## Decision\n\nA static musl build is not needed.\n\n## UI\n**Chosen**: server-rendered pages\n";
    let f = facts(&[("research.md", text)]);
    let got: Vec<(&str, Topic, usize)> = f
        .decisions
        .iter()
        .map(|d| (d.text.as_str(), d.topic, d.source.line))
        .collect();
    assert_eq!(
        got,
        [
            ("debian:bookworm-slim at runtime", Topic::Dockerfile, 4),
            ("use the jwt-simple crate for tokens", Topic::Other, 7),
            ("Probe GET /readyz", Topic::Healthcheck, 9),
            ("A static musl build is not needed.", Topic::Dockerfile, 13),
            ("server-rendered pages", Topic::Other, 16),
        ]
    );
    assert_eq!(
        f.images.runtime.as_ref().unwrap().value,
        "debian:bookworm-slim"
    );
    assert_eq!(f.health[0].path, "/readyz");
}

#[test]
fn a_decision_wrapped_onto_the_next_lines_is_read_whole() {
    let text = "# Research\n\n## Runtime\n**Decision**: run on\n`gcr.io/distroless/cc-debian12` as the\nnonroot user\n**Rationale**: small\n\nDecision: probe\n`GET /healthz`\nRationale: cheap\n";
    let f = facts(&[("research.md", text)]);
    let got: Vec<(&str, usize)> = f
        .decisions
        .iter()
        .map(|d| (d.text.as_str(), d.source.line))
        .collect();
    assert_eq!(
        got,
        [
            (
                "run on gcr.io/distroless/cc-debian12 as the nonroot user",
                4
            ),
            ("probe GET /healthz", 9),
        ]
    );
    assert_eq!(
        f.images.runtime.as_ref().unwrap().value,
        "gcr.io/distroless/cc-debian12"
    );
    assert_eq!(f.health[0].path, "/healthz");
}

#[test]
fn decision_records_take_the_selected_approach_never_an_alternative() {
    let text = "# Research\n\n### Decision: Runtime base\n- **Context**: glibc binary\n- **Alternatives Considered**:\n  1. `alpine:3.20`\n  2. `debian:trixie-slim` listens on port 9001\n- **Selected Approach**: `gcr.io/distroless/cc-debian12`\n- **Rationale**: no shell\n\n### Decision 2: Builder\n\n**Choice**: `rust:1.84-slim-bookworm`\n\n**Alternatives**:\n- **`rust:1.84-alpine`**: musl\n\n```dockerfile\nFROM ubuntu:24.04\nEXPOSE 9002\n```\n\n**Rationale**: same Debian release.\n\n### Decision 3 - Drop the sidecar\n\nLogs go to stdout.\n\n## Probes\n\n**Decision**: keep probes cheap  \n**Alternatives considered**: `GET /status` on port 9003  \n**Selected approach**: `GET /livez`\n\n## Alternatives Considered\n\n```dockerfile\nFROM fedora:40\nEXPOSE 9004\n```\n\n## Ports\n\nThe service listens on port 4100.\n";
    let f = facts(&[("research.md", text)]);
    let got: Vec<(&str, usize)> = f
        .decisions
        .iter()
        .map(|d| (d.text.as_str(), d.source.line))
        .collect();
    assert_eq!(
        got,
        [
            ("gcr.io/distroless/cc-debian12", 8),
            ("rust:1.84-slim-bookworm", 13),
            ("Drop the sidecar", 25),
            ("keep probes cheap", 31),
            ("GET /livez", 33),
        ]
    );
    let image = |fact: &Option<Fact<String>>| fact.as_ref().map(|f| f.value.clone());
    assert_eq!(
        (image(&f.images.builder), image(&f.images.runtime)),
        (
            Some("rust:1.84-slim-bookworm".to_string()),
            Some("gcr.io/distroless/cc-debian12".to_string())
        )
    );
    let ports: Vec<u16> = f.ports.iter().map(|p| p.port).collect();
    assert_eq!(ports, [4100]);
    let health: Vec<&str> = f.health.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(health, ["/livez"]);
}

#[test]
fn environment_variables_in_every_form_upper_snake_only() {
    let configuration = "# Configuration\n\n| Name | Required | Default | Description |\n|---|---|---|---|\n| `JWT_SECRET` | yes | - | signing key |\n| `HTTP_PORT` | no | `8080` | listener |\n| `not_a_var` | no | x | lower case |\n\n- **LOG_LEVEL**: verbosity (default: info)\n- `CACHE_TTL`: seconds, default `60`\n  - `SHORT`: a nested value, not a variable\n";
    let quickstart = "# Quickstart\n\n## Run\n```bash\ndocker run -e API_TOKEN=abc --env REGION=eu -p 9000:8080 shop\ncurl \"http://localhost:${HOST_PORT:-9000}/health\"\n```\n\n## Database\n```bash\ndocker run -d -e POSTGRES_PASSWORD=pw -p 5432:5432 postgres:16\n```\n";
    let design = "# Dockerfile\n```dockerfile\nFROM rust:1.80-slim AS build\nFROM debian:bookworm-slim\nENV RUST_LOG=info\nEXPOSE 8080\n```\n";
    let f = facts(&[
        ("configuration.md", configuration),
        ("quickstart.md", quickstart),
        ("dockerfile-design.md", design),
    ]);
    assert_eq!(
        env_names(&f),
        [
            "JWT_SECRET",
            "HTTP_PORT",
            "LOG_LEVEL",
            "CACHE_TTL",
            "RUST_LOG",
            "HOST_PORT",
            "API_TOKEN",
            "REGION"
        ]
    );
    let jwt = &f.env[0];
    assert!(jwt.secret && jwt.required && jwt.default.is_none());
    assert_eq!(f.env[2].default.as_deref(), Some("info"));
    assert_eq!(f.env[3].default.as_deref(), Some("60"));
    assert_eq!(f.env[4].default.as_deref(), Some("info"));
    assert_eq!(f.env[5].default.as_deref(), Some("9000"));
    assert!(f.env[6].secret, "API_TOKEN is a secret by name");
    assert!(
        !env_names(&f).contains(&"POSTGRES_PASSWORD"),
        "backing service's own"
    );
    let ports: Vec<u16> = f.ports.iter().map(|p| p.port).collect();
    assert_eq!(ports, [8080]);
    assert_eq!(f.backing[0].image, "postgres:16");
    assert_eq!(f.backing[0].ports, [5432]);
    assert_eq!(
        f.backing[0].settings,
        [("POSTGRES_PASSWORD".to_string(), None)]
    );
    assert_eq!(f.health[0].path, "/health");
    assert_eq!(f.images.builder.as_ref().unwrap().value, "rust:1.80-slim");
    assert_eq!(
        f.images.runtime.as_ref().unwrap().value,
        "debian:bookworm-slim"
    );
    assert_eq!(f.stages.len(), 0);
}

#[test]
fn compose_snippets_split_own_and_backing_services() {
    let text = "# Quickstart\n\n```yaml\nservices:\n  api:\n    build: .\n    ports:\n      - \"8081:8080\"\n    environment:\n      DATABASE_URL: postgres://db/app\n      - not: valid\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/healthz\"]\n  db:\n    image: postgres:16-alpine\n    environment:\n      - POSTGRES_PASSWORD=secret\n      - POSTGRES_USER=shop\n      - POSTGRES_DB=${SHOP_DB}\n    ports: [\"5432:5432\"]\n```\n";
    let f = facts(&[("quickstart.md", text)]);
    assert_eq!(env_names(&f), ["DATABASE_URL"]);
    assert_eq!(f.env[0].services, ["api"]);
    assert_eq!(f.ports[0].port, 8080);
    assert_eq!(f.ports[0].service.as_deref(), Some("api"));
    assert_eq!(f.health[0].path, "/healthz");
    assert_eq!(f.health[0].service.as_deref(), Some("api"));
    assert_eq!(f.backing.len(), 1);
    assert_eq!(
        (f.backing[0].name.as_str(), f.backing[0].ports.as_slice()),
        ("db", &[5432][..])
    );
    assert_eq!(
        f.backing[0].settings,
        [
            ("POSTGRES_PASSWORD".to_string(), None),
            ("POSTGRES_USER".to_string(), Some("shop".to_string())),
            ("POSTGRES_DB".to_string(), None),
        ],
        "a secret's value and a shell reference are never kept"
    );
}

#[test]
fn plan_fields_give_images_ports_health_user_and_goals() {
    let plan = "# Plan\n\n## Container Technical Context\n**Base Image Strategy**: `rust:1.75-slim` to build and `gcr.io/distroless/cc` at runtime\n**Network Requirements**: api listens on 8080; worker none\n**Health Monitoring**: HTTP `GET /health` on the api\n**Security Profile**: user `svc`, UID 2000\n**Image Size Goals**: under 80 MB\n**Resource Constraints**: <256MB RAM\n\n```text\ndocker/\n├── api/\n└── worker/\n```\n";
    let f = {
        let docs = Documents::new(parse_plan(plan).expect("plan parses"));
        Facts::build(&docs, &["api".into(), "worker".into()])
    };
    assert_eq!(f.images.builder.as_ref().unwrap().value, "rust:1.75-slim");
    assert_eq!(
        f.images.runtime.as_ref().unwrap().value,
        "gcr.io/distroless/cc"
    );
    assert_eq!(f.ports_for(&["api"]), [8080]);
    assert!(f.ports_for(&["worker"]).is_empty());
    assert_eq!(f.health_for(&["greeter-api"]).unwrap().path, "/health");
    let user = f.user.as_ref().unwrap();
    assert_eq!((user.uid, user.name.as_deref()), (Some(2000), Some("svc")));
    assert_eq!(f.goals.image_size_mb.as_ref().unwrap().value, 80);
    assert_eq!(f.goals.memory_mb.as_ref().unwrap().value, 256);
    assert!(f.about_containers());
}

#[test]
fn precedence_decides_and_warns_naming_both_places() {
    let plan =
        "# Plan\n\n## Technical Context\n**Base Image Strategy**: debian:bookworm-slim (runtime)\n";
    let research = "# Research\n\n## Runtime image\n**Decision**: alpine:3.20\n";
    let configuration = "| Variable | Default |\n|---|---|\n| `APP_PORT` | `8080` |\n";
    let quickstart = "# Q\n\n## Run\n```sh\nexport X=${APP_PORT:-9090}\n```\n";
    let f = facts_with_plan(
        plan,
        &[
            ("research.md", research),
            ("configuration.md", configuration),
            ("quickstart.md", quickstart),
        ],
    );
    assert_eq!(
        f.images.runtime.as_ref().unwrap().value,
        "debian:bookworm-slim"
    );
    assert_eq!(f.env[0].default.as_deref(), Some("8080"));
    assert_eq!(
        located(&f.warnings),
        [
            "quickstart.md:5: APP_PORT default: `9090` here disagrees with `8080` at configuration.md:3; using configuration.md:3 (document precedence)",
            "research.md:4: runtime image: `alpine:3.20` here disagrees with `debian:bookworm-slim` at plan.md:4; using plan.md:4 (document precedence)",
        ]
    );
}

#[test]
fn entities_in_every_form_and_non_entities_rejected() {
    let text = "# Data Model\n\nEntities:\n- **Supplier**: who ships\n- warehouse: where it sits\n\n## Overview\n### Not this\n\n## Entities\n\n### 1. User\n#### Fields\n- id\n\n### Entity: Order\n\n### Invoice (billing record)\n\n## Container Entity: Image\n\n## Entity Summary\n| Entity | Purpose |\n|---|---|\n| `Stock` | counts |\n\n## Relationships\n## Validation Rules\n## State Transitions\n## Performance Characteristics\n## User Story 1\n## Conclusion\n";
    let f = facts(&[("data-model.md", text)]);
    let names: Vec<&str> = f.entities.iter().map(|e| e.value.as_str()).collect();
    assert_eq!(
        names,
        [
            "Supplier",
            "warehouse",
            "User",
            "Order",
            "Invoice",
            "Image",
            "Stock"
        ]
    );
}

#[test]
fn quickstart_scenarios_are_runnable_steps_only() {
    let text = "# Quickstart\n\n## Prerequisites\n```bash\nrustup update\n```\n\n## Scenario 1: Build the image\n```bash\ndocker build -t shop .\n```\n\n## 2. Check health\n1. Start it: `docker run -d -p 8080:8080 shop`\n2. Probe: `curl -f http://localhost:8080/health`\n   Expected: `200 OK`\n\n## Manual check\nOpen the page and look.\n\n## Troubleshooting\n```bash\ndocker logs shop\n```\n\n## Next Steps\n- read more\n";
    let f = facts(&[("quickstart.md", text)]);
    let got: Vec<(&str, usize, Option<&str>)> = f
        .scenarios
        .iter()
        .map(|s| (s.title.as_str(), s.commands.len(), s.expected.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("Build the image", 1, None),
            ("Check health", 2, Some("200 OK"))
        ]
    );
}

#[test]
fn openapi_health_paths_and_servers_give_health_and_ports() {
    let openapi = "openapi: 3.0.0\nservers:\n  - url: http://localhost:7000\npaths:\n  /livez:\n    get:\n      responses:\n        '200': {}\n";
    let markdown = "# API\n\n- `GET /healthz` → 200\n- `POST /orders` → 201\n";
    let f = facts(&[
        ("contracts/api.yaml", openapi),
        ("contracts/http.md", markdown),
    ]);
    assert_eq!(f.ports[0].port, 7000);
    let paths: Vec<&str> = f.health.iter().map(|h| h.path.as_str()).collect();
    assert!(paths.contains(&"/healthz"), "{paths:?}");
}

#[test]
fn a_document_that_yields_nothing_is_a_note_not_a_warning() {
    let f = facts(&[
        ("research.md", "# Research\n\nWe looked at a few things.\n"),
        ("data-model.md", "# Data model\n\n## Overview\n"),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(
        located(&f.notes),
        [
            "research.md:1: no decisions found",
            "data-model.md:1: no entities found"
        ]
    );
}

#[test]
fn looked_for_and_not_found_is_kept() {
    let f = facts(&[]);
    let kinds: Vec<&str> = f.missing.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            "env",
            "ports",
            "health",
            "images",
            "entities",
            "decisions",
            "scenarios",
            "user"
        ]
    );
    assert!(!f.about_containers());
}

#[test]
fn every_reader_survives_random_markdown_soup() {
    const PIECES: [&str; 56] = [
        "# ",
        "## ",
        "### ",
        "**",
        "`",
        "```",
        "```yaml\n",
        "```dockerfile\n",
        "\n",
        "\n\n",
        "| ",
        "|---",
        "- ",
        "1. ",
        "  ",
        "<!--",
        "-->",
        "├── ",
        "└── ",
        "Decision",
        ": ",
        "Entities",
        "services:\n",
        "  api:\n",
        "    ports:\n",
        "      - ",
        "8080:80",
        "-p ",
        "-e ",
        "FROM ",
        "EXPOSE ",
        "ENV ",
        "${A_B:-",
        "}",
        "curl http://x:1/health",
        "é",
        "docker run ",
        "PORT",
        "\t",
        "→",
        "## Source Code\n```text\n",
        "# [REMOVE IF UNUSED] Option 1: ",
        "# Option 2: multi",
        "**Structure Decision**: ",
        "option 2",
        "# NEW",
        "(new)",
        "← new",
        "Root/",
        "container1/",
        "../",
        "/srv/",
        ".git/",
        "Dockerfile",
        "docker/",
        "- **Selected Approach**: ",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..120 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
        }
        let names = [
            "research.md",
            "data-model.md",
            "quickstart.md",
            "configuration.md",
            "dockerfile-design.md",
            "spec.md",
            "contracts/a.yaml",
            "contracts/b.md",
        ];
        let docs: Vec<(&str, &str)> = names.iter().map(|n| (*n, text.as_str())).collect();
        let plan = format!("# P\n## Technical Context\n**A**: b\n{text}");
        let _ = facts_with_plan(&plan, &docs);
        let binaries = ["a", "b-api"].map(|name| crate::layout::Binary {
            name,
            package: name,
            dir: name.to_string(),
        });
        let _ = crate::layout::decide(&parse_plan(&plan).expect("plan parses"), &binaries);
    }
}

#[test]
fn a_research_decision_naming_a_uid_decides_the_runtime_user() {
    let research = "# Research\n\n## R2: Runtime user\n\n**Decision**: run as the distroless `nonroot` account, UID 65532 and GID 65532.\n\n## R3: Ports\n\n**Decision**: publish with `-p 8080:8080` for local runs.\n";
    let user = facts(&[("research.md", research)]).user.unwrap();
    assert_eq!(
        (user.uid, user.gid, user.name.as_deref()),
        (Some(65532), Some(65532), None)
    );
    assert_eq!(user.source.to_string(), "research.md:5");
    let ports_only = "# Research\n\n**Decision**: publish with `-p 8080:8080` for local runs.\n";
    assert_eq!(facts(&[("research.md", ports_only)]).user, None);
    let plan = "# Plan\n\n## Technical Context\n**Security Profile**: non-root, UID 10001\n";
    let both = facts_with_plan(plan, &[("research.md", research)]);
    assert_eq!(both.user.unwrap().uid, Some(10001), "plan.md wins");
}

#[test]
fn constraints_stated_in_descriptions_and_bullets_are_kept() {
    let research = "# Research\n\n| Name | Required | Default | Meaning |\n|---|---|---|---|\n| `NOTES_PORT` | no | `8080` | TCP port, 1-65535 |\n| `NOTES_LOG_LEVEL` | no | `info` | one of `error`, `warn`, `info` |\n| `NOTES_API_TOKEN` | yes | - | bearer token on write requests |\n\n- `QUOTE_PORT`: listening port, default `7070`; must be an integer 1-65535.\n- `QUOTE_LANGUAGE`: default `en`; one of `en`, `fr`, `de`.\n- `QUOTE_MOTD`: shown on the port's index page, default `hi`.\n";
    let f = facts(&[("research.md", research)]);
    let constraints: Vec<(&str, Option<&str>)> = f
        .env
        .iter()
        .map(|v| (v.name.as_str(), v.constraint.as_deref()))
        .collect();
    assert_eq!(
        constraints,
        [
            ("NOTES_PORT", Some("TCP port, 1-65535")),
            ("NOTES_LOG_LEVEL", Some("one of error, warn, info")),
            ("NOTES_API_TOKEN", None),
            ("QUOTE_PORT", Some("must be an integer 1-65535")),
            ("QUOTE_LANGUAGE", Some("one of en, fr, de")),
            ("QUOTE_MOTD", None),
        ]
    );
}

#[test]
fn goals_stated_among_spec_kit_performance_goals_and_constraints() {
    let plan = "# Plan\n\n## Technical Context\n**Performance Goals**: p95 under 200 ms; healthy within 2 s of `docker run`\n**Constraints**: final image < 40 MB, no shell at runtime, 512 MB RAM per node\n";
    let goals = facts_with_plan(plan, &[]).goals;
    assert_eq!(goals.startup_seconds.unwrap().value, 2);
    assert_eq!(goals.image_size_mb.unwrap().value, 40);
    let unrelated = "# Plan\n\n## Technical Context\n**Performance Goals**: 1000 req/s, p99 < 50 ms\n**Constraints**: <100 MB memory\n";
    let goals = facts_with_plan(unrelated, &[]).goals;
    assert_eq!((goals.startup_seconds, goals.image_size_mb), (None, None));
}
