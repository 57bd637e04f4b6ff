//! Which containers a feature builds and where their files live, decided from
//! the plan's source tree and Structure Decision and the workspace's binary
//! targets. Both `generate` (to name paths) and `scaffold` (to write them)
//! use this one answer. Container files go where the tree draws them: the
//! tree's `docker` directory (`deploy/docker/`, `containers/docker/<name>/`)
//! and the directory of each drawn `Dockerfile` (`backend/Dockerfile`).

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

/// What scaffold writes in each service directory.
const SERVICE_FILES: [&str; 6] = [
    "Dockerfile",
    "entrypoint.rs",
    "setup.sh",
    "setup/",
    "entrypoint.d/",
    "config/",
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

/// A binary target: its name, its package's name and the package's
/// directory relative to the workspace root (empty for the root).
pub struct Binary<'a> {
    pub name: &'a str,
    pub package: &'a str,
    pub dir: String,
}

pub fn layout(plan: &Plan, ws: &Workspace) -> Result<Layout> {
    let binaries: Vec<Binary> = ws
        .binaries()
        .into_iter()
        .map(|(p, t)| Binary {
            name: t.name.as_str(),
            package: p.name.as_str(),
            dir: p
                .manifest_path
                .parent()
                .map_or(String::new(), |dir| ws.relative(dir)),
        })
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

    /// Whether `path` (relative to the workspace) is one of the container
    /// files or directories this layout places: `.dockerignore`, anything
    /// under the docker directory, a service's own files elsewhere
    /// (`backend/Dockerfile`, not the rest of `backend/`).
    pub fn places(&self, path: &str) -> bool {
        let under = |dir: &str| path == dir || path.starts_with(&format!("{dir}/"));
        let service_file = |dir: &str| {
            SERVICE_FILES
                .iter()
                .any(|file| under(&format!("{dir}/{}", file.trim_end_matches('/'))))
        };
        path == ".dockerignore"
            || under(&self.docker_dir)
            || self.services.iter().any(|s| service_file(&s.dir))
    }
}

/// `..` once per component of `dir`: the way back to the workspace root.
pub fn up_to_root(dir: &str) -> String {
    vec![".."; dir.split('/').count()].join("/")
}

