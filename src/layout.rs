//! Which containers a feature builds and where their files live, decided from
//! the plan's source tree and Structure Decision and the workspace's binary
//! targets. Both `generate` (to name paths) and `scaffold` (to write them)
//! use this one answer.

use crate::spec::Plan;
use crate::workspace::Workspace;
use crate::{Error, Result};
use serde::Serialize;

const DOCKER: &str = "docker";
/// Directories under `docker/` that hold common pieces, not a service.
pub const NOT_SERVICES: [&str; 7] = [
    "shared",
    "test",
    "tests",
    "setup",
    "entrypoint.d",
    "config",
    "scripts",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub multi: bool,
    pub docker_dir: String,
    pub shared_dir: Option<String>,
    pub test_dir: String,
    pub services: Vec<ServiceLayout>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceLayout {
    pub name: String,
    /// `docker` for a single container at the top, else `docker/<name>`.
    pub dir: String,
    pub binary: String,
    pub package: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Single,
    Multi,
    Undecided,
}

/// A binary target: its name and its package's name.
type Binary<'a> = (&'a str, &'a str);

pub fn layout(plan: &Plan, ws: &Workspace) -> Result<Layout> {
    let binaries: Vec<Binary> = ws
        .binaries()
        .into_iter()
        .map(|(p, t)| (t.name.as_str(), p.name.as_str()))
        .collect();
    decide(plan, &binaries)
}

impl Layout {
    /// Every service's name and binary, for facts that name a service.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for service in &self.services {
            for name in [&service.name, &service.binary] {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }
}

fn decide(plan: &Plan, binaries: &[Binary]) -> Result<Layout> {
    if binaries.is_empty() {
        return Err(Error::new(
            "the workspace has no binary target to containerise",
        ));
    }
    let decision = structure_decision(plan);
    let named = service_dirs(plan);
    let services = if !named.is_empty() {
        named
            .iter()
            .map(|name| service(name, format!("{DOCKER}/{name}"), binaries))
            .collect::<Result<Vec<_>>>()?
    } else if decision == Decision::Single || binaries.len() == 1 {
        let [only] = binaries else {
            return Err(single_with_several_binaries(binaries));
        };
        vec![service(only.0, DOCKER.to_string(), binaries)?]
    } else {
        binaries
            .iter()
            .map(|(bin, package)| ServiceLayout {
                name: bin.to_string(),
                dir: format!("{DOCKER}/{bin}"),
                binary: bin.to_string(),
                package: package.to_string(),
            })
            .collect()
    };
    let multi = services.len() > 1 || decision == Decision::Multi;
    Ok(Layout {
        multi,
        docker_dir: DOCKER.to_string(),
        shared_dir: multi.then(|| format!("{DOCKER}/shared")),
        test_dir: format!("{DOCKER}/test"),
        services,
    })
}

fn structure_decision(plan: &Plan) -> Decision {
    let Some(field) = &plan.structure_decision else {
        return Decision::Undecided;
    };
    let text = field.value.to_ascii_lowercase();
    if text.contains("multi") || text.contains("one directory per service") {
        Decision::Multi
    } else if text.contains("single") {
        Decision::Single
    } else {
        Decision::Undecided
    }
}

/// `docker/<name>/` directories of the plan's tree that are services.
fn service_dirs(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for entry in &plan.tree {
        let mut parts = entry.path.trim_end_matches('/').split('/');
        let (Some(DOCKER), Some(name), rest) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let is_dir = entry.is_dir || rest.is_some();
        if is_dir && !NOT_SERVICES.contains(&name) && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// The binary a service directory ships: `api` matches `greeter-api`.
fn service(name: &str, dir: String, binaries: &[Binary]) -> Result<ServiceLayout> {
    let matches = |bin: &str| {
        bin == name
            || bin.ends_with(&format!("-{name}"))
            || bin.ends_with(&format!("_{name}"))
            || bin.starts_with(&format!("{name}-"))
    };
    let found: Vec<&Binary> = binaries.iter().filter(|(bin, _)| matches(bin)).collect();
    let chosen = match (found.as_slice(), binaries) {
        ([one], _) => *one,
        ([], [only]) => only,
        _ => {
            return Err(Error::new(format!(
                "cannot tell which binary the container `{dir}/` ships"
            ))
            .with_help(format!(
                "name the directory after one binary target: {}",
                binary_names(binaries)
            )))
        }
    };
    Ok(ServiceLayout {
        name: name.to_string(),
        dir,
        binary: chosen.0.to_string(),
        package: chosen.1.to_string(),
    })
}

fn single_with_several_binaries(binaries: &[Binary]) -> Error {
    Error::new(format!(
        "the plan asks for a single container but the workspace has {} binaries: {}",
        binaries.len(),
        binary_names(binaries)
    ))
    .with_help("list the container as `docker/<binary>/` in the plan's source tree")
}

fn binary_names(binaries: &[Binary]) -> String {
    binaries.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
}
