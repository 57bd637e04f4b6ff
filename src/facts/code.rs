//! Facts in code: Dockerfile snippets (`FROM`, `EXPOSE`, `ENV`,
//! `HEALTHCHECK`), compose snippets (`services:` with `image:`/`build:`,
//! `ports:`, `environment:`), shell commands (`docker run -p/-e`, `curl
//! …/health`, `${VAR:-x}`), in fenced blocks and in inline code spans.
//! Containers of well-known backing images (postgres, redis, …) are backing
//! services: their ports and variables are theirs, not the feature's.

use super::collect::Collector;
use super::env::{is_env_name, named};
use super::values::{is_builder_part, is_toolchain_image, looks_like_image};
use super::{Backing, Fact, Health, Port, Source};
use crate::spec::markdown::{Block, CodeBlock, CodeLine, Document, Style};

/// Images of services a feature runs beside its own.
const BACKING_IMAGES: [&str; 16] = [
    "postgres",
    "postgis/postgis",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey/valkey",
    "memcached",
    "rabbitmq",
    "nats",
    "minio/minio",
    "elasticsearch",
    "localstack/localstack",
    "bitnami/kafka",
    "confluentinc/cp-kafka",
    "jaegertracing/all-in-one",
];

/// Whether `path` is a health endpoint (`/health`, `/api/healthz`, `/livez`, `/readyz`, …).
pub fn is_health_path(path: &str) -> bool {
    const WORDS: [&str; 9] = [
        "health",
        "healthz",
        "healthcheck",
        "livez",
        "readyz",
        "liveness",
        "readiness",
        "live",
        "ready",
    ];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    path.split('/')
        .any(|segment| WORDS.contains(&segment.to_ascii_lowercase().as_str()))
}

pub fn is_backing_image(image: &str) -> bool {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    let name = name
        .strip_prefix("docker.io/")
        .unwrap_or(name)
        .trim_start_matches("library/");
    BACKING_IMAGES.contains(&name)
}

