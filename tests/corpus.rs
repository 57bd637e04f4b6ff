//! The feature corpus: directories under tests/corpus/features/, written in
//! the shapes real teams use, each with `expected.facts` beside it (`kind
//! value` per line; `bins` names the workspace's binary targets). The test
//! reads every feature, reports precision and recall per fact kind, and fails
//! below the thresholds of issue 7: environment variables, ports, health
//! endpoints and contract requests need recall 0.95 with no false positive;
//! entities and scenarios need precision and recall 0.9. The placement of
//! container files is scored the same strict way: `docker` (the docker
//! directory), `place` (each service's directory) and `new` (the tree's
//! entries marked new); so are `image` (`builder X`, `runtime X`) and
//! `decision` (its text), where an alternative the documents rejected must
//! never show up. Generate is run twice on every feature and must give
//! byte-identical files.

use cargo_tasks::facts::Facts;
use cargo_tasks::layout::{self, Binary, Layout};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const KINDS: [&str; 11] = [
    "env", "port", "health", "request", "entity", "scenario", "docker", "place", "new", "image",
    "decision",
];

fn features() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/features");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

struct Expected {
    bins: Vec<String>,
    facts: BTreeSet<(String, String)>,
}

fn expected(dir: &Path) -> Expected {
    let text = fs::read_to_string(dir.join("expected.facts")).expect("expected.facts");
    let mut bins = vec!["app".to_string()];
    let mut facts = BTreeSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (kind, value) = line.split_once(' ').expect("`kind value`");
        if kind == "bins" {
            bins = value.split_whitespace().map(str::to_string).collect();
        } else {
            assert!(
                KINDS.contains(&kind),
                "{}: unknown kind {kind}",
                dir.display()
            );
            facts.insert((kind.to_string(), value.trim().to_string()));
        }
    }
    Expected { bins, facts }
}

fn found(
    docs: &cargo_tasks::spec::Documents,
    layout: &Layout,
    facts: &Facts,
) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut add = |kind: &str, value: String| {
        found.insert((kind.to_string(), value));
    };
    add("docker", layout.docker_dir.clone());
    let images = [
        ("builder", &facts.images.builder),
        ("runtime", &facts.images.runtime),
    ];
    for (stage, image) in images {
        if let Some(image) = image {
            add("image", format!("{stage} {}", image.value));
        }
    }
    facts
        .decisions
        .iter()
        .for_each(|d| add("decision", d.text.clone()));
    layout
        .services
        .iter()
        .for_each(|s| add("place", s.dir.clone()));
    docs.plan
        .tree
        .iter()
        .filter(|p| p.new)
        .for_each(|p| add("new", p.path.clone()));
    facts.env.iter().for_each(|v| add("env", v.name.clone()));
    facts
        .ports
        .iter()
        .for_each(|p| add("port", p.port.to_string()));
    facts
        .health
        .iter()
        .for_each(|h| add("health", h.path.clone()));
    for contract in &facts.contracts {
        for r in &contract.requests {
            add("request", format!("{} {} {}", r.method, r.path, r.status));
        }
    }
    facts
        .entities
        .iter()
        .for_each(|e| add("entity", e.value.clone()));
    facts
        .scenarios
        .iter()
        .for_each(|s| add("scenario", s.title.clone()));
    found
}

#[derive(Default)]
struct Score {
    true_positives: usize,
    false_positives: Vec<String>,
    false_negatives: Vec<String>,
}

impl Score {
    fn precision(&self) -> f64 {
        let found = self.true_positives + self.false_positives.len();
        if found == 0 {
            1.0
        } else {
            self.true_positives as f64 / found as f64
        }
    }

    fn recall(&self) -> f64 {
        let wanted = self.true_positives + self.false_negatives.len();
        if wanted == 0 {
            1.0
        } else {
            self.true_positives as f64 / wanted as f64
        }
    }
}

