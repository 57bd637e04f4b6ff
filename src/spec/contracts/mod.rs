//! contracts/: every regular file below it (recursively, any extension,
//! hidden entries skipped), read by content into the HTTP requests it
//! defines. OpenAPI 3 and Swagger 2 (YAML or JSON) go through a real YAML
//! parser; JSON Schema files define payloads, not requests; anything else is
//! read as Markdown (`GET /path` lines, headings and endpoint tables).
//! READMEs, scripts and binary files are not contracts: a warning says so
//! and they get no contract test. A contract that cannot be parsed is a
//! warning naming its file and line (an error under `generate --strict`); it
//! keeps its task, and its generated test fails saying why. Symbolic links
//! are refused, never followed. Reads are bounded (`MAX_CONTRACT_BYTES`).

mod markdown;
mod openapi;
pub mod steps;
pub mod tree;

use crate::spec::normalize_text;
use crate::{Diagnostic, Error, Result};
use serde::Serialize;
use std::fs;
use std::io::{ErrorKind, Read};
use std::path::Path;

pub use steps::{steps, Plan, Step};

pub const CONTRACTS_DIR: &str = "contracts";
/// Larger files are not read: no contract is that long.
pub const MAX_CONTRACT_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Contract {
    /// Relative to the feature directory, `/`-separated: `contracts/health-endpoint.md`.
    pub path: String,
    pub format: Format,
    /// In document order, each (method, path) once.
    pub requests: Vec<Request>,
    /// OpenAPI `servers` (Swagger `host`/`basePath`).
    pub servers: Vec<Server>,
    /// Why the file could not be read as a contract.
    pub problem: Option<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    OpenApi,
    Swagger,
    JsonSchema,
    /// YAML or JSON that is neither OpenAPI, Swagger nor JSON Schema.
    Data,
    Markdown,
}

/// One HTTP request a contract defines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Request {
    /// Upper case: `GET`.
    pub method: String,
    /// As the contract writes it: `/items/{id}`.
    pub path: String,
    /// What a test sends: base path, example path values, required query
    /// parameters: `/v1/items/1?limit=20`.
    pub target: String,
    /// The documented answer: the lowest 2xx, else 3xx, else the lowest documented; 200 when none is.
    pub status: u16,
    /// Every status the contract documents for the request, ascending.
    pub statuses: Vec<u16>,
    /// Whether the request needs credentials (a security requirement, or a documented 401).
    pub auth: bool,
    pub body: Option<Body>,
    /// 1-based line of the request in the contract.
    pub line: usize,
}

/// The body a request takes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Body {
    pub required: bool,
    pub media_type: String,
    /// A body a test can send (from an example, or built from the schema), when there is one.
    pub example: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Server {
    /// With server variables replaced by their defaults.
    pub url: String,
    /// The port the URL names, if it names one.
    pub port: Option<u16>,
    pub line: usize,
}

/// What a file below contracts/ turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Contract(Contract),
    /// Not a contract, and why ("a README").
    NotAContract(&'static str),
}

/// The contracts below `feature_dir/contracts` sorted by path, with warnings
/// (files that are not contracts, contracts that cannot be parsed), or
/// `None` when the feature has no contracts/ directory.
pub fn load_contracts(feature_dir: &Path) -> Result<Option<(Vec<Contract>, Vec<Diagnostic>)>> {
    let Some(files) = list_files(feature_dir)? else {
        return Ok(None);
    };
    let mut contracts = Vec::new();
    let mut warnings = Vec::new();
    for relative in files {
        let file = feature_dir.join(&relative);
        let reading = match read_bounded(&file)? {
            Ok(bytes) => read_contract(&relative, &bytes),
            Err(problem) => Reading::Contract(unreadable(&relative, problem)),
        };
        match reading {
            Reading::NotAContract(what) => warnings.push(
                Diagnostic::warning(
                    1,
                    format!("not a contract ({what}); no contract test is generated for it"),
                )
                .in_file(file),
            ),
            Reading::Contract(contract) => {
                if let Some(problem) = &contract.problem {
                    warnings.push(problem.clone().in_file(file));
                }
                contracts.push(contract);
            }
        }
    }
    Ok(Some((contracts, warnings)))
}