pub fn read(file: &str, doc: &Document, out: &mut Collector) {
    for block in &doc.blocks {
        match block {
            Block::Code(code) => snippet(file, code, out),
            Block::Paragraph(paragraph) => {
                for line in &paragraph.lines {
                    for span in line.spans.iter().filter(|s| s.style == Style::Code) {
                        if looks_like_command(&span.text) {
                            command(file, &span.text, line.line, out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn looks_like_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "docker" | "podman" | "curl" | "wget" | "http" | "nerdctl"
    ) || text.contains("${")
}

fn snippet(file: &str, code: &CodeBlock, out: &mut Collector) {
    let info = code.info.to_ascii_lowercase();
    if info == "yaml" || info == "yml" || is_compose(&code.lines) {
        if is_compose(&code.lines) {
            compose(file, &code.lines, out);
        }
        return;
    }
    if matches!(
        info.as_str(),
        "json" | "toml" | "rust" | "python" | "go" | "js" | "ts"
    ) {
        return;
    }
    let dockerfile = info == "dockerfile"
        || info == "docker"
        || code.lines.iter().any(|l| {
            l.text
                .trim_start()
                .to_ascii_uppercase()
                .starts_with("FROM ")
        });
    if dockerfile {
        dockerfile_lines(file, &code.lines, out);
    } else {
        for (text, line) in logical_lines(&code.lines) {
            command(file, &text, line, out);
        }
    }
}

/// Lines joined at trailing backslashes, comments and prompts dropped.
fn logical_lines(lines: &[CodeLine]) -> Vec<(String, usize)> {
    let mut joined: Vec<(String, usize)> = Vec::new();
    let mut open = false;
    for line in lines {
        let text = line.text.trim();
        let text = text
            .strip_prefix("$ ")
            .or_else(|| text.strip_prefix("> "))
            .unwrap_or(text);
        let (body, continues) = match text.strip_suffix('\\') {
            Some(body) => (body.trim_end(), true),
            None => (text, false),
        };
        match joined.last_mut() {
            Some((current, _)) if open => {
                current.push(' ');
                current.push_str(body);
            }
            _ if body.starts_with('#') || body.is_empty() => {
                open = false;
                continue;
            }
            _ => joined.push((body.to_string(), line.line)),
        }
        open = continues;
    }
    joined
}

/// The words of a shell line, quotes removed (no expansion).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// One shell command: `docker run` flags, `curl` health URLs, `${VAR:-x}`.
fn command(file: &str, text: &str, line: usize, out: &mut Collector) {
    let at = Source::new(file, line);
    defaults_in(text, &at, out);
    for part in text.split(['|', ';']).flat_map(|p| p.split("&&")) {
        let words = shell_words(part);
        match words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["docker" | "podman" | "nerdctl", "run", rest @ ..] => run(rest, &at, out),
            ["curl" | "wget" | "http", rest @ ..] => fetch(rest, &at, out),
            _ => {}
        }
    }
}

/// `${VAR:-default}` and `${VAR:=default}`.
fn defaults_in(text: &str, at: &Source, out: &mut Collector) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let inner = &rest[..end];
        if let Some((name, default)) = inner.split_once(":-").or_else(|| inner.split_once(":=")) {
            if is_env_name(name) {
                let mut var = named(name, at.clone());
                if !var.secret && !default.is_empty() {
                    var.default = Some(default.to_string());
                }
                out.env.push(var);
            }
        }
        rest = &rest[end..];
    }
}

/// `docker run` arguments: `-p H:C`, `-e VAR=x`/`--env`, the image.
fn run(args: &[&str], at: &Source, out: &mut Collector) {
    const WITH_VALUE: [&str; 12] = [
        "--name",
        "-v",
        "--volume",
        "--network",
        "--net",
        "-w",
        "--workdir",
        "--user",
        "-u",
        "--entrypoint",
        "--env-file",
        "--mount",
    ];
    let mut ports = Vec::new();
    let mut vars = Vec::new();
    let mut image = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ => (arg, None),
        };
        let value = |i: &mut usize| {
            inline.map(str::to_string).or_else(|| {
                *i += 1;
                args.get(*i).map(|v| v.to_string())
            })
        };
        match flag {
            "-p" | "--publish" => ports.extend(value(&mut i).and_then(|v| published_port(&v))),
            "-e" | "--env" => vars.extend(value(&mut i)),
            f if WITH_VALUE.contains(&f) => {
                value(&mut i);
            }
            f if f.starts_with('-') => {}
            _ => {
                image = Some(arg.to_string());
                break;
            }
        }
        i += 1;
    }
    if let Some(image) = image.filter(|image| is_backing_image(image)) {
        let settings = vars
            .iter()
            .filter_map(|assignment| assignment.split_once('='))
            .map(|(name, value)| (name.to_string(), value.to_string()));
        out.backing.push(Backing {
            name: backing_name(&image),
            image,
            ports,
            settings: backing_settings(settings),
            source: at.clone(),
        });
        return;
    }
    for port in ports {
        out.ports.push(Port {
            port,
            service: None,
            source: at.clone(),
        });
    }
    for assignment in vars {
        let name = assignment.split('=').next().unwrap_or("");
        if is_env_name(name) {
            out.env.push(named(name, at.clone()));
        }
    }
}

/// A backing container's variables, without the values of secrets and of `${…}` references.
fn backing_settings(
    pairs: impl Iterator<Item = (String, String)>,
) -> Vec<(String, Option<String>)> {
    pairs
        .filter(|(name, _)| is_env_name(name))
        .map(|(name, value)| {
            let kept = !super::env::is_secret_name(&name) && !value.contains('$');
            (name, Some(value).filter(|_| kept))
        })
        .collect()
}

fn backing_name(image: &str) -> String {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    name.rsplit('/').next().unwrap_or(name).to_string()
}

/// The container side of `-p 8081:8080`, `127.0.0.1:8081:8080/tcp` or `8080`.
fn published_port(value: &str) -> Option<u16> {
    let value = value.split('/').next()?;
    let port = value.rsplit(':').next()?;
    port.parse().ok().filter(|p| *p > 0)
}

/// `curl http://localhost:8080/health`: a health endpoint.
fn fetch(args: &[&str], at: &Source, out: &mut Collector) {
    let method = args
        .windows(2)
        .find(|pair| pair[0] == "-X" || pair[0] == "--request")
        .map_or("GET", |pair| pair[1]);
    if method != "GET" {
        return;
    }
    for url in args.iter().filter(|a| a.contains("://")) {
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]))
            .unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or(path);
        if is_health_path(path) {
            out.health.push(Health {
                method: "GET".to_string(),
                path: path.to_string(),
                status: 200,
                port: None,
                service: None,
                source: at.clone(),
            });
        }
    }
}

