//! OpenAPI 3 and Swagger 2 documents (already parsed into a `tree::Node`):
//! every operation becomes a request with example path values, required
//! query parameters, its documented statuses, whether it needs credentials
//! and the body a test could send; `servers` (Swagger: `host`, `basePath`)
//! become servers and give the base path of every request.

use super::tree::{Entry, Node};
use super::{Body, Format, Request, Server};

pub struct Api {
    pub format: Format,
    pub requests: Vec<Request>,
    pub servers: Vec<Server>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// `$ref` hops followed before giving up (a cycle, or a chain no one writes).
const MAX_REF_HOPS: usize = 8;
/// Schema levels an example is built through.
const MAX_SCHEMA_DEPTH: usize = 12;

/// The API `root` describes, or `None` when it is not an OpenAPI or Swagger document.
pub fn read(root: &Node) -> Option<Api> {
    let format = if root.get("swagger").is_some() {
        Format::Swagger
    } else if root.get("openapi").is_some()
        || root
            .get("paths")
            .is_some_and(|paths| paths.entries().iter().any(|e| e.key.starts_with('/')))
    {
        Format::OpenApi
    } else {
        return None;
    };
    let servers = match format {
        Format::Swagger => swagger_servers(root),
        _ => openapi_servers(root),
    };
    let base = servers
        .first()
        .map(|server| url_path(&server.url))
        .unwrap_or_default();
    let doc = Doc { root, format };
    let mut requests: Vec<Request> = Vec::new();
    for path in root.get("paths").map(Node::entries).unwrap_or_default() {
        if !path.key.starts_with('/') {
            continue;
        }
        let item = doc.resolve(&path.node);
        for op in item.entries() {
            let method = op.key.to_ascii_lowercase();
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let request = doc.request(&path.key, &base, item, op);
            if !requests
                .iter()
                .any(|r| r.method == request.method && r.path == request.path)
            {
                requests.push(request);
            }
        }
    }
    Some(Api {
        format,
        requests,
        servers,
    })
}

struct Doc<'a> {
    root: &'a Node,
    format: Format,
}

impl<'a> Doc<'a> {
    /// `node`, or what its local `$ref` (`#/components/...`) points to.
    fn resolve(&self, mut node: &'a Node) -> &'a Node {
        for _ in 0..MAX_REF_HOPS {
            let Some(pointer) = node.get("$ref").and_then(Node::text) else {
                return node;
            };
            let Some(target) = self.pointer(pointer) else {
                return node;
            };
            node = target;
        }
        node
    }

    fn pointer(&self, pointer: &str) -> Option<&'a Node> {
        let rest = pointer.strip_prefix("#/")?;
        let mut node = self.root;
        for part in rest.split('/') {
            let key = part.replace("~1", "/").replace("~0", "~");
            node = match node.items() {
                [] => node.get(&key)?,
                items => items.get(key.parse::<usize>().ok()?)?,
            };
        }
        Some(node)
    }

    fn request(&self, path: &str, base: &str, item: &'a Node, op: &'a Entry) -> Request {
        let params = self.parameters(item, &op.node);
        let statuses = statuses(&op.node);
        let auth = self.needs_auth(&op.node) || statuses.contains(&401);
        let mut target = format!(
            "{}{}",
            base.trim_end_matches('/'),
            self.fill_path(path, &params)
        );
        let query = self.query(&params);
        if !query.is_empty() {
            target = format!("{target}?{}", query.join("&"));
        }
        Request {
            method: op.key.to_ascii_uppercase(),
            path: path.to_string(),
            target,
            status: success_status(&statuses),
            statuses,
            auth,
            body: self.body(&op.node, &params),
            line: op.line,
        }
    }

