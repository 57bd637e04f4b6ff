//! Handlebars rendering. Every template is embedded in the binary; a user
//! overrides any single one by placing a file of the same relative name in
//! `--templates DIR`, the `templates` directory of the metadata table, or
//! `.specify/templates/` (first found wins, per file).
//!
//! Values enter a generated file only through the escaping helpers of
//! `escape` (`{{sh x}}`, `{{yaml x}}`, ...), chosen by the language and the
//! place; the default `{{x}}` writes the value unchanged.

pub mod escape;
mod partials;

use crate::workspace::Workspace;
use crate::{Error, Result};
use handlebars::{
    Context as HbContext, Handlebars, Helper, HelperDef, RenderContext, RenderError,
    RenderErrorReason, ScopedJson,
};
use include_dir::{include_dir, Dir};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Where a template's text came from, for error messages.
#[derive(Debug, Clone)]
enum Origin {
    Embedded,
    User(PathBuf),
}

pub struct Renderer {
    /// Every template's text and origin; parsed on first use, because
    /// parsing all of them would cost more than a whole generate run.
    sources: BTreeMap<String, (String, Origin)>,
    registry: RefCell<Handlebars<'static>>,
}

impl Renderer {
    /// Embedded templates overlaid with the user's, `override_dir` first.
    pub fn new(ws: &Workspace, override_dir: Option<&Path>) -> Result<Renderer> {
        let mut dirs: Vec<PathBuf> = override_dir.map(Path::to_path_buf).into_iter().collect();
        dirs.extend(ws.config.templates.clone());
        dirs.push(ws.root.join(".specify/templates"));
        Renderer::from_dirs(&dirs)
    }

    fn from_dirs(override_dirs: &[PathBuf]) -> Result<Renderer> {
        let mut sources: BTreeMap<String, (String, Origin)> = BTreeMap::new();
        for file in embedded_files(&EMBEDDED) {
            let text = String::from_utf8_lossy(file.contents()).into_owned();
            sources.insert(slash_path(file.path()), (text, Origin::Embedded));
        }
        for dir in override_dirs.iter().rev() {
            for (name, path) in user_templates(dir)? {
                let text = crate::spec::read_text(&path)?;
                sources.insert(name, (text, Origin::User(path)));
            }
        }
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        for (name, escape) in escape::HELPERS {
            registry.register_helper(name, Box::new(EscapeHelper(escape)));
        }
        Ok(Renderer {
            sources,
            registry: RefCell::new(registry),
        })
    }

    /// Renders the template `name` (its path under `templates/`).
    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String> {
        let (text, origin) = self
            .sources
            .get(name)
            .ok_or_else(|| Error::new(format!("no template named `{name}`")))?;
        let mut registry = self.registry.borrow_mut();
        if !registry.has_template(name) {
            if let Ok(compiled) = handlebars::Template::compile(text) {
                let source = |other: &str| self.sources.get(other).map(|(text, _)| text.clone());
                partials::check(name, &compiled, &source).map_err(|why| {
                    Error::new(format!("template error: {why}")).in_file(origin_path(name, origin))
                })?;
            }
            registry
                .register_template_string(name, text)
                .map_err(|err| {
                    let (line, _) = err.pos().unwrap_or((1, 0));
                    Error::new(format!("template error: {}", err.reason()))
                        .in_file(origin_path(name, origin))
                        .at_line(line)
                })?;
        }
        registry.render(name, data).map_err(|err| {
            let mut error = Error::new(format!("template error: {}", err.reason()))
                .in_file(origin_path(name, origin));
            if let Some(line) = err.line_no {
                error = error.at_line(line);
            }
            error
        })
    }

    /// Names of every template below `prefix` (e.g. `docker/`), sorted.
    pub fn names_under(&self, prefix: &str) -> Vec<String> {
        self.sources
            .keys()
            .filter(|name| name.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// An escaping function as a helper: joins its parameters (strings,
/// numbers, booleans) and writes them escaped; anything else is an error.
struct EscapeHelper(escape::Escape);

impl HelperDef for EscapeHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc HbContext,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let fail = |why: String| RenderErrorReason::Other(format!("`{}`: {why}", h.name()));
        if h.params().is_empty() {
            return Err(fail("needs a value".to_string()).into());
        }
        let mut text = String::new();
        for param in h.params() {
            match param.value() {
                serde_json::Value::String(s) => text.push_str(s),
                serde_json::Value::Number(n) => text.push_str(&n.to_string()),
                serde_json::Value::Bool(b) => text.push_str(&b.to_string()),
                other => {
                    let what = param.relative_path().map_or("a value", String::as_str);
                    return Err(fail(format!("{what} is not text ({other})")).into());
                }
            }
        }
        let escaped = (self.0)(&text).map_err(fail)?;
        Ok(ScopedJson::Derived(serde_json::Value::String(escaped)))
    }
}

fn origin_path(name: &str, origin: &Origin) -> PathBuf {
    match origin {
        Origin::Embedded => PathBuf::from(format!("templates/{name} (built-in)")),
        Origin::User(path) => path.clone(),
    }
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(embedded_files(sub));
    }
    files
}