#[test]
fn corpus_precision_and_recall_per_fact_kind() {
    let dirs = features();
    assert!(dirs.len() >= 25, "the corpus holds {} features", dirs.len());
    let mut scores: BTreeMap<&str, Score> = KINDS.iter().map(|k| (*k, Score::default())).collect();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected = expected(dir);
        let (docs, _) = cargo_tasks::spec::load(dir).expect("loads");
        let binaries: Vec<Binary> = expected
            .bins
            .iter()
            .map(|name| Binary {
                name,
                package: "corpus",
                dir: String::new(),
            })
            .collect();
        let layout = layout::decide(&docs.plan, &binaries).expect("a layout");
        let facts = Facts::build(&docs, &layout.names());
        let found = found(&docs, &layout, &facts);
        for kind in KINDS {
            let score = scores.get_mut(kind).unwrap();
            let of_kind = |set: &BTreeSet<(String, String)>| -> BTreeSet<String> {
                set.iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            let (want, got) = (of_kind(&expected.facts), of_kind(&found));
            score.true_positives += want.intersection(&got).count();
            score
                .false_positives
                .extend(got.difference(&want).map(|v| format!("{name}: {v}")));
            score
                .false_negatives
                .extend(want.difference(&got).map(|v| format!("{name}: {v}")));
        }
    }
    let mut report = String::new();
    let mut failures = Vec::new();
    for (kind, score) in &scores {
        let (p, r) = (score.precision(), score.recall());
        report.push_str(&format!(
            "{kind:9} precision {p:.3} recall {r:.3} ({} found right, {} wrong, {} missed)\n",
            score.true_positives,
            score.false_positives.len(),
            score.false_negatives.len()
        ));
        let ok = match *kind {
            "entity" | "scenario" => p >= 0.9 && r >= 0.9,
            _ => r >= 0.95 && score.false_positives.is_empty(),
        };
        if !ok {
            failures.push(format!(
                "{kind}: wrong {:?}, missed {:?}",
                score.false_positives, score.false_negatives
            ));
        }
    }
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}