/// Reads a contract's bytes: what `path` says it is, by name and content.
pub fn read_contract(path: &str, bytes: &[u8]) -> Reading {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let (stem, extension) = lower.rsplit_once('.').unwrap_or((&lower, ""));
    if stem == "readme" || lower == "readme" {
        return Reading::NotAContract("a README");
    }
    if bytes.contains(&0) {
        return Reading::NotAContract("a binary file");
    }
    let text = match normalize_text(bytes) {
        Ok(text) => text,
        Err(err) => {
            let problem = Diagnostic::warning(err.line().unwrap_or(1), err.message().to_string());
            return Reading::Contract(unreadable(path, problem));
        }
    };
    if text.starts_with("#!") || SCRIPT_EXTENSIONS.contains(&extension) {
        return Reading::NotAContract("a script");
    }
    Reading::Contract(parse_contract(path, extension, &text))
}

const SCRIPT_EXTENSIONS: [&str; 10] = [
    "sh", "bash", "zsh", "py", "js", "ts", "rb", "pl", "ps1", "bat",
];

/// Parses a contract's text by its content; `extension` (lower case) only
/// decides whether a text that looks like neither JSON nor an API document
/// is tried as YAML.
pub fn parse_contract(path: &str, extension: &str, text: &str) -> Contract {
    let mut contract = Contract {
        path: path.to_string(),
        format: Format::Markdown,
        requests: Vec::new(),
        servers: Vec::new(),
        problem: None,
    };
    let first = text.trim_start().chars().next();
    let parsed = if matches!(first, Some('{' | '[')) {
        tree::parse_json(text)
    } else if looks_like_api_yaml(text) || matches!(extension, "yaml" | "yml") {
        tree::parse_yaml(text)
    } else {
        (contract.requests, contract.servers) = markdown::read(text);
        return contract;
    };
    contract.format = Format::Data;
    match parsed {
        Err(issue) => {
            contract.problem = Some(issue);
        }
        Ok(None) => {}
        Ok(Some(root)) => {
            if let Some(api) = openapi::read(&root) {
                contract.format = api.format;
                contract.requests = api.requests;
                contract.servers = api.servers;
            } else if root.get("$schema").is_some()
                || root.get("properties").is_some()
                || root.get("$defs").is_some()
                || root.get("definitions").is_some()
            {
                contract.format = Format::JsonSchema;
            }
        }
    }
    contract
}

/// An `openapi: 3…` or `swagger: 2…` line at the top level, before any
/// Markdown code fence (a Markdown contract may embed one).
fn looks_like_api_yaml(text: &str) -> bool {
    for line in text.lines() {
        if line.starts_with("```") || line.starts_with("~~~") {
            return false;
        }
        let value = line
            .strip_prefix("openapi:")
            .or_else(|| line.strip_prefix("swagger:"));
        if let Some(value) = value {
            let version = value.trim().trim_start_matches(['"', '\'']);
            return version.starts_with(|c: char| c.is_ascii_digit());
        }
    }
    false
}

fn unreadable(path: &str, problem: Diagnostic) -> Contract {
    Contract {
        path: path.to_string(),
        format: Format::Markdown,
        requests: Vec::new(),
        servers: Vec::new(),
        problem: Some(problem),
    }
}

/// A listed contract's text, for words that name its service: "" for one
/// too large to read, invalid UTF-8 replaced.
pub fn contract_text(feature_dir: &Path, contract: &Contract) -> Result<String> {
    let bytes = read_bounded(&feature_dir.join(&contract.path))?.unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The bytes of `file`, or a problem when it is larger than `MAX_CONTRACT_BYTES`.
fn read_bounded(file: &Path) -> Result<std::result::Result<Vec<u8>, Diagnostic>> {
    let handle = fs::File::open(file).map_err(|err| Error::io("open", file, &err))?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_CONTRACT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| Error::io("read", file, &err))?;
    if bytes.len() as u64 > MAX_CONTRACT_BYTES {
        return Ok(Err(Diagnostic::warning(
            1,
            format!("larger than {} KiB; not read", MAX_CONTRACT_BYTES / 1024),
        )));
    }
    Ok(Ok(bytes))
}

