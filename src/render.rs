//! Handlebars rendering. Every template is embedded in the binary; a user
//! overrides any single one by placing a file of the same relative name in
//! `--templates DIR`, the `templates` directory of the metadata table, or
//! `.specify/templates/` (first found wins, per file).
//!
//! Values enter a generated file only through the escaping helpers of
//! `escape` (`{{sh x}}`, `{{yaml x}}`, ...), chosen by the language and the
//! place; the default `{{x}}` writes the value unchanged.

pub mod escape;

use crate::workspace::Workspace;
use crate::{Error, Result};
use handlebars::{
    Context as HbContext, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason,
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
                let text =
                    std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, &e))?;
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
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc HbContext,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
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
        out.write(&escaped)?;
        Ok(())
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
fn user_templates(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io("list", &current, &e)),
        };
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
        let err = renderer.render("c.sh.hbs", &data).unwrap_err();
        assert!(
            err.message().contains("list is not text"),
            "{}",
            err.message()
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
}