/// A throw-away workspace whose package has the fixture's binaries and the
/// fixture as its only feature.
fn workspace(dir: &Path, bins: &[String]) -> tempfile::TempDir {
    let ws = tempfile::tempdir().expect("temp dir");
    let mut manifest =
        String::from("[package]\nname = \"corpus\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    for bin in bins {
        manifest.push_str(&format!(
            "\n[[bin]]\nname = \"{bin}\"\npath = \"src/bin/{bin}.rs\"\n"
        ));
        fs::create_dir_all(ws.path().join("src/bin")).unwrap();
        fs::write(
            ws.path().join(format!("src/bin/{bin}.rs")),
            "fn main() {}\n",
        )
        .unwrap();
    }
    fs::write(ws.path().join("Cargo.toml"), manifest).unwrap();
    let feature = ws.path().join("specs/001-corpus");
    copy(dir, &feature);
    fs::remove_file(feature.join("expected.facts")).unwrap();
    ws
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn generate_is_byte_identical_on_a_second_run_for_every_feature() {
    for dir in features() {
        let expected = expected(&dir);
        let ws = workspace(&dir, &expected.bins);
        let generate = || {
            let out = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
                .args(["tasks", "--offline", "generate", "--feature", "001"])
                .current_dir(ws.path())
                .env_remove("SPECIFY_FEATURE")
                .env_remove("SPECIFY_FEATURE_DIRECTORY")
                .env("CARGO_TERM_COLOR", "never")
                .output()
                .expect("runs");
            assert!(
                out.status.success(),
                "{}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            fs::read(ws.path().join("specs/001-corpus/tasks.md")).expect("tasks.md written")
        };
        let first = generate();
        let second = generate();
        assert!(
            first == second,
            "{}: the second run changed tasks.md",
            dir.display()
        );
    }
}

/// Reachability over `before → after` pairs: every task's set of tasks that
/// must come first, through any path.
fn closure(pairs: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut before_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (before, after) in pairs.iter().filter(|(b, a)| b != a) {
        before_of.entry(after).or_default().push(before);
    }
    let mut reach = BTreeMap::new();
    for &task in before_of.keys() {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut stack: Vec<&str> = before_of[task].clone();
        while let Some(next) = stack.pop() {
            if seen.insert(next.to_string()) {
                stack.extend(before_of.get(next).into_iter().flatten());
            }
        }
        reach.insert(task.to_string(), seen);
    }
    reach
}

/// The tasks.md with its Dependencies section replaced by one line per
/// direct edge (how generate wrote it before transitive reduction).
fn every_edge_written(text: &str, pairs: &[(String, String)]) -> String {
    let start = text
        .find("\n## Dependencies\n")
        .expect("a Dependencies section")
        + 1;
    let end = start + 1 + text[start + 1..].find("\n## ").expect("a section after it");
    let lines: String = pairs
        .iter()
        .map(|(before, after)| format!("- {before} blocks {after}\n"))
        .collect();
    format!("{}## Dependencies\n{lines}{}", &text[..start], &text[end..])
}

/// Runs generate on every feature of `root` and checks each tasks.md it
/// writes: its Dependencies section reads back to the reachability of the
/// tasks generate computed (`--format json`); status, next, done and check
/// (one graph) see the same waits as with every direct edge written; `check`
/// passes with no warning. Returns the number of features checked, or the
/// error when generate refuses the input.
fn dependencies_round_trip(root: &Path, flags: &[&str]) -> Result<usize, String> {
    use cargo_tasks::tasks::{graph::Graph, read, TaskId};
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
            .args(["tasks", "--offline"])
            .args(args)
            .current_dir(root)
            .env_remove("SPECIFY_FEATURE")
            .env_remove("SPECIFY_FEATURE_DIRECTORY")
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .expect("runs")
    };
    let out = run(&[&["generate", "--all", "--force", "--format", "json"], flags].concat());
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let features: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let features = features.as_array().expect("one entry per feature");
    for feature in features {
        let rel = feature["path"].as_str().expect("path");
        let mut generated: Vec<(String, String)> = Vec::new();
        for task in feature["tasks"].as_array().expect("tasks") {
            for before in task["depends_on"].as_array().expect("depends_on") {
                let (before, id) = (before.as_str().unwrap(), task["id"].as_str().unwrap());
                generated.push((before.to_string(), id.to_string()));
            }
        }
        let text = fs::read_to_string(root.join(rel).join("tasks.md")).expect("tasks.md");
        let doc = read::parse(&text);
        let read_back: Vec<(String, String)> = doc
            .dependencies
            .iter()
            .flat_map(|d| {
                d.before
                    .iter()
                    .flat_map(|b| d.after.iter().map(|a| (b.to_string(), a.to_string())))
            })
            .collect();
        assert_eq!(closure(&read_back), closure(&generated), "{rel} {flags:?}");
        let all_edges = read::parse(&every_edge_written(&text, &generated));
        let batches = |doc: &read::TasksDoc| -> Vec<Vec<String>> {
            let graph = Graph::new(doc);
            let ids = |batch: &Vec<&read::TaskEntry>| {
                batch.iter().map(|e| e.task.id.to_string()).collect()
            };
            graph.batches().iter().map(ids).collect()
        };
        assert_eq!(
            batches(&doc),
            batches(&all_edges),
            "{rel} {flags:?}: next's batches"
        );
        for entry in &doc.tasks {
            let id: TaskId = entry.task.id;
            assert_eq!(
                Graph::new(&doc).waits_for(id),
                Graph::new(&all_edges).waits_for(id),
                "{rel} {flags:?}: what {id} waits for"
            );
        }
        let check = run(&["check", "--feature", rel]);
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert!(
            check.status.success() && stderr.contains(" 0 errors, 0 warnings)"),
            "{rel} {flags:?}: {stderr}"
        );
    }
    Ok(features.len())
}

#[test]
fn dependencies_read_back_to_what_generate_computed() {
    for dir in features() {
        let ws = workspace(&dir, &expected(&dir).bins);
        for flags in [&[][..], &["--tdd"]] {
            let checked = dependencies_round_trip(ws.path(), flags);
            assert_eq!(checked, Ok(1), "{}", dir.display());
        }
    }
    // The CLI scenarios' input trees (those generate accepts: the others
    // test its refusals).
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite/generate");
    let mut checked = 0;
    for entry in fs::read_dir(fixtures).expect("fixtures") {
        let input = entry.expect("entry").path();
        if input.extension().is_some_and(|e| e == "in") {
            let ws = tempfile::tempdir().expect("temp dir");
            copy(&input, ws.path());
            checked += dependencies_round_trip(ws.path(), &[]).unwrap_or(0);
        }
    }
    assert!(checked >= 25, "only {checked} fixture features generated");
}
