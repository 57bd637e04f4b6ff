//! The template's Validation Checklist, evaluated on the tasks about to be
//! written: an item is ticked only when it holds.

use super::check::{parallel_conflicts, tasks_without_paths, Finding};
use super::model::Task;
use super::rules::PhaseKind;
use crate::spec::Documents;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gate {
    pub text: &'static str,
    pub ok: bool,
    /// Why it failed, one entry per offending task or requirement.
    pub failures: Vec<String>,
}

/// Every checklist item's text, in either order mode.
pub const ITEMS: [&str; 7] = [
    "All container specs have corresponding tests",
    "All build requirements have tasks",
    "All implementation comes before tests",
    "All tests come before implementation",
    "Parallel tasks truly independent",
    "Each task specifies exact file path",
    "No task modifies same file as another [P] task",
];

pub fn evaluate(tasks: &[Task], docs: &Documents, tdd: bool) -> Vec<Gate> {
    let order = if tdd { ITEMS[3] } else { ITEMS[2] };
    vec![
        gate(ITEMS[0], untested_contracts(tasks, docs, tdd)),
        gate(ITEMS[1], uncovered_requirements(tasks, docs)),
        gate(order, order_violations(tasks, tdd)),
        gate(ITEMS[4], dependent_parallel_tasks(tasks)),
        gate(ITEMS[5], messages(tasks_without_paths(tasks))),
        gate(
            ITEMS[6],
            messages(parallel_conflicts(tasks, |a, b| {
                tasks[a].depends_on.contains(&tasks[b].id)
                    || tasks[b].depends_on.contains(&tasks[a].id)
            })),
        ),
    ]
}

fn gate(text: &'static str, failures: Vec<String>) -> Gate {
    Gate {
        text,
        ok: failures.is_empty(),
        failures,
    }
}

fn untested_contracts(tasks: &[Task], docs: &Documents, tdd: bool) -> Vec<String> {
    let tests_phase = PhaseKind::Tests.title(tdd);
    docs.contracts
        .iter()
        .filter(|c| {
            !tasks
                .iter()
                .any(|t| t.phase == tests_phase && t.description.contains(&c.path))
        })
        .map(|c| format!("{} has no test task", c.path))
        .collect()
}

/// Each item of Primary Dependencies and Build Requirements is named by a task.
fn uncovered_requirements(tasks: &[Task], docs: &Documents) -> Vec<String> {
    let described: String = tasks
        .iter()
        .map(|t| t.description.to_lowercase() + "\n")
        .collect();
    ["Primary Dependencies", "Build Requirements"]
        .into_iter()
        .filter_map(|name| docs.plan.field(name))
        .flat_map(|f| {
            requirement_items(&f.value)
                .into_iter()
                .map(move |item| (f.line, item))
        })
        .filter(|(_, item)| !described.contains(&item.to_lowercase()))
        .map(|(line, item)| format!("plan.md:{line}: no task names the requirement `{item}`"))
        .collect()
}

fn requirement_items(value: &str) -> Vec<String> {
    let without_notes: String = {
        let mut depth = 0usize;
        value
            .chars()
            .filter(|c| {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    _ => return depth == 0,
                }
                false
            })
            .collect()
    };
    // Alternatives ("`axum` or `actix-web`") are items of their own, and the
    // space a removed note leaves is not part of any name.
    without_notes
        .replace(" or ", ",")
        .split([',', ';'])
        .map(|s| {
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            s.trim_matches('`').to_string()
        })
        .filter(|s| !s.is_empty() && !s.contains("NEEDS CLARIFICATION"))
        .collect()
}

fn order_violations(tasks: &[Task], tdd: bool) -> Vec<String> {
    let (first, then) = if tdd {
        (PhaseKind::Tests, PhaseKind::Core)
    } else {
        (PhaseKind::Core, PhaseKind::Tests)
    };
    let (first, then) = (first.title(tdd), then.title(tdd));
    let mut failures = Vec::new();
    for task in tasks.iter().filter(|t| t.phase == first) {
        for dep in &task.depends_on {
            if tasks.iter().any(|o| o.id == *dep && o.phase == then) {
                failures.push(format!("{} ({first}) waits for {dep} ({then})", task.id));
            }
        }
    }
    failures
}

fn dependent_parallel_tasks(tasks: &[Task]) -> Vec<String> {
    tasks
        .iter()
        .filter(|t| t.parallel)
        .flat_map(|t| {
            t.depends_on
                .iter()
                .filter(|dep| tasks.iter().any(|o| o.id == **dep && o.phase == t.phase))
                .map(move |dep| format!("{} is [P] but depends on {dep} in its phase", t.id))
        })
        .collect()
}