/// The layout for the plan and the workspace's binary targets.
pub fn decide(plan: &Plan, binaries: &[Binary]) -> Result<Layout> {
    if binaries.is_empty() {
        return Err(Error::new(
            "the workspace has no binary target to containerise",
        ));
    }
    refuse_outside(plan)?;
    let docker_dir = docker_dir(plan)?;
    let decision = structure_decision(plan);
    let drawn = service_dirs(plan, &docker_dir)?;
    let services = if !drawn.is_empty() {
        drawn
            .iter()
            .map(|(dir, line)| service(dir, binaries).map_err(|e| e.at_line(*line)))
            .collect::<Result<Vec<_>>>()?
    } else if decision == Decision::Single || binaries.len() == 1 {
        let [only] = binaries else {
            return Err(single_with_several_binaries(binaries, &docker_dir));
        };
        vec![slot(only.name, docker_dir.clone(), only)]
    } else {
        binaries
            .iter()
            .map(|bin| slot(bin.name, format!("{docker_dir}/{}", bin.name), bin))
            .collect()
    };
    let multi = services.len() > 1 || decision == Decision::Multi;
    Ok(Layout {
        multi,
        shared_dir: multi.then(|| format!("{docker_dir}/shared")),
        test_dir: format!("{docker_dir}/test"),
        docker_dir,
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

/// A container file the plan draws outside the workspace is an error.
fn refuse_outside(plan: &Plan) -> Result<()> {
    let container_file = plan.outside.iter().find(|entry| {
        entry
            .path
            .trim_end_matches('/')
            .split('/')
            .any(|c| c == DOCKER || c == "Dockerfile")
    });
    match container_file {
        None => Ok(()),
        Some(entry) => Err(Error::new(format!(
            "the source tree places `{}` outside the workspace; container files must stay inside it",
            entry.path
        ))
        .at_line(entry.line)
        .with_help("draw it relative to the repository root, without `..` or a leading `/`")),
    }
}

/// The tree's first directory called `docker` (`docker/`, `deploy/docker/`,
/// `containers/docker/`), else `docker`.
fn docker_dir(plan: &Plan) -> Result<String> {
    let drawn = plan.tree.iter().find(|entry| {
        let path = entry.path.trim_end_matches('/');
        entry.is_dir && path.rsplit('/').next() == Some(DOCKER)
    });
    match drawn {
        Some(entry) => {
            let dir = entry.path.trim_end_matches('/');
            plain_dir(dir, entry.line)?;
            Ok(dir.to_string())
        }
        None => Ok(DOCKER.to_string()),
    }
}

/// The service directories the tree draws, with their lines: every
/// `<docker_dir>/<name>/` and the directory of every `Dockerfile` (a
/// Dockerfile right in `<docker_dir>/` or at the root is not a service
/// directory: it is the single container's, placed as the binaries decide).
fn service_dirs(plan: &Plan, docker_dir: &str) -> Result<Vec<(String, usize)>> {
    let mut dirs: Vec<(String, usize)> = Vec::new();
    let inside = format!("{docker_dir}/");
    for entry in &plan.tree {
        let path = entry.path.trim_end_matches('/');
        let dir = if let Some(rest) = path.strip_prefix(&inside) {
            let mut parts = rest.split('/');
            let name = parts.next().unwrap_or_default();
            let is_dir = entry.is_dir || parts.next().is_some();
            is_dir.then(|| format!("{inside}{name}"))
        } else {
            path.strip_suffix("/Dockerfile").map(str::to_string)
        };
        let Some(dir) = dir else {
            continue;
        };
        let name = dir.rsplit('/').next().unwrap_or_default();
        if NOT_SERVICES.contains(&name) || dirs.iter().any(|(known, _)| *known == dir) {
            continue;
        }
        plain_dir(&dir, entry.line)?;
        dirs.push((dir, entry.line));
    }
    Ok(dirs)
}

/// A directory the plan names for container files: relative, inside the
/// workspace, out of `.git`, made of plain names (they reach scripts and
/// Dockerfiles).
fn plain_dir(dir: &str, line: usize) -> Result<()> {
    let plain = |c: &str| {
        !c.is_empty()
            && c != "."
            && c != ".."
            && !c.starts_with('-')
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
    };
    let problem = if dir.split('/').any(|c| c == ".git") {
        Some("inside the repository's .git directory")
    } else if !dir.split('/').all(plain) {
        Some("not a plain relative directory (letters, digits, `.`, `_`, `-`)")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Error::new(format!(
            "the source tree places container files in `{dir}/`, {problem}"
        ))
        .at_line(line)
        .with_help("draw the container files in a plain directory of the workspace")),
    }
}

/// The binary a service directory ships: the package living in it, else
/// the one its name matches (`api` matches `greeter-api`), else the only one.
fn service(dir: &str, binaries: &[Binary]) -> Result<ServiceLayout> {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    let in_package = |bin: &&Binary| {
        !bin.dir.is_empty() && (dir == bin.dir || dir.starts_with(&format!("{}/", bin.dir)))
    };
    let named = |bin: &&Binary| {
        let bin = bin.name;
        bin == name
            || bin.ends_with(&format!("-{name}"))
            || bin.ends_with(&format!("_{name}"))
            || bin.starts_with(&format!("{name}-"))
    };
    let housed: Vec<&Binary> = binaries.iter().filter(in_package).collect();
    let found: Vec<&Binary> = match housed.as_slice() {
        [] => binaries.iter().filter(named).collect(),
        several => several.iter().copied().filter(named).collect::<Vec<_>>(),
    };
    let only: Vec<&Binary> = binaries.iter().collect();
    let chosen = match (found.as_slice(), housed.as_slice(), only.as_slice()) {
        ([one], _, _) | ([], [one], _) | ([], [], [one]) => *one,
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
    Ok(slot(name, dir.to_string(), chosen))
}

fn slot(name: &str, dir: String, binary: &Binary) -> ServiceLayout {
    ServiceLayout {
        name: name.to_string(),
        dir,
        binary: binary.name.to_string(),
        package: binary.package.to_string(),
    }
}

fn single_with_several_binaries(binaries: &[Binary], docker_dir: &str) -> Error {
    Error::new(format!(
        "the plan asks for a single container but the workspace has {} binaries: {}",
        binaries.len(),
        binary_names(binaries)
    ))
    .with_help(format!(
        "list the container as `{docker_dir}/<binary>/` in the plan's source tree"
    ))
}

fn binary_names(binaries: &[Binary]) -> String {
    binaries
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::plan::parse_plan;

    fn plan(tree: &str, decision: &str) -> Plan {
        parse_plan(&format!(
            "# P\n## Technical Context\n**Language/Version**: Rust\n## Project Structure\n### Source Code\n```text\n{tree}```\n\n**Structure Decision**: {decision}\n"
        ))
        .expect("plan parses")
    }

    fn bin<'a>(name: &'a str, dir: &str) -> Binary<'a> {
        Binary {
            name,
            package: name,
            dir: dir.to_string(),
        }
    }

    fn dirs(layout: &Layout) -> Vec<(&str, &str, &str)> {
        layout
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.dir.as_str(), s.binary.as_str()))
            .collect()
    }

    #[test]
    fn a_docker_directory_anywhere_holds_the_container_files() {
        let single = decide(
            &plan(
                "deploy/docker/\n├── Dockerfile\n└── test/\n",
                "Single container.",
            ),
            &[bin("ledger", "")],
        )
        .unwrap();
        assert_eq!(dirs(&single), [("ledger", "deploy/docker", "ledger")]);
        assert_eq!(
            (single.test_dir.as_str(), single.shared_dir.as_deref()),
            ("deploy/docker/test", None)
        );
        let multi = decide(
            &plan(
                "containers/docker/\n├── api/\n│   └── Dockerfile\n├── shared/\n└── jobs/\n",
                "Multi-container.",
            ),
            &[bin("shop-api", "api"), bin("shop-jobs", "jobs")],
        )
        .unwrap();
        assert_eq!(
            dirs(&multi),
            [
                ("api", "containers/docker/api", "shop-api"),
                ("jobs", "containers/docker/jobs", "shop-jobs")
            ]
        );
        assert_eq!(
            multi.shared_dir.as_deref(),
            Some("containers/docker/shared")
        );
        assert!(multi.places("containers/docker/compose.yaml"));
    }

    #[test]
    fn a_dockerfile_beside_a_crate_ships_that_crates_binary() {
        let layout = decide(
            &plan(
                "backend/\n├── Dockerfile  # NEW\n└── src/\nworker/\n└── Dockerfile\n",
                "",
            ),
            &[bin("ledger-http", "backend"), bin("ledger-worker", "svc/w")],
        )
        .unwrap();
        assert_eq!(
            dirs(&layout),
            [
                ("backend", "backend", "ledger-http"),
                ("worker", "worker", "ledger-worker")
            ]
        );
        assert_eq!(layout.docker_dir, "docker");
        assert!(layout.places("backend/Dockerfile") && layout.places("backend/setup/scripts/"));
        assert!(!layout.places("backend/src/main.rs"));
    }

    #[test]
    fn container_files_outside_the_workspace_or_in_git_are_errors_naming_the_line() {
        let bins = [bin("app", "")];
        let outside = decide(&plan("../deploy/\n└── Dockerfile\n", ""), &bins).unwrap_err();
        assert_eq!(outside.line(), Some(8));
        assert_eq!(
            outside.message(),
            "the source tree places `../deploy/Dockerfile` outside the workspace; container files must stay inside it"
        );
        let absolute = decide(&plan("/srv/docker/\n", ""), &bins).unwrap_err();
        assert_eq!(absolute.line(), Some(7));
        let git = decide(&plan(".git/\n└── docker/\n", ""), &bins).unwrap_err();
        assert_eq!(git.line(), Some(8));
        assert!(git
            .message()
            .contains("`.git/docker/`, inside the repository's .git directory"));
        let odd = decide(&plan("docker/\n└── {api,jobs}/\n    └── x\n", ""), &bins).unwrap_err();
        assert!(odd
            .message()
            .contains("`docker/{api,jobs}/`, not a plain relative directory"));
        let unrelated = decide(&plan("../notes/\n└── x.md\n.git/\n└── hooks/\n", ""), &bins);
        assert_eq!(dirs(&unrelated.unwrap()), [("app", "docker", "app")]);
    }

    #[test]
    fn the_way_back_to_the_root() {
        assert_eq!(up_to_root("docker"), "..");
        assert_eq!(up_to_root("deploy/docker/test"), "../../..");
    }
}
