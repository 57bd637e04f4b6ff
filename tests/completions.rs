//! The completion scripts and the manual pages, loaded by the programs that use
//! them: each script is sourced by its own shell, which must then complete
//! verbs and options of `cargo tasks`; each page is rendered by `man -l` with
//! every groff warning on. A missing shell or `man` fails the test naming it
//! (`.ci/run` installs them), unless `CARGO_TASKS_TEST_SKIP` names it.
//! PowerShell is not packaged for Debian, so its test is ignored here.

mod scaffold_support;

use scaffold_support::tool_available;
use std::path::Path;
use std::process::{Command, Output};

/// Every run of a shell or of `man` is bounded, so a script that waits for
/// input fails the test instead of hanging it.
const DEADLINE: &str = "60";

/// The verbs, from `cargo tasks --help`, that every script must offer.
const VERBS: [&str; 12] = [
    "generate",
    "scaffold",
    "done",
    "undo",
    "status",
    "next",
    "graph",
    "check",
    "list",
    "explain",
    "completions",
    "man",
];

fn cargo_tasks(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
        .arg("tasks")
        .args(args)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo-tasks runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `program args` in `dir` with a private HOME, no standard input and a deadline.
fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    let output = Command::new("timeout")
        .arg(DEADLINE)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("ZDOTDIR")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("timeout runs");
    assert_ne!(output.status.code(), Some(124), "{program} timed out");
    output
}

/// Writes the script for `shell` to `dir/name` and returns the directory.
fn script_in(shell: &str, name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, cargo_tasks(&["completions", shell])).unwrap();
    dir
}

fn lines(output: &Output) -> Vec<String> {
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn bash_registers_cargo_and_completes_verbs_options_and_values() {
    if !tool_available("bash", &["--version"]) {
        return;
    }
    let dir = script_in("bash", "cargo.bash");
    let registered = run(
        dir.path(),
        "bash",
        &[
            "--norc",
            "--noprofile",
            "-c",
            "source ./cargo.bash && complete -p cargo",
        ],
    );
    assert_eq!(
        lines(&registered),
        ["complete -o bashdefault -o default -o nosort -F _cargo cargo"]
    );
    // `_cargo <command> <current word> <previous word>`, as bash calls it.
    let complete = |words: &str, cur: &str, prev: &str| {
        let program = format!(
            "source ./cargo.bash; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _cargo cargo '{cur}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        lines(&run(
            dir.path(),
            "bash",
            &["--norc", "--noprofile", "-c", &program],
        ))
    };
    assert_eq!(complete("cargo ta", "ta", "cargo"), ["tasks"]);
    assert_eq!(complete("cargo tasks gen", "gen", "tasks"), ["generate"]);
    let offered = complete("cargo tasks ''", "", "tasks");
    for verb in VERBS {
        assert!(offered.iter().any(|w| w == verb), "no {verb}: {offered:?}");
    }
    assert_eq!(
        complete("cargo tasks generate --fea", "--fea", "generate"),
        ["--feature"]
    );
    assert_eq!(
        complete("cargo tasks completions p", "p", "completions"),
        ["powershell"]
    );
}