/// The files below contracts/ sorted by path, or `None` when the feature has
/// no contracts/ directory.
fn list_files(feature_dir: &Path) -> Result<Option<Vec<String>>> {
    let dir = feature_dir.join(CONTRACTS_DIR);
    let metadata = match fs::symlink_metadata(&dir) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Error::io("inspect", &dir, &err)),
    };
    if metadata.file_type().is_symlink() {
        return Err(symlink_error(&dir));
    }
    if !metadata.is_dir() {
        return Err(Error::new("is not a directory; contracts/ must be a directory").in_file(dir));
    }
    let mut files = Vec::new();
    collect(&dir, CONTRACTS_DIR, &mut files)?;
    files.sort();
    Ok(Some(files))
}

fn collect(dir: &Path, relative: &str, files: &mut Vec<String>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|err| Error::io("list", dir, &err))?;
    for entry in entries {
        let entry = entry.map_err(|err| Error::io("list", dir, &err))?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            return Err(Error::new("file name is not valid UTF-8").in_file(path));
        };
        if name.starts_with('.') {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(|err| Error::io("inspect", &path, &err))?;
        let entry_relative = format!("{relative}/{name}");
        if file_type.is_symlink() {
            return Err(symlink_error(&path));
        } else if file_type.is_dir() {
            collect(&path, &entry_relative, files)?;
        } else if file_type.is_file() {
            files.push(entry_relative);
        } else {
            return Err(
                Error::new("is not a regular file; contracts must be regular files").in_file(path),
            );
        }
    }
    Ok(())
}

