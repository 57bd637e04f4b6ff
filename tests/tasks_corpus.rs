//! The tasks.md corpus: files in the shapes teams write (spec-kit's current
//! and older templates, hand-written lists, another agent's), each with an
//! `expected.txt` beside it stating what a person reads in it: the task and
//! done counts, the first batch of work, every dependency the file states and
//! every problem `check` should report.
//!
//! Counts, first batch and problems must match exactly; of the stated edges
//! at least 95 % must be read and none that the file does not state. `status`'s
//! ready list and `next`'s first batch are compared through the real binary.
//! `CORPUS_BLESS=1 cargo test --test tasks_corpus` rewrites the expected files from
//! what is read (review the diff by hand before committing it).

mod done_support;

use cargo_tasks::tasks::check::check;
use cargo_tasks::tasks::graph::Graph;
use cargo_tasks::tasks::read::{parse, TasksDoc};
use cargo_tasks::Severity;
use done_support::{Repo, TASKS};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, PartialEq)]
struct Expected {
    tasks: usize,
    done: usize,
    first_batch: Vec<String>,
    edges: BTreeSet<(String, String)>,
    problems: Vec<String>,
}

impl Expected {
    fn parse(text: &str) -> Expected {
        let mut expected = Expected::default();
        let mut section = "";
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(value) = line.strip_prefix("tasks: ") {
                expected.tasks = value.parse().expect("task count");
            } else if let Some(value) = line.strip_prefix("done: ") {
                expected.done = value.parse().expect("done count");
            } else if let Some(value) = line.strip_prefix("first batch:") {
                expected.first_batch = value.split_whitespace().map(String::from).collect();
            } else if line == "edges:" || line == "problems:" {
                section = line;
            } else if section == "edges:" {
                let (before, after) = line.split_once(' ').expect("`BEFORE AFTER`");
                expected.edges.insert((before.into(), after.into()));
            } else if section == "problems:" {
                expected.problems.push(line.to_string());
            } else {
                panic!("unexpected line in expected.txt: {line}");
            }
        }
        expected
    }

    fn render(&self) -> String {
        let mut out = format!(
            "tasks: {}\ndone: {}\nfirst batch: {}\nedges:\n",
            self.tasks,
            self.done,
            self.first_batch.join(" ")
        );
        for (before, after) in &self.edges {
            let _ = writeln!(out, "{before} {after}");
        }
        out.push_str("problems:\n");
        for problem in &self.problems {
            let _ = writeln!(out, "{problem}");
        }
        out
    }
}

