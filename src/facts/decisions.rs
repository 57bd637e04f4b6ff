//! research.md decisions in every form teams write: `**Decision**: X`,
//! `Decision: X`, `### Decision: X`, a `## Decision` heading followed by prose
//! or bullets, `**Chosen**: X`, `**Base Image Decision**: X`. Each gets a
//! topic (from its text and its heading); container decisions also yield base
//! images and health endpoints.

use super::collect::Collector;
use super::values::{self, base_images, looks_like_image};
use super::{Decision, Fact, Health, Source, Topic};
use crate::spec::markdown::{heading_key, Block, Document, Heading, Paragraph};
use crate::spec::RESEARCH;

pub fn read(file: &str, doc: &Document, out: &mut Collector) {
    if file != RESEARCH {
        return;
    }
    let mut pending: Option<(usize, String)> = None;
    for (enclosing, block) in doc.walk() {
        let context = enclosing.last().map_or(String::new(), |h| h.text.clone());
        match block {
            Block::Heading(heading) => {
                pending = None;
                if let Some(text) = heading_decision(heading) {
                    let context = context.clone();
                    decide(file, &text, &context, heading.line, out);
                } else if is_decision_heading(heading) {
                    pending = Some((heading.line, context));
                }
            }
            Block::Paragraph(paragraph) => {
                if let Some((_, context)) = pending.take() {
                    if !paragraph.text().is_empty() {
                        let heading = format!("{context} {}", heading_above(doc, paragraph));
                        decide(file, &paragraph.text(), &heading, paragraph.line(), out);
                        continue;
                    }
                }
                for (text, line) in paragraph_decisions(paragraph) {
                    decide(file, &text, &context, line, out);
                }
            }
            _ => {}
        }
    }
}

/// `### Decision: X` (the heading names the decision).
fn heading_decision(heading: &Heading) -> Option<String> {
    let text = heading.text.trim();
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("decision:")
        .or_else(|| lower.strip_prefix("decision -"))
        .or_else(|| lower.strip_prefix("decision —"))?;
    let value = text[text.len() - rest.len()..].trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// `## Decision`, `### Decision made`: the text that follows is the decision.
fn is_decision_heading(heading: &Heading) -> bool {
    matches!(
        heading_key(&heading.text).as_str(),
        "decision"
            | "decisions"
            | "decision made"
            | "chosen approach"
            | "selected approach"
            | "chosen"
    )
}

fn heading_above(doc: &Document, paragraph: &Paragraph) -> String {
    doc.headings()
        .filter(|h| h.line < paragraph.line())
        .last()
        .map_or(String::new(), |h| h.text.clone())
}

/// `**Decision**: X`, `**Chosen**: X`, `**Base Image Decision**: X` fields
/// and plain `Decision: X` lines of a paragraph.
fn paragraph_decisions(paragraph: &Paragraph) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for line in &paragraph.lines {
        if let Some(field) = line.field() {
            let name = field.name.to_ascii_lowercase();
            if (name == "chosen" || name.ends_with("decision")) && !field.value.is_empty() {
                found.push((field.value, field.line));
            }
            continue;
        }
        let text = line.text();
        let lower = text.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("decision:") {
            let value = text[text.len() - rest.len()..].trim();
            if !value.is_empty() {
                found.push((value.to_string(), line.line));
            }
        }
    }
    found
}

fn decide(file: &str, text: &str, heading: &str, line: usize, out: &mut Collector) {
    let source = Source::new(file, line);
    let topic = topic_of(&format!("{heading} {text}"));
    if topic == Topic::Dockerfile {
        images(text, heading, &source, out);
    }
    if topic == Topic::Healthcheck {
        let path = values::health_path(text).filter(|p| super::code::is_health_path(p));
        if let Some(path) = path {
            out.health.push(Health {
                method: "GET".to_string(),
                path,
                status: 200,
                port: None,
                service: None,
                source: source.clone(),
            });
        }
    }
    out.decisions.push(Decision {
        text: text.to_string(),
        topic,
        source,
    });
}

/// Images a decision names; a lone image without a role word takes the role
/// its heading names ("Runtime base image").
fn images(text: &str, heading: &str, at: &Source, out: &mut Collector) {
    let fact = |value: String| Fact {
        value,
        source: at.clone(),
    };
    let (builder, runtime) = base_images(text);
    let images_named = text
        .split(|c: char| c.is_whitespace() || "`()".contains(c))
        .filter(|w| looks_like_image(w.trim_end_matches(['.', ',', ';'])))
        .count();
    let heading = heading.to_ascii_lowercase();
    if images_named == 1
        && !values::is_builder_part(text, "")
        && heading.contains("build")
        && !heading.contains("runtime")
    {
        out.builder.extend(runtime.or(builder).map(fact));
        return;
    }
    out.builder.extend(builder.map(fact));
    out.runtime.extend(runtime.map(fact));
}

/// Keywords per container topic; a decision naming none is `Topic::Other`.
const TOPICS: [(Topic, &[&str]); 4] = [
    (
        Topic::Healthcheck,
        &[
            "health",
            "healthcheck",
            "healthz",
            "probe",
            "liveness",
            "readiness",
        ],
    ),
    (
        Topic::Entrypoint,
        &[
            "entrypoint",
            "signal",
            "signals",
            "tini",
            "init",
            "pid",
            "environment",
            "env",
            "variable",
            "variables",
            "config",
            "sigterm",
            "shutdown",
        ],
    ),
    (
        Topic::Setup,
        &[
            "user",
            "uid",
            "non-root",
            "nonroot",
            "permission",
            "permissions",
            "package",
            "packages",
            "apt",
            "apt-get",
            "install",
        ],
    ),
    (
        Topic::Dockerfile,
        &[
            "image",
            "images",
            "base",
            "distroless",
            "dockerfile",
            "multi-stage",
            "stage",
            "stages",
            "layer",
            "layers",
            "cache",
            "caching",
            "alpine",
            "debian",
            "musl",
            "static",
            "container",
            "containers",
            "docker",
            "compose",
            "port",
            "expose",
            "scratch",
            "slim",
            "buildkit",
        ],
    ),
];

pub fn topic_of(text: &str) -> Topic {
    let lower = text.to_ascii_lowercase();
    let words = crate::tasks::rules::words(text);
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .chain(lower.split(|c: char| c.is_whitespace() || ",.;:()`".contains(c)))
        .collect();
    if lower
        .split(|c: char| c.is_whitespace() || c == '`')
        .any(|w| looks_like_image(w.trim_end_matches(['.', ',', ';', ')'])))
    {
        return Topic::Dockerfile;
    }
    TOPICS
        .iter()
        .find(|(_, keys)| keys.iter().any(|k| words.contains(k)))
        .map_or(Topic::Other, |(topic, _)| *topic)
}
