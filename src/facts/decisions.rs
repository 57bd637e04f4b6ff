//! research.md decisions in every form teams write: `**Decision**: X`,
//! `Decision: X`, `### Decision: X`, `### Decision 2: X`, a `## Decision`
//! heading followed by prose or bullets, `**Chosen**: X`, `**Choice**: X`,
//! `**Selected Approach**: X`, `**Base Image Decision**: X`. In a decision
//! record (a `### Decision…` section with Context, Alternatives, Selected
//! Approach and Rationale fields) the selected approach is the decision;
//! the alternatives never reach a reader (see `alternatives`). Each decision
//! gets a topic (from its text and its heading); container decisions also
//! yield base images and health endpoints.

use super::collect::Collector;
use super::values::{self, base_images, looks_like_image};
use super::{Decision, Fact, Health, Source, Topic, User};
use crate::spec::markdown::{heading_key, Block, Document, Heading, Paragraph};
use crate::spec::RESEARCH;

pub fn read(file: &str, doc: &Document, out: &mut Collector) {
    if file != RESEARCH {
        return;
    }
    let mut pending: Option<(usize, String)> = None;
    let mut open: Option<Titled> = None;
    for (enclosing, block) in doc.walk() {
        let context = enclosing.last().map_or(String::new(), |h| h.text.clone());
        match block {
            Block::Heading(heading) => {
                pending = None;
                if open.as_ref().is_some_and(|t| heading.level <= t.level) {
                    close(file, open.take(), out);
                }
                if let Some(title) = heading_decision(heading) {
                    close(file, open.take(), out);
                    open = Some(Titled {
                        title,
                        context,
                        line: heading.line,
                        level: heading.level,
                        answered: false,
                    });
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
                let context = open.as_ref().map_or(context, |t| t.title.clone());
                for (text, line) in paragraph_decisions(paragraph) {
                    decide(file, &text, &context, line, out);
                    if let Some(titled) = open.as_mut() {
                        titled.answered = true;
                    }
                }
            }
            _ => {}
        }
    }
    close(file, open, out);
}

/// A `### Decision: X` or `### Decision 2: X` section: its title is the
/// decision unless a field in it names the selected option.
struct Titled {
    title: String,
    /// The heading above it.
    context: String,
    line: usize,
    level: u8,
    answered: bool,
}

fn close(file: &str, titled: Option<Titled>, out: &mut Collector) {
    if let Some(t) = titled.filter(|t| !t.answered) {
        decide(file, &t.title, &t.context, t.line, out);
    }
}

/// `### Decision: X`, `### Decision 2: X`, `### Decision - X` (the heading
/// names the decision).
fn heading_decision(heading: &Heading) -> Option<String> {
    let text = heading.text.trim();
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("decision")?.trim_start();
    let rest = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    let rest = ["：", ":", "—", "–", "-", "."]
        .iter()
        .find_map(|separator| rest.strip_prefix(separator))?;
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

/// Fields naming what was decided: `**Decision**:`, `**Base Image
/// Decision**:`, `**Chosen**:`, `**Choice**:`, `**Selected Approach**:`,
/// `**Recommendation**:` and the like.
fn is_selection(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("decision")
        || [
            "chosen",
            "choice",
            "chosen approach",
            "chosen option",
            "selected",
            "selection",
            "selected approach",
            "selected option",
            "recommendation",
            "recommended approach",
        ]
        .contains(&name.as_str())
}

/// The selection fields and plain `Decision: X` lines of a paragraph; a
/// decision wrapped onto the lines after it (up to the next field) is whole.
fn paragraph_decisions(paragraph: &Paragraph) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for line in &paragraph.lines {
        if let Some(field) = line.field() {
            found.extend(current.take());
            if is_selection(&field.name) && !field.value.is_empty() {
                current = Some((field.value, field.line));
            }
            continue;
        }
        let text = line.text();
        let lower = text.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("decision:") {
            found.extend(current.take());
            let value = text[text.len() - rest.len()..].trim();
            if !value.is_empty() {
                current = Some((value.to_string(), line.line));
            }
        } else if plain_label(&text) {
            found.extend(current.take());
        } else if let Some((value, _)) = current.as_mut() {
            if !text.trim().is_empty() {
                value.push(' ');
                value.push_str(text.trim());
            }
        }
    }
    found.extend(current);
    found
}

/// `Rationale: …`, `Alternatives considered: …`: a line that opens another
/// field without bold ends the decision above it.
fn plain_label(text: &str) -> bool {
    let Some((label, _)) = text.trim_start().split_once(':') else {
        return false;
    };
    let words: Vec<&str> = label.split_whitespace().collect();
    (1..=3).contains(&words.len())
        && words[0].starts_with(|c: char| c.is_ascii_uppercase())
        && words
            .iter()
            .all(|w| w.chars().all(|c| c.is_alphabetic() || c == '-'))
}

fn decide(file: &str, text: &str, heading: &str, line: usize, out: &mut Collector) {
    let source = Source::new(file, line);
    let topic = topic_of(&format!("{heading} {text}"));
    if topic == Topic::Dockerfile {
        images(text, heading, &source, out);
    }
    runtime_user(text, &source, out);
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

/// "run as the `nonroot` account, UID 65532": a decision that names a UID
/// decides the runtime user (a bare "1000:1000" may be a port mapping).
fn runtime_user(text: &str, at: &Source, out: &mut Collector) {
    let mentions_uid = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word.eq_ignore_ascii_case("uid"));
    let (uid, gid) = values::user_ids(text);
    if mentions_uid && uid.is_some() {
        out.user.push(User {
            uid,
            gid,
            name: values::user_name(text),
            source: at.clone(),
        });
    }
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
            "livez",
            "readyz",
            "probe",
            "probes",
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