fn symlink_error(path: &Path) -> Error {
    Error::new("is a symbolic link; contracts must be regular files").in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::test_support::TempDir;

    fn load(feature: &TempDir) -> (Vec<Contract>, Vec<Diagnostic>) {
        load_contracts(feature.path())
            .expect("loaded")
            .expect("present")
    }

    fn paths(contracts: &[Contract]) -> Vec<&str> {
        contracts.iter().map(|c| c.path.as_str()).collect()
    }

    #[test]
    fn no_contracts_directory() {
        let feature = TempDir::new("contracts-none");
        assert_eq!(load_contracts(feature.path()), Ok(None));
    }

    #[test]
    fn recursive_sorted_any_extension_hidden_skipped() {
        let feature = TempDir::new("contracts-walk");
        feature.write("contracts/metrics.contract", "GET /metrics returns 200");
        feature.write("contracts/health-endpoint.md", "# health");
        feature.write(
            "contracts/api/openapi.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n",
        );
        feature.write("contracts/.DS_Store", "");
        feature.write("contracts/.drafts/ignored.md", "");
        let (contracts, warnings) = load(&feature);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            paths(&contracts),
            vec![
                "contracts/api/openapi.yaml",
                "contracts/health-endpoint.md",
                "contracts/metrics.contract"
            ]
        );
        let formats: Vec<Format> = contracts.iter().map(|c| c.format).collect();
        assert_eq!(
            formats,
            [Format::OpenApi, Format::Markdown, Format::Markdown]
        );
        assert_eq!(contracts[0].requests[0].line, 4);
        assert_eq!(contracts[2].requests[0].target, "/metrics");
    }

    #[test]
    fn readmes_scripts_and_binaries_are_not_contracts() {
        let feature = TempDir::new("contracts-not");
        feature.write("contracts/README.md", "# About these contracts\nGET /x\n");
        feature.write("contracts/check.sh", "curl http://localhost/x\n");
        feature.write("contracts/run", "#!/bin/sh\nexit 0\n");
        feature.write_bytes("contracts/diagram.png", b"\x89PNG\r\n\x1a\n\0\0");
        feature.write("contracts/api.md", "`GET /x` answers 200\n");
        let (contracts, warnings) = load(&feature);
        assert_eq!(paths(&contracts), ["contracts/api.md"]);
        let said: Vec<(String, usize, &str)> = warnings
            .iter()
            .map(|w| {
                let rel = w.file.as_deref().unwrap().strip_prefix(feature.path());
                (
                    rel.unwrap().display().to_string(),
                    w.line,
                    w.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            said,
            [
                (
                    "contracts/README.md".to_string(),
                    1,
                    "not a contract (a README); no contract test is generated for it"
                ),
                (
                    "contracts/check.sh".to_string(),
                    1,
                    "not a contract (a script); no contract test is generated for it"
                ),
                (
                    "contracts/diagram.png".to_string(),
                    1,
                    "not a contract (a binary file); no contract test is generated for it"
                ),
                (
                    "contracts/run".to_string(),
                    1,
                    "not a contract (a script); no contract test is generated for it"
                ),
            ]
        );
    }

    #[test]
    fn a_broken_contract_is_a_warning_at_its_line_and_stays_listed() {
        let feature = TempDir::new("contracts-broken");
        feature.write("contracts/api.yaml", "openapi: 3.0.0\npaths:\n  /a: [\n");
        feature.write(
            "contracts/b.json",
            "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,}\n}\n",
        );
        feature.write_bytes("contracts/c.md", b"ok\n\xff\n");
        let (contracts, warnings) = load(&feature);
        assert_eq!(
            paths(&contracts),
            ["contracts/api.yaml", "contracts/b.json", "contracts/c.md"]
        );
        assert!(contracts
            .iter()
            .all(|c| c.problem.is_some() && c.requests.is_empty()));
        let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [4, 3, 2], "{warnings:?}");
        assert!(
            warnings[0].message.starts_with("invalid YAML: "),
            "{warnings:?}"
        );
        assert!(
            warnings[1].message.starts_with("invalid JSON: "),
            "{warnings:?}"
        );
        assert_eq!(warnings[2].message, "is not valid UTF-8");
    }

    #[test]
    fn oversized_contracts_are_not_read() {
        let feature = TempDir::new("contracts-large");
        let big = "GET /x\n".repeat((MAX_CONTRACT_BYTES as usize) / 7 + 1);
        feature.write("contracts/big.md", &big);
        let (contracts, warnings) = load(&feature);
        assert!(contracts[0].requests.is_empty());
        assert_eq!(warnings[0].message, "larger than 1024 KiB; not read");
    }

    #[test]
    fn content_decides_not_the_extension() {
        let yaml = parse_contract("contracts/x.contract", "contract", "swagger: '2.0'\npaths:\n  /s:\n    get:\n      responses:\n        200: {description: ok}\n");
        assert_eq!((yaml.format, yaml.requests.len()), (Format::Swagger, 1));
        let json = parse_contract(
            "contracts/x.txt",
            "txt",
            "{\"paths\": {\"/j\": {\"post\": {\"responses\": {\"202\": {}}}}}}",
        );
        assert_eq!(
            (json.format, json.requests[0].status),
            (Format::OpenApi, 202)
        );
        let schema = parse_contract(
            "contracts/user.schema.json",
            "json",
            "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"type\": \"object\"}",
        );
        assert_eq!((schema.format, schema.problem), (Format::JsonSchema, None));
        let other = parse_contract(
            "contracts/events.yml",
            "yml",
            "asyncapi: 2.6.0\nchannels: {}\n",
        );
        assert_eq!((other.format, other.requests.len()), (Format::Data, 0));
        let md = parse_contract(
            "contracts/api.md",
            "md",
            "# API\n\n```yaml\nopenapi: 3.0.0\npaths: {/e: {get: {responses: {'200': {}}}}}\n```\n",
        );
        assert_eq!((md.format, md.requests[0].line), (Format::Markdown, 5));
    }

    #[test]
    fn markdown_base_urls_and_embedded_servers_are_servers() {
        let md = parse_contract(
            "contracts/a.md",
            "md",
            "# A\n\n**Base URL**: `http://localhost:8000/api/v1`\n\n- `GET /users` returns 200\n",
        );
        let servers: Vec<(&str, Option<u16>, usize)> = md
            .servers
            .iter()
            .map(|s| (s.url.as_str(), s.port, s.line))
            .collect();
        assert_eq!(servers, [("http://localhost:8000/api/v1", Some(8000), 3)]);
        assert_eq!(md.requests[0].target, "/api/v1/users");
        let embedded = parse_contract(
            "contracts/b.md",
            "md",
            "# B\n\n```yaml\nopenapi: 3.0.0\nservers:\n  - url: http://0.0.0.0:9090\npaths: {}\n```\n",
        );
        assert_eq!(embedded.servers[0].port, Some(9090));
        assert_eq!(embedded.servers[0].line, 6);
    }

    #[test]
    fn no_reader_panics_on_random_bytes() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for round in 0..2_000 {
            let mut bytes: Vec<u8> = match round % 3 {
                0 => b"openapi: 3.0.0\n".to_vec(),
                1 => b"{".to_vec(),
                _ => Vec::new(),
            };
            for _ in 0..(round % 200) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                bytes.push((seed >> 56) as u8);
            }
            if let Reading::Contract(contract) = read_contract("contracts/x.yaml", &bytes) {
                let _ = steps(&contract);
            }
        }
    }

    #[test]
    fn empty_contracts_directory() {
        let feature = TempDir::new("contracts-empty");
        feature.mkdir("contracts");
        assert_eq!(
            load_contracts(feature.path()),
            Ok(Some((Vec::new(), Vec::new())))
        );
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_refused_not_followed() {
        let feature = TempDir::new("contracts-symlink");
        feature.write("outside.md", "secret");
        feature.mkdir("contracts");
        let link = feature.path().join("contracts/link.md");
        std::os::unix::fs::symlink(feature.path().join("outside.md"), &link).expect("symlink");
        let err = load_contracts(feature.path()).expect_err("symlink refused");
        assert_eq!(
            err.message(),
            "is a symbolic link; contracts must be regular files"
        );
        assert_eq!(err.file(), Some(link.as_path()));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_to_a_directory_is_refused() {
        let feature = TempDir::new("contracts-dirlink");
        feature.mkdir("real");
        std::os::unix::fs::symlink(
            feature.path().join("real"),
            feature.path().join("contracts"),
        )
        .expect("symlink");
        let err = load_contracts(feature.path()).expect_err("symlink refused");
        assert_eq!(err.file(), Some(feature.path().join("contracts").as_path()));
    }

    #[test]
    fn contracts_that_is_a_file_is_an_error() {
        let feature = TempDir::new("contracts-file");
        feature.write("contracts", "not a dir");
        let err = load_contracts(feature.path()).expect_err("not a directory");
        assert_eq!(
            err.message(),
            "is not a directory; contracts/ must be a directory"
        );
    }

    #[test]
    fn a_directory_that_cannot_be_read_is_an_io_error() {
        // Permissions cannot provoke this under root, so read a directory that vanished.
        let feature = TempDir::new("contracts-unreadable");
        let gone = feature.path().join("contracts/gone");
        let err = collect(&gone, "contracts/gone", &mut Vec::new()).expect_err("unreadable");
        assert!(err.message().starts_with("cannot list: "), "{err}");
        assert_eq!(err.file(), Some(gone.as_path()));
    }

    #[test]
    fn no_reader_panics_on_random_soup() {
        const PIECES: [&str; 34] = [
            "openapi: 3.0.0\n",
            "swagger: '2.0'\n",
            "paths:\n",
            "  /a/{id}:\n",
            "    get:\n",
            "      responses:\n",
            "        '200':",
            " {",
            "}",
            "[",
            "]",
            "- ",
            ": ",
            "\n",
            "  ",
            "$ref: '#/components/schemas/A'",
            "&a ",
            "*a ",
            "\"",
            "'",
            "```yaml\n",
            "```\n",
            "GET /x ",
            "| Method | Path |\n",
            "|---|---|\n",
            "**Auth**: ",
            "401 ",
            "curl -X ",
            "http://h:1/",
            "\t",
            "é",
            "#",
            ",",
            "required: [a]",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for round in 0..400 {
            let mut text = String::new();
            for _ in 0..60 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            let first = if round % 2 == 0 { "{" } else { "" };
            for extension in ["yaml", "json", "md"] {
                let contract =
                    parse_contract("contracts/soup", extension, &format!("{first}{text}"));
                let _ = steps(&contract);
            }
        }
    }
}