    /// The operation's parameters over the path item's (same name and place: the operation's win).
    fn parameters(&self, item: &'a Node, op: &'a Node) -> Vec<&'a Node> {
        let mut merged: Vec<&Node> = Vec::new();
        for list in [item.get("parameters"), op.get("parameters")]
            .into_iter()
            .flatten()
        {
            for param in list.items().iter().map(|p| self.resolve(p)) {
                let key = |p: &Node| (text(p, "name"), text(p, "in"));
                merged.retain(|known| key(known) != key(param));
                merged.push(param);
            }
        }
        merged
    }

    /// The path with every `{name}` (or `:name`) replaced by an example value.
    fn fill_path(&self, path: &str, params: &[&Node]) -> String {
        path.split('/')
            .map(|segment| {
                let name = segment
                    .strip_prefix('{')
                    .and_then(|s| s.strip_suffix('}'))
                    .or_else(|| segment.strip_prefix(':'));
                let Some(name) = name else {
                    return segment.to_string();
                };
                let value = params
                    .iter()
                    .find(|p| text(p, "in") == "path" && text(p, "name") == name)
                    .and_then(|p| self.param_example(p))
                    .unwrap_or_else(|| "1".to_string());
                percent_encode(&value)
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// `name=value` for every required query parameter.
    fn query(&self, params: &[&Node]) -> Vec<String> {
        params
            .iter()
            .filter(|p| {
                text(p, "in") == "query" && p.get("required").and_then(Node::flag) == Some(true)
            })
            .map(|p| {
                let value = self.param_example(p).unwrap_or_else(|| "1".to_string());
                format!(
                    "{}={}",
                    percent_encode(&text(p, "name")),
                    percent_encode(&value)
                )
            })
            .collect()
    }

    fn param_example(&self, param: &Node) -> Option<String> {
        let example = param
            .get("example")
            .or_else(|| first_example(param))
            .map(Node::to_json)
            .or_else(|| {
                // Swagger 2 puts the type on the parameter itself.
                let schema = param.get("schema").unwrap_or(param);
                self.example(schema, 0)
            })?;
        Some(match example {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        })
    }

    /// Whether the operation (or, when it says nothing, the document) requires credentials.
    fn needs_auth(&self, op: &Node) -> bool {
        let security = op.get("security").or_else(|| self.root.get("security"));
        security.is_some_and(|requirements| {
            let items = requirements.items();
            !items.is_empty() && items.iter().all(|r| !r.entries().is_empty())
        })
    }

    fn body(&self, op: &'a Node, params: &[&'a Node]) -> Option<Body> {
        match self.format {
            Format::Swagger => self.swagger_body(op, params),
            _ => self.openapi_body(op),
        }
    }

    fn openapi_body(&self, op: &'a Node) -> Option<Body> {
        let body = self.resolve(op.get("requestBody")?);
        let required = body.get("required").and_then(Node::flag) == Some(true);
        let content = body.get("content").map(Node::entries).unwrap_or_default();
        let chosen = content
            .iter()
            .find(|m| is_json(&m.key))
            .or_else(|| content.first());
        let Some(media) = chosen else {
            return Some(Body {
                required,
                media_type: String::new(),
                example: None,
            });
        };
        let example = media
            .node
            .get("example")
            .or_else(|| first_example(&media.node))
            .map(|example| self.resolve(example).to_json())
            .or_else(|| self.example(media.node.get("schema")?, 0));
        Some(Body {
            required,
            media_type: media.key.clone(),
            example: example.and_then(|e| serialize(&media.key, e)),
        })
    }

    fn swagger_body(&self, op: &'a Node, params: &[&'a Node]) -> Option<Body> {
        if let Some(param) = params.iter().find(|p| text(p, "in") == "body") {
            let consumes = op.get("consumes").or_else(|| self.root.get("consumes"));
            let media_type = consumes
                .and_then(|c| c.items().iter().filter_map(Node::text).find(|m| is_json(m)))
                .unwrap_or("application/json")
                .to_string();
            let example = param
                .get("x-example")
                .map(Node::to_json)
                .or_else(|| self.example(param.get("schema")?, 0));
            return Some(Body {
                required: param.get("required").and_then(Node::flag) == Some(true),
                example: example.and_then(|e| serialize(&media_type, e)),
                media_type,
            });
        }
        let form: Vec<&&Node> = params
            .iter()
            .filter(|p| text(p, "in") == "formData")
            .collect();
        (!form.is_empty()).then(|| Body {
            required: form
                .iter()
                .any(|p| p.get("required").and_then(Node::flag) == Some(true)),
            media_type: "application/x-www-form-urlencoded".to_string(),
            example: None,
        })
    }

    /// A value valid for `schema` (its example, default, first enum value, or
    /// one built from its type), or `None` when none can be built with confidence.
    fn example(&self, schema: &'a Node, depth: usize) -> Option<serde_json::Value> {
        if depth > MAX_SCHEMA_DEPTH {
            return None;
        }
        let schema = self.resolve(schema);
        for key in ["example", "default", "const"] {
            if let Some(value) = schema.get(key) {
                return Some(value.to_json());
            }
        }
        if let Some(value) = schema.get("examples").and_then(|e| e.items().first()) {
            return Some(value.to_json());
        }
        if let Some(value) = schema.get("enum").and_then(|e| e.items().first()) {
            return Some(value.to_json());
        }
        if let Some(all) = schema.get("allOf") {
            let mut merged = serde_json::Map::new();
            for part in all.items() {
                match self.example(part, depth + 1)? {
                    serde_json::Value::Object(fields) => merged.extend(fields),
                    other => return Some(other),
                }
            }
            return Some(merged.into());
        }
        if let Some(first) = ["oneOf", "anyOf"]
            .iter()
            .find_map(|key| schema.get(key).and_then(|list| list.items().first()))
        {
            return self.example(first, depth + 1);
        }
        let kind = schema_type(schema);
        match kind.as_deref() {
            Some("object") | None if schema.get("properties").is_some() || kind.is_some() => {
                self.object_example(schema, depth)
            }
            Some("array") => {
                let min = number(schema, "minItems").unwrap_or(0.0);
                if min < 1.0 {
                    return Some(serde_json::Value::Array(Vec::new()));
                }
                Some(vec![self.example(schema.get("items")?, depth + 1)?].into())
            }
            Some("string") => string_example(schema),
            Some("integer") => Some((bounded_number(schema).ceil() as i64).into()),
            Some("number") => serde_json::Number::from_f64(bounded_number(schema)).map(Into::into),
            Some("boolean") => Some(true.into()),
            Some("null") => Some(serde_json::Value::Null),
            _ => None,
        }
    }

    /// An object with every required property.
    fn object_example(&self, schema: &'a Node, depth: usize) -> Option<serde_json::Value> {
        let required: Vec<&str> = schema
            .get("required")
            .map(|r| r.items().iter().filter_map(Node::text).collect())
            .unwrap_or_default();
        let properties = schema.get("properties");
        let mut object = serde_json::Map::new();
        for name in required {
            let property = properties?.get(name)?;
            object.insert(name.to_string(), self.example(property, depth + 1)?);
        }
        Some(object.into())
    }
}

