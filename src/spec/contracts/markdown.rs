//! Markdown (and plain-text) contracts, read through the shared Markdown
//! reader: a request starts at `METHOD /path` in a heading, a text line, a
//! code line (`GET /x HTTP/1.1`, `curl -X POST http://host/x`) or a row of an
//! endpoint table (method and path columns); what follows it up to the next
//! request or enclosing heading documents it: status codes ("Response:
//! `201 Created`", "returns 404", `HTTP/1.1 200 OK`, a status table),
//! credentials ("Auth: Bearer token", an `Authorization:` header, a 401) and
//! its body (a JSON code block after a "Request" line). An OpenAPI document
//! in a YAML or JSON code block is read as one.

use super::openapi::url_port;
use super::openapi::{percent_encode, success_status, url_path};
use super::tree;
use super::{Body, Request, Server};
use crate::spec::markdown::{Block, CodeBlock, Document, Table, TextLine};

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Every request of a Markdown contract, each (method, path) once, and the
/// servers it names (a `Base URL: http://host:port/path` line, an embedded
/// OpenAPI document's `servers`).
pub fn read(text: &str) -> (Vec<Request>, Vec<Server>) {
    let doc = Document::parse(text);
    let mut reader = Reader::default();
    for (enclosing, block) in doc.walk() {
        let depth = enclosing.last().map_or(0, |h| h.level);
        match block {
            Block::Heading(heading) => {
                reader.heading(heading.level, &heading.text, heading.line);
            }
            Block::Paragraph(paragraph) => {
                for line in &paragraph.lines {
                    reader.text_line(line, depth);
                }
            }
            Block::Table(table) => reader.table(table, depth),
            Block::Code(code) => reader.code(code, depth),
        }
    }
    reader.finish()
}

/// A request being read, with what its section says so far.
struct Open {
    method: String,
    path: String,
    line: usize,
    /// The heading level that ends its section (a heading at or above it).
    level: u8,
    statuses: Vec<u16>,
    auth: Option<bool>,
    /// A "Request"/"Body" label was seen: the next JSON code block is the body.
    body_label: bool,
    body: Option<Body>,
}

#[derive(Default)]
struct Reader {
    open: Option<Open>,
    done: Vec<Open>,
    /// Document-level facts, from lines before the first request.
    auth: Option<bool>,
    base: String,
    servers: Vec<Server>,
    embedded: Vec<Request>,
}

impl Reader {
    fn heading(&mut self, level: u8, text: &str, line: usize) {
        if self.open.as_ref().is_some_and(|open| level <= open.level) {
            self.close();
        }
        let found = endpoints(text);
        for (method, path, _) in &found {
            self.start(method, path, line, level);
        }
        if found.is_empty() {
            self.statuses(text);
        }
    }

    fn text_line(&mut self, line: &TextLine, depth: u8) {
        let text = line.text();
        let found = endpoints(&text);
        if found.is_empty() {
            self.describe(&text, line.line);
            return;
        }
        for (method, path, rest) in found {
            self.start(&method, &path, line.line, depth);
            self.statuses(&rest);
            self.auth_words(&rest);
        }
    }

    fn table(&mut self, table: &Table, depth: u8) {
        let method = table.column(|h| h == "method" || h == "verb" || h == "http method");
        let path = table.column(|h| {
            ["path", "endpoint", "route", "url", "uri", "resource"]
                .iter()
                .any(|w| h.contains(w))
        });
        let status = table.column(|h| {
            ["status", "response", "code", "returns"]
                .iter()
                .any(|w| h.contains(w))
        });
        let auth = table.column(|h| h.contains("auth"));
        if method.is_none() && path.is_none() {
            if let Some(status) = status {
                for row in &table.rows {
                    self.statuses(row.cell(status));
                }
            }
            return;
        }
        for row in &table.rows {
            let request = match (method, path) {
                (Some(m), Some(p)) => endpoints(&format!("{} {}", row.cell(m), row.cell(p))),
                (None, Some(p)) => endpoints(row.cell(p)),
                _ => Vec::new(),
            };
            for (verb, target, rest) in request {
                self.start(&verb, &target, row.line, depth);
                self.statuses(&rest);
                for (i, cell) in row.cells.iter().enumerate() {
                    if Some(i) != method && Some(i) != path && Some(i) != status {
                        self.statuses(cell);
                    }
                }
                if let Some(status) = status {
                    self.statuses(&format!("status {}", row.cell(status)));
                }
                if let (Some(auth), Some(open)) = (auth, &mut self.open) {
                    open.auth = auth_value(row.cell(auth)).or(open.auth);
                }
            }
        }
        // A row is the whole section of its request.
        self.close();
    }

