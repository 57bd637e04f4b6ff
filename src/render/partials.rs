//! Partial recursion, refused before rendering: Handlebars follows a partial
//! that includes itself (directly, or through other partials or templates)
//! until the stack overflows and the process aborts. The check follows every
//! partial a template can reach, inline (`{{#*inline "p"}}`) or another
//! template by name, and names the cycle.

use handlebars::template::{Parameter, Template, TemplateElement};
use serde_json::Value;
use std::collections::HashMap;

/// What a template refers to and defines.
#[derive(Default)]
struct Partials {
    /// Partial names it includes; `None` for a name computed at render time.
    includes: Vec<Option<String>>,
    /// Inline partials it defines, with their bodies.
    inline: Vec<(String, Template)>,
}

/// Checks that no partial reachable from `root` (compiled from the template
/// named `name`) includes itself. `source` gives the text of another
/// template by name. The error says which partials form the cycle.
pub fn check(
    name: &str,
    root: &Template,
    source: &dyn Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let mut graph = Graph {
        nodes: HashMap::new(),
        state: HashMap::new(),
        source,
    };
    graph.add(name.to_string(), root);
    graph.visit(name, &mut Vec::new())
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Visiting,
    Done,
}

struct Graph<'a> {
    /// Partial (or template) name → what its body includes.
    nodes: HashMap<String, Vec<Option<String>>>,
    state: HashMap<String, State>,
    source: &'a dyn Fn(&str) -> Option<String>,
}

impl Graph<'_> {
    fn add(&mut self, name: String, body: &Template) {
        let mut found = Partials::default();
        collect(body, &mut found);
        for (inline, inline_body) in found.inline {
            if !self.nodes.contains_key(&inline) {
                self.add(inline, &inline_body);
            }
        }
        self.nodes.insert(name, found.includes);
    }

    /// Whether `name` names a partial: an inline one already seen, or a
    /// template that compiles (one that does not is reported when rendered).
    fn known(&mut self, name: &str) -> bool {
        if self.nodes.contains_key(name) {
            return true;
        }
        let compiled = (self.source)(name).and_then(|text| Template::compile(&text).ok());
        match compiled {
            Some(template) => {
                self.add(name.to_string(), &template);
                true
            }
            None => false,
        }
    }

    fn visit(&mut self, name: &str, path: &mut Vec<String>) -> Result<(), String> {
        match self.state.get(name) {
            Some(State::Done) => return Ok(()),
            Some(State::Visiting) => {
                let start = path.iter().position(|p| p == name).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(name.to_string());
                return Err(format!(
                    "partial `{name}` includes itself ({}); recursive partials are not supported",
                    cycle.join(" → ")
                ));
            }
            None => {}
        }
        self.state.insert(name.to_string(), State::Visiting);
        path.push(name.to_string());
        let includes = self.nodes.get(name).cloned().unwrap_or_default();
        for include in includes {
            let Some(include) = include else {
                return Err(format!(
                    "`{name}` includes a partial whose name is computed at render time; \
                     name partials literally so that recursion can be ruled out"
                ));
            };
            if include != "@partial-block" && self.known(&include) {
                self.visit(&include, path)?;
            }
        }
        path.pop();
        self.state.insert(name.to_string(), State::Done);
        Ok(())
    }
}

fn partial_name(parameter: &Parameter) -> Option<String> {
    match parameter {
        Parameter::Literal(Value::String(name)) => Some(name.clone()),
        other => other.as_name().map(str::to_string),
    }
}

fn collect(template: &Template, found: &mut Partials) {
    for element in &template.elements {
        match element {
            TemplateElement::HelperBlock(helper) => {
                for body in [&helper.template, &helper.inverse].into_iter().flatten() {
                    collect(body, found);
                }
            }
            TemplateElement::DecoratorBlock(decorator)
                if decorator.name.as_name() == Some("inline") =>
            {
                let name = decorator.params.first().and_then(partial_name);
                if let (Some(name), Some(body)) = (name, &decorator.template) {
                    found.inline.push((name, body.clone()));
                }
            }
            TemplateElement::PartialExpression(partial)
            | TemplateElement::PartialBlock(partial) => {
                found.includes.push(partial_name(&partial.name));
                if let Some(body) = &partial.template {
                    collect(body, found);
                }
            }
            TemplateElement::DecoratorBlock(decorator)
            | TemplateElement::DecoratorExpression(decorator) => {
                if let Some(body) = &decorator.template {
                    collect(body, found);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_text(text: &str, others: &[(&str, &str)]) -> Result<(), String> {
        let root = Template::compile(text).unwrap();
        let others: HashMap<String, String> = others
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        check("root.hbs", &root, &|name| others.get(name).cloned())
    }

    #[test]
    fn recursion_through_inline_partials_and_templates_is_refused() {
        let err = check_text(r#"{{#*inline "p"}}x{{> p}}{{/inline}}{{> p}}"#, &[]).unwrap_err();
        assert!(
            err.starts_with("partial `p` includes itself (p → p)"),
            "{err}"
        );
        let err = check_text(
            r#"{{#*inline "a"}}{{#if x}}{{> b}}{{/if}}{{/inline}}{{#*inline "b"}}{{#each y}}{{> a}}{{/each}}{{/inline}}{{> a}}"#,
            &[],
        )
        .unwrap_err();
        assert!(err.contains("(a → b → a)"), "{err}");
        let err = check_text("{{> other.hbs}}", &[("other.hbs", "{{> root.hbs}}")]).unwrap_err();
        assert!(err.contains("(root.hbs → other.hbs → root.hbs)"), "{err}");
        let err = check_text("{{> (pick)}}", &[]).unwrap_err();
        assert!(err.contains("computed at render time"), "{err}");
    }

    #[test]
    fn shared_and_nested_partials_without_a_cycle_pass() {
        let text = r#"{{#*inline "leaf"}}l{{/inline}}{{#*inline "mid"}}{{> leaf}}{{> leaf}}{{/inline}}{{> mid}}{{> leaf}}{{> missing}}{{#> mid}}block{{/mid}}"#;
        assert_eq!(
            check_text(text, &[("other.hbs", "{{> other.hbs}}")]),
            Ok(())
        );
        assert_eq!(check_text("no partials at all {{x}}", &[]), Ok(()));
    }
}
