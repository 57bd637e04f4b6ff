//! The contracts corpus: contract files written in the shapes real teams use
//! (OpenAPI 3 and Swagger 2 in YAML and JSON, JSON Schema, Markdown in its
//! common forms, files that are not contracts, a broken one), each with the
//! requests a reader of the file finds written beside it in `<file>.expected`.
//! The reader must find at least 95% of them exactly (method, path, target,
//! statuses, credentials, body, line) and nothing that is not there.

mod scaffold_support;

use cargo_tasks::spec::contracts::{read_contract, Contract, Reading, Request};
use scaffold_support::Workspace;
use std::collections::BTreeMap;
use std::path::Path;

const MIN_RECALL: f64 = 0.95;
const MIN_FILES: usize = 12;

/// A request as one comparable line.
fn request_line(r: &Request) -> String {
    let statuses: Vec<String> = r.statuses.iter().map(u16::to_string).collect();
    let body = match &r.body {
        None => "none".to_string(),
        Some(body) => match (&body.example, body.required) {
            (Some(example), _) => format!("example:{example}"),
            (None, true) => "missing".to_string(),
            (None, false) => "optional".to_string(),
        },
    };
    let auth = if r.auth { "yes" } else { "no" };
    format!(
        "{} {} target={} status={} statuses={} auth={auth} body={body} line={}",
        r.method,
        r.path,
        r.target,
        r.status,
        statuses.join(","),
        r.line
    )
}

/// Everything read from a file, one line per fact, as `.expected` files write it.
fn facts(reading: &Reading) -> Vec<String> {
    let contract: &Contract = match reading {
        Reading::NotAContract(what) => return vec![format!("not a contract ({what})")],
        Reading::Contract(contract) => contract,
    };
    let format = serde_json::to_value(contract.format).unwrap();
    let mut lines = vec![format!("format {}", format.as_str().unwrap())];
    if let Some(problem) = &contract.problem {
        lines.push(format!("problem line={}", problem.line));
    }
    for server in &contract.servers {
        let port = server.port.map_or("none".to_string(), |p| p.to_string());
        lines.push(format!(
            "server {} port={port} line={}",
            server.url, server.line
        ));
    }
    lines.extend(contract.requests.iter().map(request_line));
    lines
}

/// Whether a fact line is a request (it starts with an upper-case method).
fn is_request(line: &str) -> bool {
    line.split(' ')
        .next()
        .is_some_and(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_uppercase()))
}

fn requests(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| is_request(l)).collect()
}

#[derive(Default)]
struct Score {
    expected: usize,
    found: usize,
    false_positives: Vec<String>,
    missed: Vec<String>,
}

#[test]
fn the_corpus_is_read_with_high_recall_and_no_false_positive() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contracts_corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".expected"))
        .collect();
    names.sort();
    assert!(
        names.len() >= MIN_FILES,
        "only {} contract files",
        names.len()
    );
    let mut by_format: BTreeMap<String, Score> = BTreeMap::new();
    let mut other_differences = Vec::new();
    for name in &names {
        let expected_path = dir.join(format!("{name}.expected"));
        let expected_text = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let expected: Vec<String> = expected_text.lines().map(str::to_string).collect();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let found = facts(&read_contract(&format!("contracts/{name}"), &bytes));
        let kind = expected.first().cloned().unwrap_or_default();
        let score = by_format.entry(kind).or_default();
        let (want, got) = (requests(&expected), requests(&found));
        score.expected += want.len();
        for line in &want {
            if got.contains(line) {
                score.found += 1;
            } else {
                score.missed.push(format!("{name}: {line}"));
            }
        }
        for line in &got {
            let key: Vec<&str> = line.splitn(3, ' ').take(2).collect();
            let wanted = want
                .iter()
                .any(|w| w.splitn(3, ' ').take(2).collect::<Vec<_>>() == key);
            if !wanted {
                score.false_positives.push(format!("{name}: {line}"));
            }
        }
        // Format, servers, problems and non-contracts must match exactly.
        let rest = |lines: &[String]| -> Vec<String> {
            lines.iter().filter(|l| !is_request(l)).cloned().collect()
        };
        if rest(&expected) != rest(&found) {
            other_differences.push(format!(
                "{name}: expected {:?}, read {:?}",
                rest(&expected),
                rest(&found)
            ));
        }
    }
    let mut report = String::new();
    let (mut expected, mut found, mut false_positives) = (0, 0, 0);
    for (format, score) in &by_format {
        report.push_str(&format!(
            "{format}: recall {}/{} , false positives {}\n",
            score.found,
            score.expected,
            score.false_positives.len()
        ));
        for line in score.missed.iter().chain(&score.false_positives) {
            report.push_str(&format!("    {line}\n"));
        }
        expected += score.expected;
        found += score.found;
        false_positives += score.false_positives.len();
    }
    let recall = found as f64 / expected as f64;
    eprintln!(
        "contracts corpus: {} files, recall {found}/{expected} = {recall:.3}, false positives {false_positives}\n{report}",
        names.len()
    );
    assert!(other_differences.is_empty(), "{other_differences:#?}");
    assert!(
        recall >= MIN_RECALL,
        "recall {recall:.3} below {MIN_RECALL}\n{report}"
    );
    assert_eq!(false_positives, 0, "{report}");
}