    fn code(&mut self, code: &CodeBlock, depth: u8) {
        let text: String = code.lines.iter().map(|l| format!("{}\n", l.text)).collect();
        if matches!(code.info.as_str(), "yaml" | "yml" | "json" | "")
            && (text.contains("openapi:")
                || text.contains("\"openapi\"")
                || text.contains("swagger"))
        {
            self.embedded_api(code, &text);
            return;
        }
        let json_body = self
            .open
            .as_ref()
            .is_some_and(|open| open.body_label && open.body.is_none());
        if json_body && matches!(text.trim_start().chars().next(), Some('{' | '[')) {
            let example = serde_json::from_str::<serde_json::Value>(&text).ok();
            if let Some(open) = &mut self.open {
                open.body = Some(Body {
                    required: true,
                    media_type: "application/json".to_string(),
                    example: example.map(|value| value.to_string()),
                });
                open.body_label = false;
            }
            return;
        }
        for line in &code.lines {
            let words = line.text.trim();
            if let Some(rest) = words.strip_prefix("curl ") {
                if let Some((method, path)) = curl(rest) {
                    self.start(&method, &path, line.line, depth);
                    self.auth_words(rest);
                }
                continue;
            }
            let found = endpoints(words);
            match found.first() {
                Some((method, path, _)) if words.starts_with(method.as_str()) => {
                    self.start(method, path, line.line, depth);
                }
                _ => {
                    if words.starts_with("HTTP/") {
                        self.statuses(&format!(
                            "status {}",
                            words.split_once(' ').map_or("", |(_, r)| r)
                        ));
                    }
                    self.auth_words(words);
                }
            }
        }
    }

    /// An OpenAPI document inside a code block, its lines shifted to the block's.
    fn embedded_api(&mut self, code: &CodeBlock, text: &str) {
        let first = code.lines.first().map_or(code.line, |l| l.line);
        let parsed = if text.trim_start().starts_with('{') {
            tree::parse_json(text)
        } else {
            tree::parse_yaml(text)
        };
        let Some(api) = parsed
            .ok()
            .flatten()
            .as_ref()
            .and_then(super::openapi::read)
        else {
            return;
        };
        self.close();
        for mut server in api.servers {
            server.line += first - 1;
            self.servers.push(server);
        }
        for mut request in api.requests {
            request.line += first - 1;
            self.embedded.push(request);
        }
    }

    /// A line inside a request's section, or a document-level line before any.
    fn describe(&mut self, text: &str, line: usize) {
        let lower = text.to_lowercase();
        if self.open.is_none() && self.done.is_empty() {
            if let Some(value) = field_value(
                &lower,
                &["auth", "authentication", "authorization", "security"],
            ) {
                self.auth = auth_value(value);
            }
            if let Some(value) = field_value(text, &["base path", "base url", "base"]) {
                let value = value.trim().trim_matches('`').trim();
                self.base = url_path(value);
                if value.contains("://") {
                    self.servers.push(Server {
                        url: value.to_string(),
                        port: url_port(value),
                        line,
                    });
                }
            }
            return;
        }
        self.statuses(text);
        self.auth_words(text);
        if let Some(open) = &mut self.open {
            let label = lower.split(':').next().unwrap_or_default();
            if ["request", "body", "payload"]
                .iter()
                .any(|w| label.contains(w))
                && !label.contains("response")
            {
                open.body_label = true;
                if ["no request body", "no body", ": none", "not required"]
                    .iter()
                    .any(|w| lower.contains(w))
                {
                    open.body_label = false;
                }
            } else if label.contains("response") {
                open.body_label = false;
            }
        }
    }

    fn statuses(&mut self, text: &str) {
        if let Some(open) = &mut self.open {
            for code in status_codes(text) {
                if !open.statuses.contains(&code) {
                    open.statuses.push(code);
                }
            }
        }
    }

    /// Credentials named in a line of a request's section.
    fn auth_words(&mut self, text: &str) {
        let Some(open) = &mut self.open else { return };
        let lower = text.to_lowercase();
        if lower.contains("authorization: ")
            || lower.contains("bearer ")
            || lower.contains("x-api-key")
        {
            open.auth = Some(true);
        } else if let Some(value) = field_value(
            &lower,
            &["auth", "authentication", "authorization", "security"],
        ) {
            open.auth = auth_value(value).or(open.auth);
        }
    }

