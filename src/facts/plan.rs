//! plan.md's technical-context fields as facts: images, ports, health, user,
//! goals, runtime packages and the variables Configuration Method names.

use super::collect::Collector;
use super::env::mentioned_vars;
use super::values::{
    self, base_images, clauses, debian_packages, ports, size_mb, user_ids, user_name,
};
use super::{Fact, Health, Port, Source, User};
use crate::spec::{Field, Plan, PlanStyle, PLAN};

/// Fields whose values are goals the performance task checks.
pub const GOAL_FIELDS: [&str; 5] = [
    "Startup Performance",
    "Image Size Goals",
    "Performance Goals",
    "Constraints",
    "Resource Constraints",
];

pub fn read(plan: &Plan, hints: &[String], out: &mut Collector) {
    let mut services = service_names(plan);
    services.extend(
        hints
            .iter()
            .filter(|h| !services.contains(h))
            .cloned()
            .collect::<Vec<_>>(),
    );
    for field in &plan.fields {
        if field.value.contains("NEEDS CLARIFICATION") {
            continue;
        }
        let at = Source::new(PLAN, field.line);
        let key = field.name.to_ascii_lowercase();
        if key.contains("image") && !key.contains("size") {
            images(field, &at, out);
        }
        match key.as_str() {
            "network requirements" | "ports" | "port" | "network" => {
                network(field, &services, &at, out)
            }
            "health monitoring" | "health check" | "health checks" | "healthcheck" => {
                health(field, &services, &at, out)
            }
            "security profile" | "runtime user" | "user" => user(field, &at, out),
            "configuration method" | "configuration" | "environment" => {
                out.env.extend(mentioned_vars(&field.value, &at));
            }
            "primary dependencies" if plan.style == PlanStyle::Container => {
                for name in debian_packages(&field.value, &[]) {
                    out.packages.push(Fact {
                        value: name,
                        source: at.clone(),
                    });
                }
            }
            _ => {}
        }
        goals(field, &at, out);
    }
    for name in GOAL_FIELDS {
        let stated = plan
            .field(name)
            .filter(|f| !f.value.trim().is_empty() && !f.value.contains("NEEDS CLARIFICATION"));
        if let Some(field) = stated {
            out.stated_goals.push(Fact {
                value: field.value.trim().to_string(),
                source: Source::new(PLAN, field.line),
            });
        }
    }
}

fn images(field: &Field, at: &Source, out: &mut Collector) {
    let (builder, runtime) = base_images(&field.value);
    let key = field.name.to_ascii_lowercase();
    let fact = |value: String| Fact {
        value,
        source: at.clone(),
    };
    // A field named for one stage holds that stage's image whatever its wording.
    match (key.contains("build"), key.contains("runtime")) {
        (true, false) => out.builder.extend(builder.or(runtime).map(fact)),
        (false, true) => out.runtime.extend(runtime.or(builder).map(fact)),
        _ => {
            out.builder.extend(builder.map(fact));
            out.runtime.extend(runtime.map(fact));
        }
    }
}

fn network(field: &Field, services: &[String], at: &Source, out: &mut Collector) {
    for clause in clauses(&field.value) {
        let service = named_service(clause, services);
        for port in ports(clause) {
            out.ports.push(Port {
                port,
                service: service.clone(),
                source: at.clone(),
            });
        }
    }
}

fn health(field: &Field, services: &[String], at: &Source, out: &mut Collector) {
    for clause in clauses(&field.value) {
        let Some(path) = values::health_path(clause) else {
            continue;
        };
        out.health.push(Health {
            method: "GET".to_string(),
            path,
            status: 200,
            port: ports(clause).first().copied(),
            service: named_service(clause, services),
            source: at.clone(),
        });
    }
}

fn user(field: &Field, at: &Source, out: &mut Collector) {
    let (uid, gid) = user_ids(&field.value);
    let name = user_name(&field.value);
    if uid.is_some() || name.is_some() {
        out.user.push(User {
            uid,
            gid,
            name,
            source: at.clone(),
        });
    }
}

fn goals(field: &Field, at: &Source, out: &mut Collector) {
    let fact = |value: u64| Fact {
        value,
        source: at.clone(),
    };
    let key = field.name.to_ascii_lowercase();
    if key == "image size goals" || key == "image size" {
        out.image_size_mb.extend(size_mb(&field.value).map(fact));
    }
    if key == "startup performance" || key == "startup time" {
        out.startup_seconds
            .extend(values::seconds(&field.value).map(fact));
    }
    // spec-kit's own Technical Context states them among other goals:
    // "Performance Goals: healthy within 2 s", "Constraints: image < 40 MB".
    if key == "performance goals" || key == "constraints" {
        for clause in field.value.split([';', ',']) {
            let lower = clause.to_ascii_lowercase();
            if lower.contains("image") {
                out.image_size_mb.extend(size_mb(clause).map(fact));
            }
            if ["healthy", "startup", "start-up"]
                .iter()
                .any(|word| lower.contains(word))
            {
                out.startup_seconds
                    .extend(values::seconds(clause).map(fact));
            }
        }
    }
    if key.contains("resource") || key.contains("memory") {
        out.memory_mb
            .extend(values::memory_mb(&field.value).map(fact));
    }
}

/// The service directories the plan's tree draws (`docker/api/`, the
/// directory of each `Dockerfile`).
pub fn service_names(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for entry in &plan.tree {
        let path = entry.path.trim_end_matches('/');
        let mut parts: Vec<&str> = path.split('/').collect();
        let name = if parts.last() == Some(&"Dockerfile") {
            parts.pop();
            parts.last().copied()
        } else if parts.first() == Some(&"docker") && parts.len() >= 2 && entry.is_dir {
            parts.get(1).copied()
        } else {
            None
        };
        if let Some(name) = name.filter(|n| !crate::layout::NOT_SERVICES.contains(n)) {
            if !names.iter().any(|known| known == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// The one service a clause names, if any.
fn named_service(clause: &str, services: &[String]) -> Option<String> {
    let words: Vec<String> = clause
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .map(str::to_ascii_lowercase)
        .collect();
    services
        .iter()
        .find(|s| {
            words
                .iter()
                .any(|w| values::names_match(w, &s.to_ascii_lowercase()))
        })
        .cloned()
}