/// The schema's `type` (the first non-null one of a 3.1 list).
fn schema_type(schema: &Node) -> Option<String> {
    let kind = schema.get("type")?;
    match kind.text() {
        Some(text) => Some(text.to_string()),
        None => kind
            .items()
            .iter()
            .filter_map(Node::text)
            .find(|t| *t != "null")
            .map(str::to_string),
    }
}

fn string_example(schema: &Node) -> Option<serde_json::Value> {
    if schema.get("pattern").is_some() {
        return None;
    }
    let by_format = match schema
        .get("format")
        .and_then(Node::text)
        .unwrap_or_default()
    {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "00:00:00Z",
        "email" => "user@example.com",
        "uuid" => "00000000-0000-4000-8000-000000000001",
        "uri" | "url" => "https://example.com/",
        "hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        _ => "example",
    };
    let min = number(schema, "minLength").unwrap_or(0.0);
    let max = number(schema, "maxLength").unwrap_or(f64::MAX);
    let mut value = by_format.to_string();
    while (value.len() as f64) < min && value.len() < 4096 {
        value.push('x');
    }
    if (value.len() as f64) > max {
        value.truncate(max.max(0.0) as usize);
    }
    ((value.len() as f64) >= min).then(|| value.into())
}

/// 1, moved inside `minimum`/`maximum` when they exclude it.
fn bounded_number(schema: &Node) -> f64 {
    let mut value = 1.0;
    if let Some(min) = number(schema, "minimum") {
        value = f64::max(value, min);
    }
    if let Some(max) = number(schema, "maximum") {
        value = f64::min(value, max);
    }
    value
}