    fn start(&mut self, method: &str, path: &str, line: usize, level: u8) {
        self.close();
        self.open = Some(Open {
            method: method.to_string(),
            path: path.to_string(),
            line,
            level: level.max(1),
            statuses: Vec::new(),
            auth: None,
            body_label: false,
            body: None,
        });
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            self.done.push(open);
        }
    }

    fn finish(mut self) -> (Vec<Request>, Vec<Server>) {
        self.close();
        let mut requests: Vec<Request> = Vec::new();
        let all = self
            .done
            .iter()
            .map(|open| self.request(open))
            .chain(self.embedded.iter().cloned());
        for request in all {
            if !requests
                .iter()
                .any(|r| r.method == request.method && r.path == request.path)
            {
                requests.push(request);
            }
        }
        requests.sort_by_key(|r| r.line);
        (requests, self.servers)
    }

    fn request(&self, open: &Open) -> Request {
        let mut statuses = open.statuses.clone();
        statuses.sort_unstable();
        let auth = open.auth.or(self.auth).unwrap_or(false) || statuses.contains(&401);
        let (path, query) = open.path.split_once('?').unwrap_or((&open.path, ""));
        let mut target = fill(path);
        if !self.base.is_empty() && !target.starts_with(&self.base) {
            target = format!("{}{target}", self.base);
        }
        if !query.is_empty() {
            target = format!("{target}?{}", fill_query(query));
        }
        Request {
            method: open.method.clone(),
            path: open.path.clone(),
            target,
            status: success_status(&statuses),
            statuses,
            auth,
            body: open.body.clone(),
            line: open.line,
        }
    }
}

/// Every `METHOD /path` (or `METHOD http://host/path`) in `text`, with the
/// text that follows it up to the next one.
fn endpoints(text: &str) -> Vec<(String, String, String)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "`*|,()[]".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found: Vec<(String, String, usize)> = Vec::new();
    for (i, pair) in words.windows(2).enumerate() {
        let [method, target] = pair else { continue };
        let method = method.trim_end_matches(':');
        if !METHODS.contains(&method) {
            continue;
        }
        if let Some(path) = request_path(target) {
            found.push((method.to_string(), path, i + 2));
        }
    }
    let ends: Vec<usize> = found
        .iter()
        .skip(1)
        .map(|(_, _, at)| at - 2)
        .chain(std::iter::once(words.len()))
        .collect();
    found
        .into_iter()
        .zip(ends)
        .map(|((method, path, from), to)| {
            let rest = words.get(from..to.max(from)).unwrap_or_default().join(" ");
            (method, path, rest)
        })
        .collect()
}

/// The path of a request target: `/x`, or the path of `http://host:port/x`.
fn request_path(target: &str) -> Option<String> {
    let target = target.trim_end_matches(['.', ':', ';', '"', '\'']);
    let path = if target.starts_with("http://") || target.starts_with("https://") {
        let rest = target.split_once("://")?.1;
        let at = rest.find('/')?;
        &rest[at..]
    } else {
        target
    };
    let valid = path.starts_with('/')
        && !path.starts_with("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-._~{}:<>?&=%$+@!".contains(c));
    valid.then(|| path.to_string())
}

/// `curl [-X METHOD] [options] URL` → the method and path.
fn curl(args: &str) -> Option<(String, String)> {
    let words: Vec<&str> = args
        .split_whitespace()
        .map(|w| w.trim_matches(['"', '\'']))
        .collect();
    let mut method = None;
    let mut path = None;
    for (i, word) in words.iter().enumerate() {
        if *word == "-X" || *word == "--request" {
            method = words.get(i + 1).map(|m| m.to_uppercase());
        } else if let Some(m) = word.strip_prefix("-X") {
            method = Some(m.to_uppercase());
        } else if word.starts_with("http://") || word.starts_with("https://") {
            path = request_path(word).or(Some("/".to_string()));
        } else if ["-d", "--data", "--data-raw", "--json", "-F"].contains(word) && method.is_none()
        {
            method = Some("POST".to_string());
        }
    }
    let method = method.unwrap_or_else(|| "GET".to_string());
    METHODS
        .contains(&method.as_str())
        .then_some((method, path?))
}

