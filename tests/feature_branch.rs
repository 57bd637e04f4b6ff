//! Feature discovery from the current git branch, in a real repository.

mod done_support;

use done_support::Repo;

const TASKS: &str = "## Phase 3.1: Setup\n- [ ] T001 Create docker/\n";

#[test]
fn the_branch_prefix_picks_the_feature() {
    let repo = Repo::new(TASKS);
    repo.write("specs/002-y/tasks.md", TASKS);
    repo.git(&["checkout", "-q", "-b", "002-y"]);
    let out = repo.ok(&["tasks", "status"]);
    assert!(out.starts_with("specs/002-y/tasks.md\n"), "{out}");
}

#[test]
fn a_branch_matching_no_feature_leaves_the_choice_to_the_user() {
    let repo = Repo::new(TASKS);
    repo.write("specs/002-y/tasks.md", TASKS);
    repo.git(&["checkout", "-q", "-b", "003-z"]);
    let err = repo.fails(&["tasks", "status"]);
    assert!(
        err.contains("several features found; choose one with --feature")
            && err.contains("candidates: 001-x, 002-y"),
        "{err}"
    );
}