/// Every `*.hbs` file below `dir`, keyed by its path relative to `dir`.
/// Symbolic links are followed, but a directory reached twice (a link loop)
/// is an error naming it, never an endless walk.
fn user_templates(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let meta = match std::fs::metadata(&current) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && current == dir => continue,
            Err(e) => return Err(Error::io("read", &current, &e)),
        };
        if !seen.insert(directory_id(&meta)) {
            return Err(
                Error::new("is a directory already read: a symbolic link loops")
                    .in_file(&current)
                    .with_help("remove the link that points back into the templates directory"),
            );
        }
        let entries = std::fs::read_dir(&current).map_err(|e| Error::io("list", &current, &e))?;
        for entry in entries {
            let path = entry.map_err(|e| Error::io("list", &current, &e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "hbs") {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                found.push((slash_path(rel), path.clone()));
            }
        }
    }
    Ok(found)
}

#[cfg(unix)]
fn directory_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Without inode numbers, loops are left to the operating system's own limits.
#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn directory_id(_meta: &std::fs::Metadata) -> (u64, u64) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    (0, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn user_file_overrides_the_embedded_one_of_the_same_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tasks.md.hbs", "mine: {{feature.name}}");
        let renderer = Renderer::from_dirs(&[dir.path().to_path_buf()]).unwrap();
        let out = renderer
            .render(
                "tasks.md.hbs",
                &serde_json::json!({"feature": {"name": "x"}}),
            )
            .unwrap();
        assert_eq!(out, "mine: x");
    }

    #[test]
    fn first_override_directory_wins() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        write(first.path(), "a.hbs", "first");
        write(second.path(), "a.hbs", "second");
        let dirs = [first.path().to_path_buf(), second.path().to_path_buf()];
        let renderer = Renderer::from_dirs(&dirs).unwrap();
        assert_eq!(renderer.render("a.hbs", &()).unwrap(), "first");
    }

    #[test]
    fn syntax_error_names_the_user_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "x.hbs",
            "line one\n{{#if x}}{{/each}}\nline three\n",
        );
        let renderer = Renderer::from_dirs(&[dir.path().to_path_buf()]).unwrap();
        let err = renderer.render("x.hbs", &()).unwrap_err();
        assert_eq!(err.file(), Some(dir.path().join("x.hbs").as_path()));
        assert_eq!(err.line(), Some(2));
    }

    #[test]
    fn escaping_helpers_join_their_parameters_and_refuse_what_a_place_cannot_hold() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.sh.hbs", "{{sh dir \"/x y\"}} {{num port}}\n");
        write(dir.path(), "b.sh.hbs", "{{ident name}}\n");
        write(dir.path(), "c.sh.hbs", "{{sh list}}\n");
        write(dir.path(), "d.sh.hbs", "# {{line (sh dir)}}\n");
        let renderer = Renderer::from_dirs(&[dir.path().to_path_buf()]).unwrap();
        let data = serde_json::json!({"dir": "d'x", "port": 8080, "name": "A B", "list": [1]});
        assert_eq!(
            renderer.render("a.sh.hbs", &data).unwrap(),
            "'d'\\''x/x y' 8080\n"
        );
        let err = renderer.render("b.sh.hbs", &data).unwrap_err();
        assert_eq!(err.file(), Some(dir.path().join("b.sh.hbs").as_path()));
        assert!(
            err.message().contains("\"A B\" is not a variable name"),
            "{}",
            err.message()
        );
        assert_eq!(renderer.render("d.sh.hbs", &data).unwrap(), "# 'd'\\''x'\n");
        let err = renderer.render("c.sh.hbs", &data).unwrap_err();
        assert!(
            err.message().contains("list is not text"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn symbolic_link_loops_and_fifos_in_a_template_directory_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "docker/a.hbs", "a");
        std::os::unix::fs::symlink(".", dir.path().join("docker/self")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("docker/up")).unwrap();
        let err = Renderer::from_dirs(&[dir.path().to_path_buf()])
            .err()
            .expect("a loop is an error");
        assert_eq!(
            err.message(),
            "is a directory already read: a symbolic link loops"
        );
        let looped = err.file().unwrap().to_path_buf();
        assert!(
            looped.ends_with("self") || looped.ends_with("up"),
            "{looped:?}"
        );

        let dir = tempfile::tempdir().unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join("x.hbs"))
            .status()
            .unwrap();
        assert!(made.success());
        let err = Renderer::from_dirs(&[dir.path().to_path_buf()])
            .err()
            .expect("a FIFO is an error");
        assert_eq!(err.file(), Some(dir.path().join("x.hbs").as_path()));
        assert!(err.message().starts_with("is a FIFO"), "{err}");
    }

    #[test]
    fn a_recursive_partial_is_an_error_naming_the_template() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "x.hbs",
            "{{#*inline \"p\"}}again {{> p}}{{/inline}}{{> p}}",
        );
        let renderer = Renderer::from_dirs(&[dir.path().to_path_buf()]).unwrap();
        let err = renderer.render("x.hbs", &()).unwrap_err();
        assert_eq!(err.file(), Some(dir.path().join("x.hbs").as_path()));
        assert!(
            err.message()
                .contains("partial `p` includes itself (p → p)"),
            "{err}"
        );
    }

    #[test]
    fn missing_variable_is_an_error_in_strict_mode() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x.hbs", "ok\n{{nope}}\n");
        let renderer = Renderer::from_dirs(&[dir.path().to_path_buf()]).unwrap();
        let err = renderer
            .render("x.hbs", &serde_json::json!({}))
            .unwrap_err();
        assert_eq!(err.file(), Some(dir.path().join("x.hbs").as_path()));
        assert_eq!(err.line(), Some(2));
        assert!(err.message().contains("nope"), "{}", err.message());
    }

    /// The languages the embedded templates write, by file name.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Lang {
        Shell,
        Dockerfile,
        Yaml,
        DockerIgnore,
        Markdown,
        Rust,
    }

    /// Where the scanner stands in the generated text.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum At {
        Bare,
        /// Inside `$(`: bare again, with its open parentheses.
        Subst(usize),
        Double,
        Single,
        Comment,
        /// A Markdown code span or indented code block.
        Code,
    }

    fn lang(name: &str) -> Option<Lang> {
        match name {
            n if n.ends_with(".sh.hbs") => Some(Lang::Shell),
            n if n.ends_with("Dockerfile.hbs") => Some(Lang::Dockerfile),
            n if n.ends_with(".yaml.hbs") => Some(Lang::Yaml),
            n if n.ends_with(".dockerignore.hbs") => Some(Lang::DockerIgnore),
            n if n.ends_with(".md.hbs") => Some(Lang::Markdown),
            n if n.ends_with(".rs.hbs") => Some(Lang::Rust),
            // Commit messages are plain text for git, not a language.
            n if n.starts_with("commit-message") => None,
            n => panic!("no language known for template {n}"),
        }
    }

    /// Whether `helper` may write a value at `at` in a `lang` file.
    fn allowed(lang: Lang, at: At, helper: &str) -> bool {
        let bare = matches!(at, At::Bare | At::Subst(_));
        match helper {
            "num" | "ident" => true,
            "line" => at == At::Comment || lang == Lang::Markdown,
            "sh" => lang == Lang::Shell && bare,
            "docker_str" | "docker_json" | "json" | "docker_sh" | "docker_plain" => {
                lang == Lang::Dockerfile && bare
            }
            "yaml" | "compose" => lang == Lang::Yaml && bare,
            "compose_part" => lang == Lang::Yaml && at == At::Double,
            "dockerignore" => lang == Lang::DockerIgnore && bare,
            "md" | "md_code" => lang == Lang::Markdown && at == At::Bare,
            "rust" => lang == Lang::Rust && bare,
            _ => false,
        }
    }

    /// Every value expression of `text` whose helper does not fit where it stands.
    fn misplaced(lang: Lang, text: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![At::Bare];
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut line_start = true;
        while i < chars.len() {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let at = *stack.last().unwrap();
            if rest.starts_with("\\{{") || rest.starts_with("{{") {
                let literal = rest.starts_with('\\');
                let start = i + usize::from(literal);
                let close = (start..chars.len() - 1)
                    .find(|&j| chars[j] == '}' && chars[j + 1] == '}')
                    .expect("closed expression");
                let expr: String = chars[start + 2..close].iter().collect();
                let expr = expr.trim_matches(|c: char| c == '~' || c.is_whitespace());
                let block = expr.starts_with(['#', '/', '!', '^', '>'])
                    || expr == "else"
                    || expr.starts_with("else ");
                if !literal && !block {
                    let helper = expr.split_whitespace().next().unwrap_or("");
                    if expr.starts_with('{') || !allowed(lang, at, helper) {
                        found.push(format!("{{{{{expr}}}}} at {at:?}"));
                    }
                }
                i = close + 2;
                line_start = false;
                continue;
            }
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            let word_start = i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == ';';
            match (lang, at, c) {
                (_, At::Comment | At::Code, '\n') => {
                    stack.pop();
                }
                (Lang::Markdown, At::Bare, ' ') if line_start && rest == "   " => {
                    stack.push(At::Code);
                }
                (Lang::Markdown, At::Bare, '`') => stack.push(At::Code),
                (Lang::Markdown, At::Code, '`') => {
                    stack.pop();
                }
                (Lang::Markdown, ..) => {}
                // Rust: `'` starts a char or a lifetime, `//` a comment to the end of the line.
                (Lang::Rust, At::Bare, '/') if next == Some('/') => stack.push(At::Comment),
                (Lang::Rust, _, '\'' | '$') => {}
                (_, At::Single, '\'') => {
                    stack.pop();
                }
                (_, At::Double, '"') => {
                    stack.pop();
                }
                (_, At::Bare | At::Subst(_) | At::Double, '\\') => i += 1,
                (_, At::Bare | At::Subst(_) | At::Double, '$') if next == Some('(') => {
                    stack.push(At::Subst(0));
                    i += 1;
                }
                (_, At::Subst(depth), '(') => *stack.last_mut().unwrap() = At::Subst(depth + 1),
                (_, At::Subst(0), ')') => {
                    stack.pop();
                }
                (_, At::Subst(depth), ')') => *stack.last_mut().unwrap() = At::Subst(depth - 1),
                (_, At::Bare | At::Subst(_), '\'') => stack.push(At::Single),
                (_, At::Bare | At::Subst(_), '"') => stack.push(At::Double),
                (Lang::Dockerfile, At::Bare, '#') if line_start => stack.push(At::Comment),
                (Lang::Shell | Lang::Yaml | Lang::DockerIgnore, At::Bare, '#') if word_start => {
                    stack.push(At::Comment)
                }
                _ => {}
            }
            line_start = c == '\n';
            i += 1;
        }
        found
    }

    #[test]
    fn every_value_in_an_embedded_template_goes_through_the_helper_of_its_place() {
        let mut problems = Vec::new();
        for file in embedded_files(&EMBEDDED) {
            let name = slash_path(file.path());
            let Some(lang) = lang(&name) else { continue };
            let text = String::from_utf8_lossy(file.contents());
            for problem in misplaced(lang, &text) {
                problems.push(format!("{name}: {problem}"));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_placement_check_finds_values_in_the_wrong_place() {
        let cases = [
            (Lang::Shell, "echo {{x}}"),
            (Lang::Shell, "echo \"{{sh x}}\""),
            (Lang::Shell, "echo '{{sh x}}'"),
            (Lang::Shell, "# {{sh x}}"),
            (Lang::Shell, "echo {{line x}}"),
            (Lang::Shell, "echo {{{x}}}"),
            (Lang::Dockerfile, "LABEL a=\"{{docker_str x}}\""),
            (Lang::Yaml, "a: \"{{yaml x}}\""),
            (Lang::Yaml, "a: {{compose_part x}}"),
            (Lang::Markdown, "`{{md x}}`"),
            (Lang::Markdown, "    {{md x}}"),
            (Lang::Rust, "const A: &str = \"{{rust x}}\";"),
            (Lang::Rust, "let a = {{x}};"),
        ];
        for (lang, text) in cases {
            assert_eq!(misplaced(lang, text).len(), 1, "{text}");
        }
        let fine = [
            (
                Lang::Shell,
                "x=\"$(f {{sh x}} \"$@\")\" # {{line x}}\necho \"${ {{~ident n}}:-}\" {{num p}}",
            ),
            (Lang::Shell, "echo '\\{{json .X}}' {{sh x}}"),
            (
                Lang::Yaml,
                "a: \"{{compose_part x}}${ {{~ident v}}:?set {{ident v}}}\" # {{line c}}",
            ),
            (
                Lang::Dockerfile,
                "# {{line x}}\nCOPY [{{docker_json x}}, \"/a\"]",
            ),
            (
                Lang::Markdown,
                "| {{md x}} | {{md_code x}} |\n    sh {{line (sh x)}}",
            ),
            (
                Lang::Rust,
                "//! {{line x}}\nconst A: &'static str = {{rust x}}; // {{line y}}\nconst P: u16 = {{num p}};",
            ),
        ];
        for (lang, text) in fine {
            assert_eq!(misplaced(lang, text), Vec::<String>::new(), "{text}");
        }
    }
}