fn number(node: &Node, key: &str) -> Option<f64> {
    node.get(key)?
        .text()?
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
}

/// The first value of an `examples` map (`examples: {name: {value: ...}}`).
fn first_example(node: &Node) -> Option<&Node> {
    let first = node.get("examples")?.entries().first()?;
    first.node.get("value")
}

fn text(node: &Node, key: &str) -> String {
    node.get(key)
        .and_then(Node::text)
        .unwrap_or_default()
        .to_string()
}

fn is_json(media_type: &str) -> bool {
    let media_type = media_type.split(';').next().unwrap_or_default().trim();
    media_type == "application/json" || media_type.ends_with("+json")
}

/// The body text for `media_type`: JSON as JSON, a string example as it is; `None` otherwise.
fn serialize(media_type: &str, example: serde_json::Value) -> Option<String> {
    match example {
        serde_json::Value::String(text) if !is_json(media_type) => Some(text),
        value if is_json(media_type) || media_type.is_empty() => Some(value.to_string()),
        _ => None,
    }
}

/// Every numeric status among the responses (`2XX` reads as 200), ascending.
fn statuses(op: &Node) -> Vec<u16> {
    let mut codes: Vec<u16> = op
        .get("responses")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let key = r.key.to_ascii_uppercase();
            match key.strip_suffix("XX") {
                Some(class) => class.parse::<u16>().ok().map(|c| c * 100),
                None => key.parse::<u16>().ok(),
            }
        })
        .filter(|code| (100..=599).contains(code))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The lowest 2xx, else the lowest 3xx, else the lowest documented, else 200.
pub fn success_status(statuses: &[u16]) -> u16 {
    statuses
        .iter()
        .find(|s| (200..300).contains(*s))
        .or_else(|| statuses.iter().find(|s| (300..400).contains(*s)))
        .or_else(|| statuses.iter().min())
        .copied()
        .unwrap_or(200)
}

fn openapi_servers(root: &Node) -> Vec<Server> {
    let servers = root.get("servers").map(Node::items).unwrap_or_default();
    servers
        .iter()
        .filter_map(|server| {
            let mut url = server.get("url")?.text()?.to_string();
            for var in server
                .get("variables")
                .map(Node::entries)
                .unwrap_or_default()
            {
                if let Some(default) = var.node.get("default").and_then(Node::text) {
                    url = url.replace(&format!("{{{}}}", var.key), default);
                }
            }
            Some(Server {
                port: url_port(&url),
                url,
                line: server.line,
            })
        })
        .collect()
}

fn swagger_servers(root: &Node) -> Vec<Server> {
    let host = root.get("host").and_then(Node::text);
    let base = root
        .get("basePath")
        .and_then(Node::text)
        .unwrap_or_default();
    let line = root
        .get("host")
        .or_else(|| root.get("basePath"))
        .map_or(1, |n| n.line);
    if host.is_none() && base.is_empty() {
        return Vec::new();
    }
    let url = match host {
        Some(host) => {
            let scheme = root
                .get("schemes")
                .and_then(|s| s.items().first())
                .and_then(Node::text)
                .unwrap_or("http");
            format!("{scheme}://{host}{base}")
        }
        None => base.to_string(),
    };
    vec![Server {
        port: url_port(&url),
        url,
        line,
    }]
}

/// The path of a URL (`http://host:8080/v1` → `/v1`; a relative `/api` stays).
pub fn url_path(url: &str) -> String {
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => url,
    };
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    if path.starts_with('/') {
        path.trim_end_matches('/').to_string()
    } else {
        String::new()
    }
}

