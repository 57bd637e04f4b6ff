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
         Overall: 1/5 done (20%)\nReady:\n  T002 Entrypoint in docker/entrypoint.sh\n  T003 Notes in docs/notes.md\n  T004 More notes in docs/\n"
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
    assert_eq!(json["ready"].as_array().unwrap().len(), 3);
}

#[test]
fn next_groups_ready_tasks_that_can_run_together() {
    let repo = Repo::new(TASKS_MD);
    assert_eq!(
        repo.ok(&["next"]),
        "Batch 1 (can run in parallel):\n  T002 Entrypoint in docker/entrypoint.sh\n  T003 Notes in docs/notes.md\n\
         Batch 2:\n  T004 More notes in docs/\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["next", "--format", "json"])).unwrap();
    assert_eq!(json[0][1]["id"], "T003");
    assert_eq!(json[1][0]["id"], "T004");
    let all_done = Repo::new("- [x] T001 a in a.txt\n");
    assert_eq!(all_done.ok(&["next"]), "All tasks are done.\n");
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
    assert!(dot.contains("    T001 -> T004;\n"), "{dot}");
    assert!(
        dot.contains("T001 [label=\"T001: Create docker/Dockerfile\", style=filled"),
        "{dot}"
    );
    let svg = repo.ok(&["graph", "--format", "svg"]);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert_eq!(svg.matches("<rect ").count(), 5);
    assert_eq!(svg.matches("<line ").count(), 4);
    assert_eq!(svg.matches("class=\"task done\"").count(), 1);
}

#[test]
fn check_passes_a_clean_file() {
    let repo = Repo::new(&TASKS_MD.replace("T004 [P] More", "T004 More"));
    let output = repo.run(&["check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no problems"));
    let output = Repo::new(TASKS_MD).run(&["check"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "specs/001-x/tasks.md:7: [P] task T004 shares docs/ with [P] task T003 (line 6) in the same phase\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn check_reports_every_problem_as_file_and_line_and_exits_1() {
    let repo = Repo::new(TASKS_MD);
    repo.write(
        "hand.md",
        "## Phase 1\n- [ ] **T001** [P] a in src/a.rs\n- [ ] **T002** [P] b in src/a.rs\n- [x] T001 again in x.rs\n\
         - [ ] T003 nothing named\n## Dependencies\n- T002 blocks T001\n- T001 blocks T002\n- T003 blocks T404\n",
    );
    let output = repo.run(&["check", "hand.md"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "hand.md:2: dependency cycle: T001 → T002 → T001\n\
         hand.md:3: [P] task T002 shares src/a.rs with [P] task T001 (line 2) in the same phase\n\
         hand.md:4: duplicate task ID T001 (first on line 2)\n\
         hand.md:5: T003 names no file or directory path\n\
         hand.md:9: dependency names unknown task T404\n"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("5 problems found"));
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