/// Types `line` into an interactive `zsh -f` on a pseudo-terminal (zsh's own
/// zpty module), with `compinit` over `fpath`, presses a key bound to
/// completion and returns the command line completion left.
fn zsh_complete(dir: &Path, fpath: &[&Path], line: &str) -> String {
    let fpath: Vec<String> = fpath.iter().map(|p| p.display().to_string()).collect();
    let driver = format!(
        r#"zmodload zsh/zpty || exit 3
out=$PWD/buffer
zpty z 'zsh -f -i'
zpty -w z "PS1='> '; fpath=({fpath} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "dump() {{ zle complete-word; print -r -- \"\$BUFFER\" >| $out; }}; zle -N dump; bindkey '^T' dump"
zpty -w -n z $'{line}\x14'
for i in {{1..300}}; do [[ -s $out ]] && break; sleep 0.1; done
zpty -d z
cat $out"#,
        fpath = fpath.join(" "),
    );
    let _ = std::fs::remove_file(dir.join("buffer"));
    let output = run(dir, "zsh", &["-f", "-c", &driver]);
    lines(&output).join("\n")
}

#[test]
fn zsh_loads_the_plugin_function_and_completes_cargo_tasks() {
    if !tool_available("zsh", &["--version"]) {
        return;
    }
    let dir = script_in("zsh", "functions/_cargo-tasks");
    let functions = dir.path().join("functions");
    let syntax = run(dir.path(), "zsh", &["-n", "functions/_cargo-tasks"]);
    assert!(syntax.status.success(), "{}", text(&syntax.stderr));
    let only_ours = [functions.as_path()];
    assert_eq!(
        zsh_complete(dir.path(), &only_ours, "cargo-tasks ge"),
        "cargo-tasks generate "
    );
    assert_eq!(
        zsh_complete(dir.path(), &only_ours, "cargo-tasks check --deny"),
        "cargo-tasks check --deny-warnings "
    );
    assert_eq!(
        zsh_complete(dir.path(), &only_ours, "cargo-tasks completions pow"),
        "cargo-tasks completions powershell "
    );
    // Through cargo's own zsh completion (shipped with the toolchain), which
    // hands `cargo tasks …` to the plugin's `_cargo-tasks`.
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let cargo_functions = Path::new(text(&sysroot.stdout).trim()).join("share/zsh/site-functions");
    assert!(
        cargo_functions.join("_cargo").is_file(),
        "the toolchain ships no zsh completion for cargo in {}",
        cargo_functions.display()
    );
    let with_cargo = [functions.as_path(), cargo_functions.as_path()];
    assert_eq!(
        zsh_complete(dir.path(), &with_cargo, "cargo tasks ge"),
        "cargo tasks generate "
    );
}

#[test]
fn fish_adds_cargo_tasks_to_cargos_completions() {
    if !tool_available("fish", &["--version"]) {
        return;
    }
    let dir = script_in("fish", "cargo.fish");
    let complete = |line: &str| {
        let program = format!("source cargo.fish; and complete -C '{line}'");
        lines(&run(dir.path(), "fish", &["--no-config", "-c", &program]))
    };
    assert_eq!(
        complete("cargo ta"),
        ["tasks\tGenerate and track spec-kit tasks.md for containerising cargo workspaces"]
    );
    assert_eq!(
        complete("cargo tasks ge"),
        ["generate\tGenerate a numbered, dependency-ordered tasks.md for a feature"]
    );
    assert_eq!(complete("cargo tasks check --format "), ["json", "text"]);
    let mut verbs: Vec<String> = complete("cargo tasks ")
        .iter()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .filter(|word| !word.starts_with('-'))
        .collect();
    verbs.sort();
    let mut expected = VERBS.map(str::to_owned);
    expected.sort();
    assert_eq!(verbs, expected);
}

#[test]
fn elvish_arg_completer_offers_the_verbs_and_their_options() {
    if !tool_available("elvish", &["-version"]) || !tool_available("script", &["--version"]) {
        return;
    }
    let dir = script_in("elvish", "cargo.elv");
    // The `edit:` module exists only in an interactive elvish: run one on a
    // pseudo-terminal (util-linux `script`) whose rc file loads the script,
    // calls the completer as the editor does, and exits.
    std::fs::write(
        dir.path().join("rc.elv"),
        "try {\n\
           eval (slurp < cargo.elv)\n\
           $edit:completion:arg-completer[cargo] cargo tasks '' | each {|c| echo $c[stem] } > verbs\n\
           $edit:completion:arg-completer[cargo] cargo tasks check '' | each {|c| echo $c[stem] } > check\n\
         } catch e {\n\
           echo (show $e) > failure\n\
           exit 1\n\
         }\n\
         exit 0\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        "script",
        &["-qec", "elvish -rc rc.elv", "/dev/null"],
    );
    let failure = std::fs::read_to_string(dir.path().join("failure")).unwrap_or_default();
    assert!(output.status.success(), "{failure}{}", text(&output.stdout));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let verbs: Vec<String> = read("verbs")
        .lines()
        .filter(|w| !w.starts_with('-'))
        .map(str::to_owned)
        .collect();
    assert_eq!(verbs, VERBS);
    let check = read("check");
    for option in ["--feature", "--format", "--deny-warnings", "-D"] {
        assert!(check.lines().any(|l| l == option), "no {option}: {check}");
    }
}

#[test]
#[ignore = "PowerShell (pwsh) is not packaged for Debian and cannot be installed here; run with --ignored where pwsh is installed"]
fn powershell_completes_cargo_tasks_verbs() {
    let dir = script_in("powershell", "cargo.ps1");
    let program = "Set-StrictMode -Version Latest; . ./cargo.ps1; \
                   (TabExpansion2 -inputScript 'cargo tasks ge' -cursorColumn 14).CompletionMatches.CompletionText";
    let output = run(
        dir.path(),
        "pwsh",
        &["-NoProfile", "-NonInteractive", "-Command", program],
    );
    assert_eq!(lines(&output), ["generate"]);
}

/// `man -l page` with every groff warning on (`--warnings=w`): its stderr and
/// the rendered text with its spacing (justification, indents) collapsed.
fn man(dir: &Path, page: &str) -> (String, String) {
    let output = Command::new("timeout")
        .args([DEADLINE, "man", "--warnings=w", "-l", page])
        .current_dir(dir)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("timeout runs");
    assert!(
        output.status.success(),
        "man -l {page}: {}",
        text(&output.stderr)
    );
    let words: Vec<&str> = std::str::from_utf8(&output.stdout)
        .expect("UTF-8 page")
        .split_whitespace()
        .collect();
    (text(&output.stderr), words.join(" "))
}

#[test]
fn man_renders_every_page_without_a_groff_warning() {
    if !tool_available("man", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The check is live: a page with an unknown request is warned about.
    std::fs::write(dir.path().join("broken.1"), ".TH broken 1\n.BOGUS\ntext\n").unwrap();
    let (warnings, _) = man(dir.path(), "broken.1");
    assert!(warnings.contains("BOGUS"), "{warnings}");

    std::fs::write(dir.path().join("cargo-tasks.1"), cargo_tasks(&["man"])).unwrap();
    let (warnings, page) = man(dir.path(), "cargo-tasks.1");
    assert_eq!(warnings, "");
    assert!(page.starts_with("cargo-tasks(1)"), "{page}");
    for verb in VERBS {
        assert!(page.contains(&format!("cargo-tasks-{verb}(1)")), "{page}");
        let name = format!("cargo-tasks-{verb}.1");
        std::fs::write(dir.path().join(&name), cargo_tasks(&["man", verb])).unwrap();
        let (warnings, page) = man(dir.path(), &name);
        assert_eq!(warnings, "", "{name}");
        assert!(
            page.contains(&format!("cargo tasks {verb}")),
            "{name}: {page}"
        );
    }
}