const FEATURE: &str = "specs/001-containerize-hello";

#[test]
fn broken_contracts_and_files_that_are_not_contracts_are_warnings_naming_file_and_line() {
    let ws = Workspace::fixture("service");
    ws.write(
        &format!("{FEATURE}/contracts/README.md"),
        "# What is here\n",
    );
    ws.write(
        &format!("{FEATURE}/contracts/api.yaml"),
        "openapi: 3.0.0\npaths:\n  /a:\n    get: [\n",
    );
    let stderr = ws.run(&["generate", "--feature", "001"]).ok();
    assert!(
        stderr.contains(&format!(
            "{FEATURE}/contracts/README.md:1: not a contract (a README); no contract test is generated for it"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{FEATURE}/contracts/api.yaml:5: invalid YAML: ")),
        "{stderr}"
    );
    let tasks = ws.read(&format!("{FEATURE}/tasks.md"));
    assert!(
        tasks.contains("Contract test for contracts/api.yaml"),
        "{tasks}"
    );
    assert!(!tasks.contains("contracts/README.md"), "{tasks}");

    let before = ws.snapshot();
    let stderr = ws
        .run(&["generate", "--feature", "001", "--strict"])
        .fails();
    assert!(
        stderr.contains(&format!("{FEATURE}/contracts/README.md:1:")),
        "{stderr}"
    );
    ws.assert_unchanged(&before, "a strict run that fails writes nothing");

    ws.run(&["scaffold", "--feature", "001"]).ok();
    let test = ws.read("docker/test/contracts/api_test.sh");
    assert!(
        test.contains("fail 'contracts/api.yaml:5: invalid YAML: "),
        "the test of a broken contract fails naming it:\n{test}"
    );
    assert!(!ws.path("docker/test/contracts/README_test.sh").exists());
}

/// Values from contracts (file names, paths, bodies, labels) land in the
/// generated script as single shell words: a hostile contract still gives a
/// script that `sh -n` and shellcheck accept and that runs nothing of it.
#[test]
fn contract_values_are_shell_escaped_in_the_generated_test() {
    let ws = Workspace::fixture("service");
    ws.write(
        &format!("{FEATURE}/contracts/it's $(touch pwned) `x`.yaml"),
        "openapi: 3.0.0\npaths:\n  \"/a/{id}/$(touch pwned)\":\n    post:\n      security: [{k: []}]\n      parameters: [{name: id, in: path, example: \"'; touch pwned; '\"}]\n      requestBody:\n        required: true\n        content: {application/json: {example: {q: \"it's `x` $(y) \\\"z\\\"\"}}}\n      responses: {'201': {description: ok}}\n",
    );
    ws.run(&["scaffold", "--feature", "001"]).ok();
    let name = "docker/test/contracts/it's $(touch pwned) `x`_test.sh";
    let script = ws.read(name);
    assert!(
        script.contains("'/a/%27%3B%20touch%20pwned%3B%20%27/$(touch pwned)'"),
        "{script}"
    );
    let parsed = std::process::Command::new("sh")
        .args(["-n", name])
        .current_dir(ws.root())
        .status()
        .unwrap();
    assert!(parsed.success());
    if scaffold_support::tool_available("shellcheck", &["--version"]) {
        scaffold_support::assert_shellcheck_clean(ws.root(), &[name]);
    }
    assert!(!ws.path("pwned").exists());
}