/// The port a URL names explicitly (`http://localhost:8080/x` → 8080).
pub fn url_port(url: &str) -> Option<u16> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let (_, port) = host_port.rsplit_once(':')?;
    port.parse().ok().filter(|port| *port > 0)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse_yaml;
    use super::*;

    fn api(text: &str) -> Api {
        read(&parse_yaml(text).unwrap().unwrap()).expect("an API")
    }

    #[test]
    fn the_smallest_openapi_document_yields_its_request() {
        let api = api("paths: {/health: {get: {responses: {'200': {description: ok}}}}}\n");
        assert_eq!(api.requests.len(), 1);
        let health = &api.requests[0];
        assert_eq!(
            (
                health.method.as_str(),
                health.target.as_str(),
                health.status,
                health.auth
            ),
            ("GET", "/health", 200, false)
        );
    }

    #[test]
    fn examples_security_bodies_and_servers() {
        let text = "openapi: 3.0.3
servers:
  - url: http://localhost:{port}/v1
    variables:
      port: {default: '9090'}
security:
  - bearer: []
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer, minimum: 5}}
    get:
      security: []
      parameters:
        - {name: limit, in: query, required: true, example: 20}
        - {name: skip, in: query, schema: {type: integer}}
      responses: {'200': {description: ok}, '404': {description: none}}
    put:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses: {'204': {description: done}, '401': {description: no}}
components:
  schemas:
    Item:
      type: object
      required: [name, tags]
      properties:
        name: {type: string, minLength: 10}
        tags: {type: array, items: {type: string}}
        colour: {type: string}
";
        let api = api(text);
        assert_eq!(api.servers.len(), 1);
        assert_eq!(api.servers[0].url, "http://localhost:9090/v1");
        assert_eq!(api.servers[0].port, Some(9090));
        let [get, put] = api.requests.as_slice() else {
            panic!("{:?}", api.requests)
        };
        assert_eq!(get.target, "/v1/items/5?limit=20");
        assert_eq!(
            (get.status, get.statuses.clone(), get.auth),
            (200, vec![200, 404], false)
        );
        assert_eq!(get.line, 12);
        assert_eq!(put.target, "/v1/items/5");
        assert_eq!((put.status, put.auth), (204, true));
        let body = put.body.as_ref().unwrap();
        assert!(body.required);
        assert_eq!(
            body.example.as_deref(),
            Some(r#"{"name":"examplexxx","tags":[]}"#)
        );
    }

    #[test]
    fn swagger_two() {
        let text = "swagger: '2.0'
host: localhost:3000
basePath: /api
schemes: [http]
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key}
paths:
  /users/:userId:
    get:
      parameters:
        - {in: path, name: userId, type: string, format: uuid}
      responses:
        200: {description: OK}
  /users:
    post:
      security: [{key: []}]
      parameters:
        - {in: body, name: user, required: true, schema: {type: object, required: [email], properties: {email: {type: string, pattern: '.+@.+'}}}}
      responses:
        201: {description: Created}
        400: {description: Bad}
";
        let api = api(text);
        assert_eq!(api.format, Format::Swagger);
        assert_eq!(api.servers[0].url, "http://localhost:3000/api");
        assert_eq!(api.servers[0].port, Some(3000));
        let [get, post] = api.requests.as_slice() else {
            panic!()
        };
        assert_eq!(
            get.target,
            "/api/users/00000000-0000-4000-8000-000000000001"
        );
        assert_eq!((post.status, post.auth), (201, true));
        let body = post.body.as_ref().unwrap();
        assert!(
            body.required && body.example.is_none(),
            "a pattern cannot be satisfied blindly"
        );
    }

    #[test]
    fn optional_security_and_ref_cycles() {
        let text = "openapi: 3.1.0
paths:
  /a:
    get:
      security: [{}, {bearer: []}]
      requestBody: {$ref: '#/components/requestBodies/Loop'}
      responses: {'2XX': {description: ok}, default: {description: err}}
components:
  requestBodies:
    Loop: {$ref: '#/components/requestBodies/Loop'}
";
        let api = api(text);
        let a = &api.requests[0];
        assert_eq!(
            (a.auth, a.status, a.statuses.clone()),
            (false, 200, vec![200])
        );
    }

    #[test]
    fn urls() {
        assert_eq!(url_path("http://h:1/v1/"), "/v1");
        assert_eq!(url_path("/api"), "/api");
        assert_eq!(url_path("https://h"), "");
        assert_eq!(url_port("http://user@h:8081/x"), Some(8081));
        assert_eq!(url_port("http://h/x"), None);
        assert_eq!(percent_encode("a b/ü"), "a%20b%2F%C3%BC");
    }
}