/// The shared rules' findings (the same ones `check` reports) as gate failures.
fn messages(findings: Vec<Finding>) -> Vec<String> {
    findings.into_iter().map(|f| f.message).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::plan::parse_plan;
    use crate::tasks::TaskId;

    fn task(n: u32, phase: PhaseKind, parallel: bool, paths: &[&str], deps: &[u32]) -> Task {
        Task {
            id: TaskId::new('T', n),
            phase: phase.title(false),
            parallel,
            description: format!("Task {n}"),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            depends_on: deps.iter().map(|&d| TaskId::new('T', d)).collect(),
            done: false,
        }
    }

    fn docs() -> Documents {
        let plan = "# Plan\n## Container Technical Context\n**Build Requirements**: cargo, pkg-config (for openssl)\n";
        Documents::new(parse_plan(plan).unwrap())
    }

    fn failed(gates: &[Gate]) -> Vec<(&str, Vec<String>)> {
        gates
            .iter()
            .filter(|g| !g.ok)
            .map(|g| (g.text, g.failures.clone()))
            .collect()
    }

    #[test]
    fn requirements_with_code_alternatives_and_notes_pass_when_the_value_is_named() {
        let plan = "# Plan\n## Technical Context\n**Primary Dependencies**: `tokio` (rt-multi-thread) or `async-std`, [`serde`](https://serde.rs)\n";
        let docs = Documents::new(parse_plan(plan).unwrap());
        let value = &docs.plan.field("Primary Dependencies").unwrap().value;
        assert_eq!(
            requirement_items(value),
            ["tokio", "async-std", "serde"],
            "the note leaves no double space and `or` separates alternatives"
        );
        let named = task(1, PhaseKind::Setup, false, &["docker/"], &[]);
        let named = Task {
            description: format!("Install packages (Primary Dependencies: {value}) in docker/"),
            ..named
        };
        let gates = evaluate(&[named], &docs, false);
        assert!(gates[1].ok, "{:?}", gates[1]);
    }

    #[test]
    fn an_open_question_or_an_empty_item_is_no_requirement() {
        let plan = "# Plan\n## Technical Context\n**Build Requirements**: cargo, ; NEEDS CLARIFICATION: TLS library,\n";
        let docs = Documents::new(parse_plan(plan).unwrap());
        let value = &docs.plan.field("Build Requirements").unwrap().value;
        assert_eq!(requirement_items(value), ["cargo"]);
        let named = Task {
            description: "Install cargo in docker/".into(),
            ..task(1, PhaseKind::Setup, false, &["docker/"], &[])
        };
        let gates = evaluate(&[named], &docs, false);
        assert!(gates[1].ok, "{:?}", gates[1]);
    }

    #[test]
    fn a_contract_is_tested_by_a_tests_phase_task_that_names_it() {
        let mut docs = docs();
        for name in ["contracts/health.md", "contracts/orders.yaml"] {
            let contract = crate::spec::contracts::parse_contract(name, "md", "# Contract\n");
            docs.contracts.push(contract);
        }
        let tests_task = Task {
            description: "Contract test for contracts/health.md in docker/test/health_test.sh"
                .into(),
            ..task(
                1,
                PhaseKind::Tests,
                true,
                &["docker/test/health_test.sh"],
                &[],
            )
        };
        let core_task = Task {
            description: "Serve what contracts/orders.yaml says in src/orders.rs".into(),
            ..task(2, PhaseKind::Core, false, &["src/orders.rs"], &[])
        };
        let gates = evaluate(&[tests_task, core_task], &docs, false);
        assert_eq!(
            gates[0].failures,
            ["contracts/orders.yaml has no test task"],
            "a task outside the tests phase does not test a contract it names"
        );
    }

    #[test]
    fn each_gate_fails_for_its_own_reason() {
        let tasks = vec![
            task(1, PhaseKind::Core, true, &["docker/Dockerfile"], &[]),
            task(2, PhaseKind::Core, false, &["docker/"], &[4]),
            task(3, PhaseKind::Core, true, &[], &[2]),
            task(4, PhaseKind::Tests, false, &["docker/test/a.sh"], &[]),
        ];
        let gates = evaluate(&tasks, &docs(), false);
        assert_eq!(
            failed(&gates),
            [
                (
                    ITEMS[1],
                    vec![
                        "plan.md:3: no task names the requirement `cargo`".to_string(),
                        "plan.md:3: no task names the requirement `pkg-config`".to_string()
                    ]
                ),
                (
                    ITEMS[2],
                    vec![
                        "T002 (Phase 3.2: Core Implementation) waits for T004 (Phase 3.3: Tests)"
                            .to_string()
                    ]
                ),
                (
                    ITEMS[4],
                    vec!["T003 is [P] but depends on T002 in its phase".to_string()]
                ),
                (
                    ITEMS[5],
                    vec!["T003 names no file or directory path".to_string()]
                ),
                (
                    ITEMS[6],
                    vec![
                        "T001 and T002 overlap in one phase: docker/ (T002) holds docker/Dockerfile (T001), and one of them is [P]"
                            .to_string()
                    ]
                ),
            ]
        );
    }
}