/// The path with `{name}`, `:name` and `<name>` segments replaced by `1`.
fn fill(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let param = (segment.starts_with('{') && segment.ends_with('}'))
                || (segment.starts_with('<') && segment.ends_with('>'))
                || (segment.starts_with(':') && segment.len() > 1);
            if param {
                "1".to_string()
            } else {
                segment.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A written query with placeholder values (`q=<query>`, `id={id}`) replaced by `1`.
fn fill_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if value.starts_with(['<', '{']) || value.is_empty() => {
                format!("{}=1", percent_encode(name))
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of a `Name: value` line whose name is one of `names` (lower case).
fn field_value<'t>(text: &'t str, names: &[&str]) -> Option<&'t str> {
    let (name, value) = text.split_once(':')?;
    let name = name
        .trim()
        .trim_start_matches(['-', '*', ' '])
        .trim()
        .to_lowercase();
    names.contains(&name.as_str()).then_some(value.trim())
}

/// "required", "Bearer token", "yes", "🔒" → true; "none", "public", "no", "🔓" → false.
fn auth_value(value: &str) -> Option<bool> {
    let lower = value.trim().to_lowercase();
    let first = lower
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    if lower.contains('🔓')
        || [
            "none",
            "no",
            "public",
            "anonymous",
            "optional",
            "false",
            "n/a",
        ]
        .contains(&first)
        || lower.contains("not required")
        || lower.contains("no auth")
    {
        return Some(false);
    }
    let yes = [
        "required", "bearer", "jwt", "token", "api key", "apikey", "oauth", "basic", "yes", "true",
        "session", "admin",
    ];
    (lower.contains('🔒')
        || lower.contains('✓')
        || lower.contains('✅')
        || yes.iter().any(|w| lower.contains(w)))
    .then_some(true)
}

/// Words that make a nearby three-digit number a status code.
const STATUS_WORDS: [&str; 22] = [
    "status",
    "response",
    "responses",
    "returns",
    "return",
    "returning",
    "answers",
    "answer",
    "answered",
    "responds",
    "respond",
    "replies",
    "reply",
    "code",
    "codes",
    "http",
    "→",
    "->",
    "=>",
    "with",
    "errors",
    "error",
];
/// First words of the standard reason phrases.
const REASONS: [&str; 33] = [
    "ok",
    "created",
    "accepted",
    "no",
    "non-authoritative",
    "reset",
    "partial",
    "multiple",
    "moved",
    "found",
    "see",
    "not",
    "temporary",
    "permanent",
    "bad",
    "unauthorized",
    "unauthorised",
    "payment",
    "forbidden",
    "method",
    "conflict",
    "gone",
    "length",
    "precondition",
    "payload",
    "unsupported",
    "unprocessable",
    "locked",
    "too",
    "internal",
    "service",
    "gateway",
    "request",
];
/// Units after a number that is a quantity, not a status.
const UNITS: [&str; 24] = [
    "ms",
    "s",
    "sec",
    "secs",
    "second",
    "seconds",
    "minute",
    "minutes",
    "mb",
    "kb",
    "gb",
    "bytes",
    "chars",
    "characters",
    "items",
    "requests",
    "rps",
    "%",
    "times",
    "users",
    "records",
    "rows",
    "entries",
    "per",
];

/// The HTTP status codes a line names.
pub fn status_codes(text: &str) -> Vec<u16> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || "`*|,()[]—–:;.".contains(c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut codes = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let Some(code) = word
            .parse::<u16>()
            .ok()
            .filter(|c| word.len() == 3 && (100..=599).contains(c))
        else {
            continue;
        };
        let next = words.get(i + 1).map(String::as_str);
        if next.is_some_and(|n| UNITS.contains(&n)) {
            continue;
        }
        let before = i
            .checked_sub(1)
            .and_then(|b| words.get(b))
            .map(String::as_str);
        let status = i == 0
            || next.is_some_and(|n| REASONS.contains(&n))
            || before.is_some_and(|b| {
                STATUS_WORDS.contains(&b) || b.starts_with("http/") || b.ends_with("xx")
            })
            || (before.is_some_and(|b| {
                b == "or" || b == "and" || b.parse::<u16>().is_ok_and(|b| codes.contains(&b))
            }) && !codes.is_empty());
        if status && !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests(text: &str) -> Vec<Request> {
        read(text).0
    }

    fn summary(text: &str) -> Vec<(String, String, u16, Vec<u16>, bool, usize)> {
        requests(text)
            .into_iter()
            .map(|r| (r.method, r.target, r.status, r.statuses, r.auth, r.line))
            .collect()
    }

    fn row(
        m: &str,
        t: &str,
        s: u16,
        all: &[u16],
        auth: bool,
        line: usize,
    ) -> (String, String, u16, Vec<u16>, bool, usize) {
        (m.into(), t.into(), s, all.to_vec(), auth, line)
    }

    #[test]
    fn inline_requests_with_their_statuses() {
        let text = "# Health\n\n`GET /healthz` on the service port answers 200 with body `ok`.\n\n- Unknown paths: `GET /missing` answers 404.\n- Answers within 100 ms; no authentication.\n";
        assert_eq!(
            summary(text),
            [
                row("GET", "/healthz", 200, &[200], false, 3),
                row("GET", "/missing", 404, &[404], false, 5)
            ]
        );
    }

    #[test]
    fn heading_sections_with_fields_errors_and_bodies() {
        let text = "# Orders\n\n**Auth**: bearer token required for every call.\n\n## POST /orders\n\n**Request**:\n\n```json\n{\"sku\": \"A1\", \"qty\": 2}\n```\n\n**Response**: `201 Created`\n\n```json\n{\"id\": \"x\"}\n```\n\n**Errors**:\n- `400 Bad Request`: invalid\n- `401 Unauthorized`: no token\n\n## GET /orders/{id}\n\n**Auth**: none\n\n**Response**: `200 OK`\n";
        let found = requests(text);
        assert_eq!(found.len(), 2);
        let post = &found[0];
        assert_eq!(
            (post.status, post.statuses.clone(), post.auth, post.line),
            (201, vec![201, 400, 401], true, 5)
        );
        assert_eq!(
            post.body.as_ref().and_then(|b| b.example.as_deref()),
            Some(r#"{"qty":2,"sku":"A1"}"#)
        );
        let get = &found[1];
        assert_eq!(
            (get.target.as_str(), get.auth, get.status),
            ("/orders/1", false, 200)
        );
        assert!(get.body.is_none());
    }

    #[test]
    fn endpoint_tables() {
        let text = "| Method | Path | Status | Auth |\n|---|---|---|---|\n| GET | `/v1/things` | 200 | no |\n| DELETE | `/v1/things/:id` | 204, 404 | yes |\n";
        assert_eq!(
            summary(text),
            [
                row("GET", "/v1/things", 200, &[200], false, 3),
                row("DELETE", "/v1/things/1", 204, &[204, 404], true, 4)
            ]
        );
        let text =
            "| Endpoint | Description |\n|---|---|\n| `POST /login` | returns 200 or 401 |\n";
        assert_eq!(
            summary(text),
            [row("POST", "/login", 200, &[200, 401], true, 3)]
        );
    }

    #[test]
    fn code_blocks_http_and_curl() {
        let text = "# Probe\n\n```http\nGET /ready HTTP/1.1\nHost: x\n\nHTTP/1.1 503 Service Unavailable\n```\n\n```bash\ncurl -fsS -X PUT http://localhost:8080/cache/flush -H 'Authorization: Bearer t'\n```\n";
        assert_eq!(
            summary(text),
            [
                row("GET", "/ready", 503, &[503], false, 4),
                row("PUT", "/cache/flush", 200, &[], true, 11)
            ]
        );
    }

    #[test]
    fn embedded_openapi() {
        let text = "# API\n\n```yaml\nopenapi: 3.0.0\npaths:\n  /ping:\n    get:\n      responses:\n        '204': {description: pong}\n```\n";
        assert_eq!(summary(text), [row("GET", "/ping", 204, &[204], false, 7)]);
    }

    #[test]
    fn numbers_that_are_not_statuses() {
        assert!(status_codes("Answers within 100 ms; at most 500 items; port 808").is_empty());
        assert_eq!(status_codes("returns 200 with 300 items"), [200]);
        assert_eq!(status_codes("- 404: not here"), [404]);
        assert_eq!(status_codes("Response 200 or 206"), [200, 206]);
    }

    #[test]
    fn base_path_and_query_placeholders() {
        let text = "**Base URL**: `http://localhost:8000/api/v1`\n\n- `GET /search?q=<query>&page=2`\n- `GET /api/v1/status`\n";
        let targets: Vec<String> = requests(text).into_iter().map(|r| r.target).collect();
        assert_eq!(targets, ["/api/v1/search?q=1&page=2", "/api/v1/status"]);
    }
}
