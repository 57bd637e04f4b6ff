//! `status`, `next`, `graph` and `check` on real files through the real binary.

mod done_support;

use done_support::{Repo, TASKS};

const TASKS_MD: &str = "# Tasks: x\n\n## Phase 3.1: Setup\n\
- [X] T001 Create docker/Dockerfile\n\
- [ ] T002 [P] Entrypoint in docker/entrypoint.sh\n\
- [ ] T003 [P] Notes in docs/notes.md\n\
- [ ] T004 [P] More notes in docs/\n\n\
## Phase 3.3: Tests\n\
- [ ] T005 Build test in docker/test/build_test.sh (depends on T002)\n\n\
## Dependencies\n- T001 blocks T002, T003, T004\n\n\
## Parallel Example\n```\n- [ ] T009 Not a task\n```\n";

#[test]
fn status_shows_phases_overall_and_ready_tasks() {
    let repo = Repo::new(TASKS_MD);
    assert_eq!(
        repo.ok(&["status"]),
        "specs/001-x/tasks.md\n  Phase 3.1: Setup  [#####---------------] 1/4\n  Phase 3.3: Tests  [--------------------] 0/1\n\
         Overall: 1/5 done (20%)\nReady:\n  T002 Entrypoint in docker/entrypoint.sh\n  T003 Notes in docs/notes.md\n"
    );
}

#[test]
fn status_json_is_machine_readable() {
    let repo = Repo::new(TASKS_MD);
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["status", "--format", "json"])).unwrap();
    assert_eq!(json["done"], 1);
    assert_eq!(json["total"], 5);
    assert_eq!(json["percent"], 20);
    assert_eq!(json["phases"][1]["name"], "Phase 3.3: Tests");
    assert_eq!(json["ready"][0]["id"], "T002");
    assert_eq!(json["ready"][0]["paths"][0], "docker/entrypoint.sh");
    assert_eq!(json["ready"][0]["depends_on"][0], "T001");
    assert_eq!(json["ready"].as_array().unwrap().len(), 2);
}

#[test]
fn next_shows_batches_whose_first_is_status_ready() {
    let repo = Repo::new(TASKS_MD);
    assert_eq!(
        repo.ok(&["next"]),
        "Batch 1, ready now (can run in parallel):\n  T002 Entrypoint in docker/entrypoint.sh\n  T003 Notes in docs/notes.md\n\
         Batch 2, then:\n  T004 More notes in docs/\nBatch 3, then:\n  T005 Build test in docker/test/build_test.sh (depends on T002)\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["next", "--format", "json"])).unwrap();
    assert_eq!(json[0][1]["id"], "T003");
    assert_eq!(json[0][1]["phase"], "Phase 3.1: Setup");
    assert_eq!(json[1][0]["id"], "T004");
    assert_eq!(json[2][0]["depends_on"], serde_json::json!(["T002"]));
    assert_eq!(json[2][0]["line"], 10);
    let all_done = Repo::new("- [x] T001 a in a.txt\n");
    assert_eq!(all_done.ok(&["next"]), "All tasks are done.\n");
}

#[test]
fn next_json_carries_story_tags_and_paths() {
    let repo = Repo::new(
        "## Phase 3: User Story 1\n- [ ] T010 [P] [US1] [TDD] Test in tests/a.rs\n  - Files: `tests/fixtures/a.json`\n",
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["next", "--format", "json"])).unwrap();
    assert_eq!(
        json[0][0],
        serde_json::json!({
            "id": "T010", "description": "Test in tests/a.rs", "phase": "Phase 3: User Story 1",
            "story": "US1", "tags": ["TDD"], "parallel": true, "done": false,
            "paths": ["tests/a.rs", "tests/fixtures/a.json"], "depends_on": [], "depends_on_groups": [], "line": 2
        })
    );
}