/// What the reader makes of a file, in the expected file's terms.
fn read(doc: &TasksDoc) -> Expected {
    let mut edges = BTreeSet::new();
    for dependency in &doc.dependencies {
        for before in &dependency.before {
            for after in dependency.after.iter().filter(|a| *a != before) {
                edges.insert((before.to_string(), after.to_string()));
            }
        }
    }
    Expected {
        tasks: doc.tasks.len(),
        done: doc.tasks.iter().filter(|e| e.task.done).count(),
        first_batch: Graph::new(doc)
            .ready()
            .iter()
            .map(|e| e.task.id.to_string())
            .collect(),
        edges,
        problems: check(doc)
            .iter()
            .map(|p| {
                let severity = match p.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                format!("{}: {severity}: {}", p.line, p.message)
            })
            .collect(),
    }
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("tasks.md").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn text_of(dir: &Path) -> String {
    String::from_utf8(fs::read(dir.join("tasks.md")).expect("tasks.md")).expect("UTF-8")
}

#[test]
fn the_corpus_is_read_as_a_person_reads_it() {
    let dirs = corpus();
    assert!(dirs.len() >= 20, "only {} corpus files", dirs.len());
    assert!(
        dirs.iter().any(|d| read(&parse(&text_of(d))).tasks >= 200),
        "no file of 200+ tasks"
    );
    let bless = std::env::var_os("CORPUS_BLESS").is_some();
    let mut failures = Vec::new();
    let (mut stated, mut found) = (0usize, 0usize);
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let actual = read(&parse(&text_of(dir)));
        let expected_path = dir.join("expected.txt");
        if bless {
            fs::write(&expected_path, actual.render()).unwrap();
            continue;
        }
        let expected = Expected::parse(&fs::read_to_string(&expected_path).expect("expected.txt"));
        for (what, same) in [
            ("task count", expected.tasks == actual.tasks),
            ("done count", expected.done == actual.done),
            ("first batch", expected.first_batch == actual.first_batch),
            ("problems", expected.problems == actual.problems),
        ] {
            if !same {
                failures.push(format!("{name}: {what} differs"));
            }
        }
        let unstated: Vec<_> = actual.edges.difference(&expected.edges).collect();
        if !unstated.is_empty() {
            failures.push(format!(
                "{name}: edges the file does not state: {unstated:?}"
            ));
        }
        let read_here = expected.edges.intersection(&actual.edges).count();
        stated += expected.edges.len();
        found += read_here;
        if !expected.edges.is_empty() && read_here * 100 < expected.edges.len() * 95 {
            failures.push(format!(
                "{name}: {read_here} of {} stated edges read",
                expected.edges.len()
            ));
        }
        if !failures.is_empty() && failures.last().is_some_and(|f| f.starts_with(&name)) {
            failures.push(format!("{name}: read as\n{}", actual.render()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!(
        "{} files: {found} of {stated} stated edges read",
        dirs.len()
    );
    assert!(
        stated > 0 && found * 100 >= stated * 95,
        "{found} of {stated} edges"
    );
}

fn ready_ids(json: &serde_json::Value) -> Vec<String> {
    json.as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn status_ready_is_next_first_batch_on_every_file() {
    for dir in corpus() {
        let repo = Repo::new(&text_of(&dir));
        let status: serde_json::Value =
            serde_json::from_str(&repo.ok(&["status", "--format", "json"])).unwrap();
        let next: serde_json::Value =
            serde_json::from_str(&repo.ok(&["next", "--format", "json"])).unwrap();
        let ready = ready_ids(&status["ready"]);
        let first = next.get(0).map(ready_ids).unwrap_or_default();
        assert_eq!(ready, first, "{}", dir.display());
        let expected = Expected::parse(&fs::read_to_string(dir.join("expected.txt")).unwrap());
        assert_eq!(ready, expected.first_batch, "{}", dir.display());
    }
}

/// `done` then `undo` on one task changes its checkbox byte (to the file's
/// usual done mark) and nothing else.
fn toggles_only_its_own_box(fixture: &str, id: &str, line_start: &str, mark: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(fixture);
    let text = text_of(&dir);
    let repo = Repo::new(&text);
    repo.ok(&["done", id, "--no-commit", "--force"]);
    let done = String::from_utf8(repo.read(TASKS)).unwrap();
    let checked = line_start.replacen("[ ]", mark, 1);
    assert_eq!(
        text.matches(line_start).count(),
        1,
        "{fixture}: {line_start}"
    );
    assert_eq!(
        done,
        text.replacen(line_start, &checked, 1),
        "{fixture} {id}"
    );
    repo.ok(&["undo", id, "--no-commit"]);
    assert_eq!(
        String::from_utf8(repo.read(TASKS)).unwrap(),
        text,
        "{fixture} {id}"
    );
}

#[test]
fn done_and_undo_change_only_that_tasks_box_in_every_form() {
    toggles_only_its_own_box("tdd-pairs", "T004a", "- [ ] T004a", "[x]");
    toggles_only_its_own_box("dashed-suffix", "t051-test", "- [ ] T051-TEST", "[x]");
    toggles_only_its_own_box("bold-hand", "T004", "- [ ] **T004**", "[x]");
    toggles_only_its_own_box("numbered-only", "T003", "3. [ ] T003", "[X]");
    toggles_only_its_own_box("detail-bullets", "T006", "- [ ] T006", "[x]");
    toggles_only_its_own_box("crlf-bom", "T002", "- [ ] T002", "[X]");
}

#[test]
fn done_refuses_a_repeated_id_naming_its_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/duplicates");
    let repo = Repo::new(&text_of(&dir));
    let stderr = repo.fails(&["done", "T003", "--no-commit", "--force"]);
    assert!(
        stderr.contains("T003 is on more than one line (6, 10); cannot tell which one to mark"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8(repo.read(TASKS)).unwrap(), text_of(&dir));
}

#[test]
fn done_names_what_a_task_that_is_not_ready_waits_for() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/story-chain");
    let repo = Repo::new(&text_of(&dir));
    repo.write("app/scale.py", "x = 1\n");
    let stderr = repo.fails(&["done", "T008", "--no-commit"]);
    assert!(
        stderr.contains("T008 depends on tasks not done yet: T004, T005, T006, T007"),
        "{stderr}"
    );
    repo.ok(&["done", "T008", "--no-commit", "--force"]);
}
