//! The facts each drafted task comes from, as `generate --format json`
//! shows them: file (relative to the feature directory), line, and what the
//! fact says in a word and a value (`env HELLO_PORT`, `port 8080`).

use crate::facts::{Facts, Source};
use crate::layout::Layout;
use crate::spec::{Documents, PLAN};
use serde::Serialize;

/// A fact a task was drafted from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited {
    pub file: String,
    pub line: usize,
    pub fact: String,
}

impl Cited {
    pub fn new(source: &Source, fact: String) -> Cited {
        Cited {
            file: source.file.clone(),
            line: source.line,
            fact,
        }
    }
}

/// The plan's Structure Decision.
pub fn structure(docs: &Documents) -> Vec<Cited> {
    let decision = docs.plan.structure_decision.iter();
    decision
        .map(|field| {
            let at = Source::new(PLAN, field.line);
            Cited::new(&at, format!("structure {}", field.value))
        })
        .collect()
}

pub fn images(facts: &Facts) -> Vec<Cited> {
    let images = &facts.images;
    let builder = images.builder.iter().map(|f| ("builder", f));
    let runtime = images.runtime.iter().map(|f| ("runtime", f));
    builder
        .chain(runtime)
        .map(|(stage, f)| Cited::new(&f.source, format!("image {stage} {}", f.value)))
        .collect()
}

/// The plan's dependency fields and the runtime packages read from them.
pub fn packages(docs: &Documents, facts: &Facts) -> Vec<Cited> {
    let fields = ["Primary Dependencies", "Build Requirements"]
        .into_iter()
        .filter_map(|name| docs.plan.field(name))
        .map(|f| {
            Cited::new(
                &Source::new(PLAN, f.line),
                format!("{}: {}", f.name, f.value.trim()),
            )
        });
    let packages = facts
        .packages
        .iter()
        .map(|p| Cited::new(&p.source, format!("package {}", p.value)));
    fields.chain(packages).collect()
}

/// The ports the Dockerfile of the service called any of `names` exposes.
pub fn ports(facts: &Facts, layout: &Layout, names: &[&str]) -> Vec<Cited> {
    let owned = |service: &Option<String>| {
        let owners: Vec<String> = service.iter().cloned().collect();
        !layout.multi || crate::facts::applies(&owners, names)
    };
    let exposed = facts.ports_for(if layout.multi { names } else { &[] });
    facts
        .ports
        .iter()
        .filter(|p| owned(&p.service) && exposed.contains(&p.port))
        .map(|p| Cited::new(&p.source, format!("port {}", p.port)))
        .collect()
}

/// The requests of the contract at `path`.
pub fn requests(facts: &Facts, path: &str) -> Vec<Cited> {
    facts
        .contracts
        .iter()
        .filter(|c| c.path == path)
        .flat_map(|c| &c.requests)
        .map(|r| {
            let fact = format!("request {} {} {}", r.method, r.path, r.status);
            Cited::new(&r.source, fact)
        })
        .collect()
}

pub fn health(facts: &Facts) -> Vec<Cited> {
    facts
        .health
        .iter()
        .map(|h| {
            let fact = format!("health {} {} {}", h.method, h.path, h.status);
            Cited::new(&h.source, fact)
        })
        .collect()
}

pub fn backing(facts: &Facts) -> Vec<Cited> {
    facts
        .backing
        .iter()
        .map(|b| Cited::new(&b.source, format!("backing {} {}", b.name, b.image)))
        .collect()
}

pub fn user(facts: &Facts) -> Vec<Cited> {
    facts
        .user
        .iter()
        .map(|u| {
            let id = u.uid.map_or(String::new(), |uid| format!(" {uid}"));
            let name = u.name.as_ref().map_or(String::new(), |n| format!(" {n}"));
            Cited::new(&u.source, format!("user{name}{id}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Port;

    fn port(port: u16, service: Option<&str>, line: usize) -> Port {
        Port {
            port,
            service: service.map(str::to_string),
            source: Source::new("research.md", line),
        }
    }

    fn layout(multi: bool) -> Layout {
        Layout {
            multi,
            docker_dir: "docker".into(),
            shared_dir: None,
            test_dir: "docker/test".into(),
            services: Vec::new(),
        }
    }

    /// Two services listening on the same number: each Dockerfile cites its own fact.
    #[test]
    fn a_port_of_another_service_is_not_cited_for_the_same_number() {
        let facts = Facts {
            ports: vec![port(8080, Some("api"), 4), port(8080, Some("worker"), 9)],
            ..Facts::default()
        };
        let cited = ports(&facts, &layout(true), &["api"]);
        assert_eq!(
            cited,
            [Cited::new(
                &Source::new("research.md", 4),
                "port 8080".into()
            )]
        );
    }

    #[test]
    fn backing_services_are_cited_by_name_and_image() {
        let facts = Facts {
            backing: vec![crate::facts::Backing {
                name: "db".into(),
                image: "postgres:15".into(),
                ports: vec![5432],
                settings: Vec::new(),
                source: Source::new("plan.md", 12),
            }],
            ..Facts::default()
        };
        assert_eq!(
            backing(&facts),
            [Cited::new(
                &Source::new("plan.md", 12),
                "backing db postgres:15".into()
            )]
        );
    }

    /// One service: every port it exposes is cited, whoever the documents said it was for.
    #[test]
    fn a_single_service_cites_every_port_it_exposes() {
        let facts = Facts {
            ports: vec![port(8080, None, 3), port(8080, Some("admin"), 7)],
            ..Facts::default()
        };
        let lines: Vec<usize> = ports(&facts, &layout(false), &["shop"])
            .iter()
            .map(|c| c.line)
            .collect();
        assert_eq!(lines, [3, 7]);
    }
}
