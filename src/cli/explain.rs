//! `cargo tasks explain`: the facts generate and scaffold work from, each with
//! the file and line it was read from, and what was looked for and not found.
//! The warnings (disagreements between documents, documents that yielded
//! nothing) go to stderr as `warning: file:line: message`, as every verb
//! prints them; `--format json` lists them in its `facts` too.

use crate::cli::generate::understand;
use crate::cli::{to_json, Context, Format};
use crate::facts::{Fact, Facts};
use crate::feature::FeatureArgs;
use crate::Result;
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Serialize)]
struct Explained<'a> {
    feature: &'a str,
    path: &'a str,
    services: Vec<String>,
    facts: &'a Facts,
}

impl ExplainArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace()?;
        let feature = self.feature.resolve(&ws)?;
        let read = understand(&ws, &feature)?;
        read.warn_all(cx, &ws);
        let services = read
            .layout
            .services
            .iter()
            .map(|s| format!("{} ({}, binary {})", s.name, s.dir, s.binary))
            .collect();
        let explained = Explained {
            feature: &feature.name,
            path: &feature.rel,
            services,
            facts: &read.facts,
        };
        let text = match self.format {
            Format::Json => to_json(&explained)?,
            Format::Text => render(&explained),
        };
        cx.shell.out(&text);
        Ok(())
    }
}

/// The facts as text: one section per kind, one line per fact ending in its source.
fn render(explained: &Explained) -> String {
    let facts = explained.facts;
    let mut out = String::new();
    let _ = writeln!(out, "Facts of {} ({})", explained.feature, explained.path);
    section(
        &mut out,
        "Containers",
        explained
            .services
            .iter()
            .map(|s| (s.clone(), String::new())),
    );
    section(
        &mut out,
        "Environment variables",
        facts.env.iter().map(|v| {
            let mut notes = Vec::new();
            if v.secret {
                notes.push("secret".to_string());
            }
            if v.required {
                notes.push("required".to_string());
            }
            notes.extend(v.default.as_ref().map(|d| format!("default {d}")));
            notes.extend(v.constraint.clone());
            if !v.services.is_empty() {
                notes.push(format!("for {}", v.services.join(", ")));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            };
            (format!("{}{notes}", v.name), v.source.to_string())
        }),
    );
    section(
        &mut out,
        "Ports",
        facts.ports.iter().map(|p| {
            (
                with_owner(p.port.to_string(), &p.service),
                p.source.to_string(),
            )
        }),
    );
    section(
        &mut out,
        "Health endpoints",
        facts.health.iter().map(|h| {
            let what = format!("{} {} → {}", h.method, h.path, h.status);
            (with_owner(what, &h.service), h.source.to_string())
        }),
    );
    let images = [
        ("builder", &facts.images.builder),
        ("runtime", &facts.images.runtime),
    ];
    section(
        &mut out,
        "Base images",
        images.iter().filter_map(|(role, fact)| {
            fact.as_ref()
                .map(|f| (format!("{role} {}", f.value), f.source.to_string()))
        }),
    );
    section(
        &mut out,
        "Runtime user",
        facts.user.iter().map(|u| {
            let parts: Vec<String> = [
                u.name.as_ref().map(|n| format!("user {n}")),
                u.uid.map(|uid| format!("UID {uid}")),
                u.gid.map(|gid| format!("GID {gid}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            (parts.join(", "), u.source.to_string())
        }),
    );
    let goals = [
        ("image size (MB)", &facts.goals.image_size_mb),
        ("startup (s)", &facts.goals.startup_seconds),
        ("memory (MB)", &facts.goals.memory_mb),
    ];
    section(
        &mut out,
        "Goals",
        goals.iter().filter_map(|(what, fact)| {
            fact.as_ref()
                .map(|f| (format!("{what} {}", f.value), f.source.to_string()))
        }),
    );
    section(
        &mut out,
        "Runtime packages",
        facts.packages.iter().map(plain),
    );
    section(
        &mut out,
        "Backing services",
        facts.backing.iter().map(|b| {
            let ports: Vec<String> = b.ports.iter().map(u16::to_string).collect();
            let ports = if ports.is_empty() {
                String::new()
            } else {
                format!(" (ports {})", ports.join(", "))
            };
            (
                format!("{} {}{ports}", b.name, b.image),
                b.source.to_string(),
            )
        }),
    );
    section(&mut out, "Entities", facts.entities.iter().map(plain));
    section(
        &mut out,
        "Decisions",
        facts.decisions.iter().map(|d| {
            let topic = serde_json::to_value(d.topic)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            (format!("[{topic}] {}", d.text), d.source.to_string())
        }),
    );
    section(
        &mut out,
        "Quickstart scenarios",
        facts.scenarios.iter().map(|s| {
            let commands = if s.commands.is_empty() {
                String::new()
            } else {
                format!(": {}", s.commands.join(" ; "))
            };
            (format!("{}{commands}", s.title), s.source.to_string())
        }),
    );
    section(
        &mut out,
        "Contract requests",
        facts.contracts.iter().flat_map(|c| {
            c.requests.iter().map(|r| {
                let auth = if r.auth { " (needs credentials)" } else { "" };
                (
                    format!("{} {} → {}{auth}", r.method, r.path, r.status),
                    r.source.to_string(),
                )
            })
        }),
    );
    section(&mut out, "Build stages", facts.stages.iter().map(plain));
    section(
        &mut out,
        "Looked for, not found",
        facts
            .missing
            .iter()
            .map(|m| (format!("{}: {}", m.kind, m.looked_for), String::new())),
    );
    let _ = writeln!(
        out,
        "\nWhere documents disagree: {} (earlier wins).",
        crate::facts::PRECEDENCE.join(" > ")
    );
    out
}

fn plain(fact: &Fact<String>) -> (String, String) {
    (fact.value.clone(), fact.source.to_string())
}

fn with_owner(what: String, owner: &Option<String>) -> String {
    match owner {
        Some(owner) => format!("{what} ({owner})"),
        None => what,
    }
}

/// A heading and its lines (`what  source`), or nothing when there are none.
fn section(out: &mut String, title: &str, lines: impl Iterator<Item = (String, String)>) {
    let lines: Vec<(String, String)> = lines.collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}:");
    for (what, source) in lines {
        if source.is_empty() {
            let _ = writeln!(out, "  {what}");
        } else {
            let _ = writeln!(out, "  {what}  [{source}]");
        }
    }
}