/// `FROM`, `EXPOSE`, `ENV` and `HEALTHCHECK` lines of a Dockerfile snippet.
fn dockerfile_lines(file: &str, lines: &[CodeLine], out: &mut Collector) {
    let logical = logical_lines(lines);
    let froms: Vec<(String, Option<String>, usize)> = logical
        .iter()
        .filter_map(|(text, line)| {
            let words = shell_words(text);
            let [from, image, rest @ ..] = words.as_slice() else {
                return None;
            };
            if !from.eq_ignore_ascii_case("FROM") {
                return None;
            }
            let image = image
                .split_whitespace()
                .find(|w| !w.starts_with("--"))
                .unwrap_or(image)
                .to_string();
            let alias = match rest {
                [r#as, alias, ..] if r#as.eq_ignore_ascii_case("AS") => Some(alias.to_lowercase()),
                _ => None,
            };
            Some((image, alias, *line))
        })
        .collect();
    let aliases: Vec<String> = froms.iter().filter_map(|(_, a, _)| a.clone()).collect();
    let last = froms.len().saturating_sub(1);
    for (index, (image, alias, line)) in froms.iter().enumerate() {
        if aliases.contains(&image.to_lowercase()) || !looks_like_image(image) {
            continue;
        }
        let role = alias.as_deref().unwrap_or("");
        let builder = if froms.len() > 1 {
            index < last
        } else {
            is_builder_part(role, image) || is_toolchain_image(image)
        };
        let fact = Fact {
            value: image.clone(),
            source: Source::new(file, *line),
        };
        if builder {
            out.builder.push(fact);
        } else {
            out.runtime.push(fact);
        }
    }
    for (text, line) in &logical {
        let at = Source::new(file, *line);
        let words = shell_words(text);
        let Some((keyword, args)) = words.split_first() else {
            continue;
        };
        match keyword.to_ascii_uppercase().as_str() {
            "EXPOSE" => {
                for port in args.iter().filter_map(|a| published_port(a)) {
                    out.ports.push(Port {
                        port,
                        service: None,
                        source: at.clone(),
                    });
                }
            }
            "ENV" => env_instruction(args, &at, out),
            "HEALTHCHECK" => {
                let command: Vec<&str> = args
                    .iter()
                    .skip_while(|a| !a.eq_ignore_ascii_case("CMD"))
                    .skip(1)
                    .map(|a| a.trim_matches(['[', ']', ',', '"']))
                    .collect();
                if let Some(at_curl) = command.iter().position(|w| matches!(*w, "curl" | "wget")) {
                    fetch(&command[at_curl + 1..], &at, out);
                }
            }
            _ => {}
        }
    }
}

/// `ENV A=1 B=2` or the legacy `ENV A 1`: variables with defaults.
fn env_instruction(args: &[String], at: &Source, out: &mut Collector) {
    let pairs: Vec<(String, Option<String>)> = if args.iter().all(|a| a.contains('=')) {
        args.iter()
            .filter_map(|a| a.split_once('='))
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect()
    } else {
        args.first()
            .map(|k| {
                (
                    k.clone(),
                    Some(args[1..].join(" ")).filter(|v| !v.is_empty()),
                )
            })
            .into_iter()
            .collect()
    };
    for (name, value) in pairs {
        if !is_env_name(&name) {
            continue;
        }
        let mut var = named(&name, at.clone());
        if !var.secret {
            var.default = value.filter(|v| !v.contains('$'));
        }
        out.env.push(var);
    }
}

fn is_compose(lines: &[CodeLine]) -> bool {
    lines
        .iter()
        .any(|l| l.text.trim_end() == "services:" && !l.text.starts_with(' '))
}

/// A compose snippet's services: ours (`build:`) give ports and variables;
/// those of backing images become backing services.
fn compose(file: &str, lines: &[CodeLine], out: &mut Collector) {
    for service in compose_services(lines) {
        let at = Source::new(file, service.line);
        match service.image.as_deref() {
            Some(image) if service.build.is_none() => {
                if is_backing_image(image) {
                    let settings = service
                        .environment
                        .iter()
                        .map(|(name, value, _)| (name.clone(), value.clone()));
                    out.backing.push(Backing {
                        name: service.name.clone(),
                        image: image.to_string(),
                        ports: service.ports.iter().map(|(p, _)| *p).collect(),
                        settings: backing_settings(settings),
                        source: at,
                    });
                }
            }
            _ => {
                for (port, line) in &service.ports {
                    out.ports.push(Port {
                        port: *port,
                        service: Some(service.name.clone()),
                        source: Source::new(file, *line),
                    });
                }
                for (name, value, line) in &service.environment {
                    let mut var = named(name, Source::new(file, *line));
                    var.services = vec![service.name.clone()];
                    defaults_in(value, &var.source, out);
                    out.env.push(var);
                }
                for (path, line) in &service.health {
                    out.health.push(Health {
                        method: "GET".to_string(),
                        path: path.clone(),
                        status: 200,
                        port: None,
                        service: Some(service.name.clone()),
                        source: Source::new(file, *line),
                    });
                }
            }
        }
    }
}

#[derive(Default)]
struct ComposeService {
    name: String,
    line: usize,
    image: Option<String>,
    build: Option<String>,
    ports: Vec<(u16, usize)>,
    environment: Vec<(String, String, usize)>,
    health: Vec<(String, usize)>,
}

/// An indentation reader for the compose keys that matter (snippets are
/// often partial, so a strict YAML parser would refuse many of them).
fn compose_services(lines: &[CodeLine]) -> Vec<ComposeService> {
    let mut services: Vec<ComposeService> = Vec::new();
    let mut in_services = false;
    let mut service_level = None;
    let mut property_level = None;
    let mut key = String::new();
    for line in lines {
        let text = line.text.split(" #").next().unwrap_or("").trim_end();
        let body = text.trim();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = text.len() - text.trim_start().len();
        if indent == 0 {
            in_services = body == "services:";
            service_level = None;
            continue;
        }
        if !in_services {
            continue;
        }
        let level = *service_level.get_or_insert(indent);
        if indent <= level {
            if let Some(name) = body.strip_suffix(':').filter(|_| indent == level) {
                property_level = None;
                services.push(ComposeService {
                    name: name.trim_matches(['"', '\'']).to_string(),
                    line: line.line,
                    ..ComposeService::default()
                });
            }
            continue;
        }
        let Some(service) = services.last_mut() else {
            continue;
        };
        if indent == *property_level.get_or_insert(indent) {
            let (name, value) = body.split_once(':').unwrap_or((body, ""));
            key = name.trim().to_string();
            let value = value.trim().trim_matches(['"', '\'']);
            match key.as_str() {
                "image" => service.image = Some(value.to_string()),
                "build" => service.build = Some(value.to_string()),
                "ports" => {
                    for item in value.trim_matches(['[', ']']).split(',') {
                        let item = item.trim().trim_matches(['"', '\'']);
                        if let Some(port) = published_port(item) {
                            service.ports.push((port, line.line));
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        let item = body
            .strip_prefix("- ")
            .map(|i| i.trim().trim_matches(['"', '\'']));
        match key.as_str() {
            "ports" => {
                if let Some(port) = item.and_then(published_port) {
                    service.ports.push((port, line.line));
                }
            }
            "environment" => {
                let pair = match item {
                    Some(item) => item.split_once('=').or(Some((item, ""))),
                    None => body.split_once(':'),
                };
                if let Some((name, value)) = pair {
                    let name = name.trim();
                    if is_env_name(name) {
                        let value = value.trim().trim_matches(['"', '\'']).to_string();
                        service
                            .environment
                            .push((name.to_string(), value, line.line));
                    }
                }
            }
            "healthcheck" => health_test(body, line.line, service),
            _ => {}
        }
    }
    services
}

fn health_test(text: &str, line: usize, service: &mut ComposeService) {
    for word in shell_words(&text.replace([',', '[', ']'], " ")) {
        if let Some(path) = word
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|at| rest[at..].to_string()))
        {
            if is_health_path(&path) {
                service.health.push((path, line));
            }
        }
    }
}

/// "listens on port 8080", "exposes port 9090" in running text.
pub fn read_prose(file: &str, doc: &Document, out: &mut Collector) {
    if file == crate::spec::PLAN {
        return;
    }
    for block in &doc.blocks {
        let Block::Paragraph(paragraph) = block else {
            continue;
        };
        for line in &paragraph.lines {
            for port in prose_ports(&line.text()) {
                out.ports.push(Port {
                    port,
                    service: None,
                    source: Source::new(file, line.line),
                });
            }
        }
    }
}

fn prose_ports(text: &str) -> Vec<u16> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || ",()`;".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut ports = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let verb = matches!(
            *word,
            "listens"
                | "listen"
                | "listening"
                | "exposes"
                | "expose"
                | "exposing"
                | "serves"
                | "binds"
        );
        if !verb {
            continue;
        }
        let rest = &words[i + 1..words.len().min(i + 5)];
        let number = rest
            .iter()
            .find(|w| {
                !matches!(**w, "on" | "to" | "at" | "tcp" | "http" | "the")
                    && !w.starts_with("port")
            })
            .map(|w| w.trim_end_matches(['.', ':']).trim_start_matches(':'))
            .and_then(|w| w.split('/').next())
            .and_then(|w| w.parse::<u16>().ok())
            .filter(|p| *p > 0);
        let said_port = rest.iter().any(|w| w.starts_with("port"))
            || rest.first().is_some_and(|w| w.starts_with(':'));
        if let Some(port) = number.filter(|_| said_port) {
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
    }
    ports
}