#[test]
fn graph_renders_mermaid_dot_and_svg_with_done_tasks_apart() {
    let repo = Repo::new(TASKS_MD);
    let mermaid = repo.ok(&["graph"]);
    assert!(mermaid.starts_with("flowchart TD\n"), "{mermaid}");
    assert!(
        mermaid.contains("    T001 --> T002\n    T001 --> T003\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("    T002 --> T005\n"), "{mermaid}");
    assert!(mermaid.contains("    class T001 done\n"), "{mermaid}");
    assert!(!mermaid.contains("T009"), "{mermaid}");
    let dot = repo.ok(&["graph", "--format", "dot"]);
    assert!(dot.starts_with("digraph tasks {\n"), "{dot}");
    assert!(dot.contains("    \"T001\" -> \"T004\";\n"), "{dot}");
    assert!(
        dot.contains("\"T001\" [label=\"T001: Create docker/Dockerfile\", style=filled"),
        "{dot}"
    );
    let svg = repo.ok(&["graph", "--format", "svg"]);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert_eq!(svg.matches("<g class=\"task").count(), 5);
    assert_eq!(svg.matches("<g class=\"phase\">").count(), 2);
    assert_eq!(svg.matches("<path class=\"edge\"").count(), 4);
    assert_eq!(svg.matches("class=\"task done\"").count(), 1);
}

#[test]
fn check_passes_a_clean_file_and_warnings_fail_only_when_denied() {
    let repo = Repo::new(&TASKS_MD.replace("notes in docs/", "notes in notes/"));
    let output = repo.run(&["check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("Checked specs/001-x/tasks.md (5 tasks, 0 errors, 0 warnings)"));
    let repo = Repo::new(TASKS_MD);
    let output = repo.run(&["check"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "warning: specs/001-x/tasks.md:6: T003 and T004 overlap in one phase: docs/ (T004) holds docs/notes.md (T003), and one of them is [P]\n"
    );
    assert_eq!(output.status.code(), Some(0));
    for deny in [
        &["check", "--deny-warnings"][..],
        &["check", "-D", "warnings"],
    ] {
        let output = repo.run(deny);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("check failed: 0 errors, 1 warning"),
            "{stderr}"
        );
    }
    let output = repo.run(&["check", "-D", "nonsense"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("nonsense"));
}

#[test]
fn check_reports_every_problem_as_file_line_and_severity_and_exits_1() {
    let repo = Repo::new(TASKS_MD);
    repo.write(
        "hand.md",
        "## Phase 1\n- [ ] **T001** [P] a in src/a.rs\n- [ ] **T002** [P] b in src/a.rs\n- [x] T001 again in x.rs\n\
         - [ ] T003 nothing named\n## Dependencies\n- T002 blocks T001\n- T001 blocks T002\n- T003 blocks T404\n- Models before services\n",
    );
    let output = repo.run(&["check", "hand.md"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "error: hand.md:2: duplicate task ID T001 (also on line 4)\n\
         error: hand.md:2: dependency cycle: T001 → T002 → T001\n\
         error: hand.md:3: T001 and T002 share src/a.rs in one phase, and both are [P] and would run together\n\
         warning: hand.md:5: T003 names no file or directory path\n\
         error: hand.md:9: dependency names unknown task T404\n\
         warning: hand.md:10: cannot tell which tasks `Models before services` orders; no dependency read from it\n"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("check failed: 4 errors, 2 warnings"));
    let output = repo.run(&["check", "hand.md", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["errors"], 4);
    assert_eq!(json["warnings"], 2);
    assert_eq!(
        json["edges"],
        serde_json::json!([
            {"before": ["T002"], "after": ["T001"], "line": 7},
            {"before": ["T001"], "after": ["T002"], "line": 8},
            {"before": ["T003"], "after": ["T404"], "line": 9},
        ])
    );
    assert_eq!(json["problems"][0]["severity"], "error");
}

#[test]
fn check_of_a_missing_file_names_it() {
    let repo = Repo::new(TASKS_MD);
    let stderr = repo.fails(&["check", "nope/tasks.md"]);
    assert!(stderr.contains("nope/tasks.md"), "{stderr}");
    std::fs::remove_file(repo.root().join(TASKS)).unwrap();
    let stderr = repo.fails(&["status"]);
    assert!(stderr.contains("tasks.md"), "{stderr}");
}

/// A file with every mechanical problem, one that takes a person (the
/// repeated T006) and lines that must stay byte for byte (CRLF, trailing
/// spaces, a `[P]` in prose, a fence).
const FIXABLE: &str = "# Tasks: fixable\r\n\r\n## Phase 1: Setup\r\n\
- T001 Create docker/ and its scripts  \r\n\
- [ ] T002 [P] Base image in docker/Dockerfile\r\n\
- [ ] **T003 [P]** Build stage in docker/Dockerfile\r\n\
- [] T004 [P] Entrypoint in docker/entrypoint.sh\r\n\
T005: Health probe in docker/health.sh\r\n\r\n\
## Phase 2: Notes\r\n\
- [ ] T006 Mark parallel tasks with [P] in docs/notes.md\r\n\
- [ ] T006 Again in docs/more.md\r\n\
```\r\n- T099 not a task in a fence\r\n```\r\n";

#[test]
fn check_fix_applies_mechanical_fixes_atomically_and_a_second_run_is_a_no_op() {
    let repo = Repo::new(FIXABLE);
    let fixed = FIXABLE
        .replacen("- T001", "- [ ] T001", 1)
        .replacen("T002 [P] Base", "T002 Base", 1)
        .replacen("**T003 [P]**", "**T003**", 1)
        // Given its box, T001 names docker/, which holds T004's file.
        .replacen("- [] T004 [P]", "- [ ] T004", 1)
        .replacen("\nT005:", "\n- [ ] T005:", 1);
    let before = repo.run(&["check"]);
    assert_eq!(before.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&before.stderr);
    assert!(
        stderr.contains("4 of them can be fixed with `cargo tasks check --fix`"),
        "{stderr}"
    );

    let dry = repo.run(&["check", "--fix", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(1), "the repeated ID remains");
    assert_eq!(repo.tasks(), FIXABLE, "--dry-run changes nothing");
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        stdout.starts_with("--- a/specs/001-x/tasks.md\n+++ b/specs/001-x/tasks.md\n"),
        "{stdout}"
    );
    for line in [
        "\n-- T001 Create docker/ and its scripts  \r\n",
        "\n+- [ ] T001 Create docker/ and its scripts  \r\n",
        "\n+- [ ] **T003** Build stage in docker/Dockerfile\r\n",
    ] {
        assert!(stdout.contains(line), "{line:?} in {stdout}");
    }
    assert!(
        stdout.ends_with(
            "error: specs/001-x/tasks.md:11: duplicate task ID T006 (also on line 12)\n"
        ),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&dry.stderr)
        .contains("Would fix 5 problems in specs/001-x/tasks.md (dry run)"));

    let stderr = repo.fails(&["check", "--fix"]);
    assert!(
        stderr.contains("Fixed 5 problems in specs/001-x/tasks.md"),
        "{stderr}"
    );
    assert!(
        stderr.contains("check failed: 1 error, 0 warnings"),
        "{stderr}"
    );
    assert_eq!(repo.tasks(), fixed);
    let leftovers: Vec<_> = std::fs::read_dir(repo.root().join("specs/001-x"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "tasks.md")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let again = repo.run(&["check", "--fix", "--format", "json"]);
    assert_eq!(again.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(json["fixed"], 0);
    assert_eq!(json["errors"], 1);
    assert_eq!(json["tasks"], 7);
    assert_eq!(repo.tasks(), fixed, "a second run changes nothing");

    repo.write(
        TASKS,
        &fixed.replacen("- [ ] T006 Again in docs/more.md\r\n", "", 1),
    );
    let clean = repo.run(&["check", "--fix"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&clean.stderr).contains("Fixed"));
}

/// `check --format json` marks a problem `fixable` exactly when `check --fix`
/// changes the file for it (a missing or unreadable checkbox, a plain `[P]`
/// on a shared path): after `--fix`, the problems left are word for word the
/// ones that were not.
#[test]
fn check_json_says_which_problems_fix_fixes() {
    let text = format!(
        "{FIXABLE}\r\n## Phase 3: Config\r\n\
         - [ ] T007 [P] Defaults in src/config.rs\r\n\
         - [ ] T008 Loader in src/config.rs\r\n\
         - [ ] T009 Tidy up\r\n"
    );
    let repo = Repo::new(&text);
    let output = repo.run(&["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let problem = |line: usize, severity: &str, message: &str, fixable: bool| serde_json::json!({"line": line, "severity": severity, "message": message, "fixable": fixable});
    let unfixable = [
        problem(
            11,
            "error",
            "duplicate task ID T006 (also on line 12)",
            false,
        ),
        problem(20, "warning", "T009 names no file or directory path", false),
    ];
    let expected = [
        problem(4, "warning", "T001 has no checkbox, so it is not read as a task; `- [ ] T001 ...` makes it one", true),
        problem(6, "error", "T002 and T003 share docker/Dockerfile in one phase, and both are [P] and would run together", true),
        problem(7, "error", "T004's checkbox `[]` is not one Markdown reads, so it is not read as a task; write `[ ]`, or `[x]` when it is done", true),
        problem(8, "warning", "T005 has no checkbox, so it is not read as a task; `- [ ] T005 ...` makes it one", true),
        unfixable[0].clone(),
        problem(19, "warning", "T007 and T008 share src/config.rs in one phase, and one of them is [P]", true),
        unfixable[1].clone(),
    ];
    assert_eq!(json["problems"], serde_json::json!(expected), "{json}");

    repo.fails(&["check", "--fix"]);
    let after = repo.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(json["problems"], serde_json::json!(unfixable), "{json}");
}

/// The number after `name="` in an SVG element.
fn attribute(element: &str, name: &str) -> f64 {
    let start = element.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    let end = start + element[start..].find('"').unwrap();
    element[start..end].parse().expect("a number")
}

/// From each place `start` occurs in the SVG to the end of that line (the
/// generator writes one element or group per line).
fn elements<'a>(svg: &'a str, start: &str) -> Vec<&'a str> {
    svg.match_indices(start)
        .map(|(at, _)| &svg[at..at + svg[at..].find('\n').unwrap()])
        .collect()
}

/// The points each edge path goes through: its start and each curve's end.
fn routes(svg: &str) -> Vec<Vec<(f64, f64)>> {
    elements(svg, "<path class=\"edge\"")
        .iter()
        .map(|path| {
            let d = &path[path.find(" d=\"").unwrap() + 4..];
            let d = &d[..d.find('"').unwrap()];
            let pairs: Vec<(f64, f64)> = d
                .split([' ', 'M', 'C'])
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            std::iter::once(pairs[0])
                .chain(pairs[1..].iter().skip(2).step_by(3).copied())
                .collect()
        })
        .collect()
}

/// Pairs of segments that cross (sharing no end point).
fn crossings(routes: &[Vec<(f64, f64)>]) -> usize {
    type Point = (f64, f64);
    let segments: Vec<(Point, Point)> = routes
        .iter()
        .flat_map(|r| r.windows(2).map(|w| (w[0], w[1])))
        .collect();
    let side = |a: Point, b: Point, c: Point| (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
    let mut count = 0;
    for (i, &(p1, p2)) in segments.iter().enumerate() {
        for &(p3, p4) in &segments[i + 1..] {
            if [p3, p4].contains(&p1) || [p3, p4].contains(&p2) {
                continue;
            }
            let apart = side(p3, p4, p1) * side(p3, p4, p2) < 0.0
                && side(p1, p2, p3) * side(p1, p2, p4) < 0.0;
            count += usize::from(apart);
        }
    }
    count
}

/// (x0, y0, x1, y1) of an element's first rect.
fn bounds(element: &str) -> (f64, f64, f64, f64) {
    let rect = &element[element.find("<rect ").unwrap()..];
    let (x, y) = (attribute(rect, "x"), attribute(rect, "y"));
    (
        x,
        y,
        x + attribute(rect, "width"),
        y + attribute(rect, "height"),
    )
}

#[test]
fn graph_svg_is_layered_clustered_labelled_and_crosses_less_than_before() {
    // Generated files of the CLI scenarios, and the edge crossings of the
    // straight-line drawing before layering and clusters (the drawing code of
    // commit 2cc4724 run on these files as of commit 5758036).
    for (tasks_md, before) in [
        (
            include_str!("testsuite/generate/multi.out/specs/002-split/tasks.md"),
            73,
        ),
        (
            include_str!("testsuite/generate/single.out/specs/001-containerize-hello/tasks.md"),
            70,
        ),
    ] {
        let repo = Repo::new(tasks_md);
        let svg = repo.ok(&["graph", "--format", "svg"]);
        let doc = cargo_tasks::tasks::read::parse(tasks_md);
        let phases: Vec<(String, (f64, f64, f64, f64))> = elements(&svg, "<g class=\"phase\">")
            .iter()
            .map(|g| {
                let title = &g[g.find("<title>").unwrap() + 7..g.find("</title>").unwrap()];
                (title.to_string(), bounds(g))
            })
            .collect();
        assert_eq!(phases.len(), 5, "{svg}");
        let tasks = elements(&svg, "<g class=\"task");
        assert_eq!(tasks.len(), doc.tasks.len());
        let overlap = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
            a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
        };
        for (entry, g) in doc.tasks.iter().zip(&tasks) {
            let id = entry.task.id.to_string();
            assert!(g.contains(&format!("<title>{id}: ")), "{g}");
            assert!(
                g.contains(&format!("font-weight=\"bold\">{id}</text>")),
                "{g}"
            );
            let first_words: String = entry.task.description.chars().take(12).collect();
            assert!(
                g.contains(&format!("font-size=\"11\">{first_words}")),
                "{g}"
            );
            // Inside its phase's box, and in no other.
            let b = bounds(g);
            for (title, area) in &phases {
                let inside = area.0 <= b.0 && b.2 <= area.2 && area.1 <= b.1 && b.3 <= area.3;
                assert_eq!(inside, *title == entry.task.phase, "{id} and {title}");
            }
        }
        for (i, a) in tasks.iter().enumerate() {
            for b in &tasks[i + 1..] {
                assert!(!overlap(bounds(a), bounds(b)), "{a}\n{b}");
            }
        }
        for (i, a) in phases.iter().enumerate() {
            for b in &phases[i + 1..] {
                assert!(!overlap(a.1, b.1), "{} and {} overlap", a.0, b.0);
            }
        }
        let routes = routes(&svg);
        assert!(!routes.is_empty());
        for route in &routes {
            assert!(route.windows(2).all(|w| w[0].1 < w[1].1), "{route:?}");
        }
        let now = crossings(&routes);
        assert!(now < before, "{now} crossings, {before} before");
    }
}

#[test]
fn graph_draws_every_corpus_file_in_every_format() {
    use cargo_tasks::tasks::{graph::Graph, read};
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut drawn = 0;
    for entry in std::fs::read_dir(corpus).unwrap() {
        let file = entry.unwrap().path().join("tasks.md");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let repo = Repo::new(&text);
        let doc = read::parse(&text);
        let mermaid = repo.ok(&["graph"]);
        let dot = repo.ok(&["graph", "--format", "dot"]);
        assert!(mermaid.starts_with("flowchart TD\n") && dot.ends_with("}\n"));
        let svg = repo.ok(&["graph", "--format", "svg"]);
        assert!(svg.ends_with("</svg>\n"), "{}", file.display());
        let edges = svg.matches("<path class=\"edge\"").count();
        assert_eq!(
            mermaid.matches(" --> ").count(),
            edges,
            "{}",
            file.display()
        );
        assert_eq!(dot.matches("\" -> \"").count(), edges, "{}", file.display());
        let mut ids: Vec<_> = doc.tasks.iter().map(|e| e.task.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            svg.matches("<g class=\"task").count(),
            ids.len(),
            "{}",
            file.display()
        );
        if Graph::new(&doc).cycle().is_none() {
            for route in routes(&svg) {
                assert!(
                    route.windows(2).all(|w| w[0].1 < w[1].1),
                    "{}: {route:?}",
                    file.display()
                );
            }
        }
        drawn += 1;
    }
    assert!(drawn >= 20, "only {drawn} corpus files");
}
