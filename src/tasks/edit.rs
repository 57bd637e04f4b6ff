//! Checking and unchecking a task: one byte changes, every other byte of the
//! file (line endings, BOM, bold IDs, spacing) stays as written.

use super::read::{TaskEntry, TasksDoc};

/// The text with `entry`'s checkbox set to done or not done. Done is written
/// `X`, or `x` when that is what the file's done items mostly use.
pub fn set_done(text: &str, doc: &TasksDoc, entry: &TaskEntry, done: bool) -> String {
    let mark = if done { done_mark(text, doc) } else { ' ' };
    let range = &entry.checkbox;
    match (
        text.get(..range.start),
        text.get(range.clone()),
        text.get(range.end..),
    ) {
        (Some(head), Some(_), Some(tail)) => format!("{head}{mark}{tail}"),
        _ => text.to_string(),
    }
}

fn done_mark(text: &str, doc: &TasksDoc) -> char {
    let (mut lower, mut upper) = (0, 0);
    for entry in &doc.tasks {
        match text.get(entry.checkbox.clone()) {
            Some("x") => lower += 1,
            Some("X") => upper += 1,
            _ => {}
        }
    }
    if lower > upper {
        'x'
    } else {
        'X'
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::read::parse;
    use crate::tasks::TaskId;

    fn toggle(text: &str, id: &str, done: bool) -> String {
        let doc = parse(text);
        let entry = doc.get(TaskId::parse(id).unwrap()).unwrap();
        set_done(text, &doc, entry, done)
    }

    #[test]
    fn writes_upper_x_by_default_and_changes_one_byte() {
        let text = "\u{feff}## Phase 1\r\n- [ ] **T001** First\r\n- [ ] T002 Second\r\n";
        assert_eq!(
            toggle(text, "T002", true),
            "\u{feff}## Phase 1\r\n- [ ] **T001** First\r\n- [X] T002 Second\r\n"
        );
        assert_eq!(
            toggle(text, "T001", true),
            "\u{feff}## Phase 1\r\n- [X] **T001** First\r\n- [ ] T002 Second\r\n"
        );
    }

    #[test]
    fn keeps_the_files_lower_case_style() {
        let text = "- [x] C001 a\n- [ ] C002 b\n";
        assert_eq!(toggle(text, "C002", true), "- [x] C001 a\n- [x] C002 b\n");
    }

    #[test]
    fn an_upper_case_majority_or_a_tie_writes_upper_x() {
        let upper = "- [x] T001 a\n- [X] T002 b\n- [X] T003 c\n- [ ] T004 d\n";
        assert_eq!(
            toggle(upper, "T004", true),
            "- [x] T001 a\n- [X] T002 b\n- [X] T003 c\n- [X] T004 d\n"
        );
        let tie = "- [x] T001 a\n- [X] T002 b\n- [ ] T003 c\n";
        assert_eq!(
            toggle(tie, "T003", true),
            "- [x] T001 a\n- [X] T002 b\n- [X] T003 c\n"
        );
        let lower = "- [x] T001 a\n- [x] T002 b\n- [X] T003 c\n- [ ] T004 d\n";
        assert_eq!(
            toggle(lower, "T004", true),
            "- [x] T001 a\n- [x] T002 b\n- [X] T003 c\n- [x] T004 d\n"
        );
    }

    #[test]
    fn a_text_that_does_not_hold_the_checkbox_is_returned_unchanged() {
        let doc = parse("- [ ] T001 a\n- [ ] T002 b\n");
        let entry = doc.get(TaskId::parse("T002").unwrap()).unwrap();
        assert_eq!(set_done("- [ ]", &doc, entry, true), "- [ ]");
    }

    #[test]
    fn unchecks_either_case() {
        let text = "- [x] T001 a\n- [X] T002 b\n";
        assert_eq!(toggle(text, "T001", false), "- [ ] T001 a\n- [X] T002 b\n");
        assert_eq!(toggle(text, "T002", false), "- [x] T001 a\n- [ ] T002 b\n");
    }

    #[test]
    fn keeps_an_upper_case_majority() {
        let text = "- [x] T001 a\n- [X] T002 b\n- [X] T003 c\n- [ ] T004 d\n";
        assert_eq!(
            toggle(text, "T004", true),
            "- [x] T001 a\n- [X] T002 b\n- [X] T003 c\n- [X] T004 d\n"
        );
    }

    #[test]
    fn every_form_changes_only_its_own_mark() {
        let text = "## Phase 1\n- [ ] T007a Suffixed in a.rs\n- [ ] **T008 [P]** Bold in b.rs\n\
3. [ ] T009 Numbered in c.rs\n- [ ] T010 Detailed in d.rs\n  - Depends on: T009\n  - File: `d.rs`  \n\
  ```\n  - [ ] T010 in a fence\n  ```\n";
        for (id, line) in [
            ("T007a", "- [ ] T007a"),
            ("T008", "- [ ] **T008"),
            ("T009", "3. [ ] T009"),
            ("T010", "- [ ] T010 Detailed"),
        ] {
            let done = toggle(text, id, true);
            let checked = line.replacen("[ ]", "[X]", 1);
            assert_eq!(done, text.replacen(line, &checked, 1), "{id}");
            assert_eq!(toggle(&done, id, false), text, "{id}");
        }
    }
}
