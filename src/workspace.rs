//! The cargo workspace: root, member packages and their targets, from
//! `cargo metadata --no-deps`, plus the `[*.metadata.tasks]` configuration.

use crate::config::Config;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Bin,
    Lib,
    Other,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
    pub src_path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub description: Option<String>,
    pub license: Option<String>,
    pub repository: Option<String>,
    pub rust_version: Option<String>,
    pub manifest_path: PathBuf,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub packages: Vec<Package>,
    pub config: Config,
}

/// How `cargo metadata` is invoked: the manifest and cargo's network flags.
#[derive(Debug, Clone, Default)]
pub struct MetadataOptions {
    pub manifest_path: Option<PathBuf>,
    pub offline: bool,
    pub locked: bool,
    pub frozen: bool,
}

impl Workspace {
    pub fn load(options: &MetadataOptions) -> Result<Workspace> {
        let metadata = run_cargo_metadata(options)?;
        let root = PathBuf::from(metadata.workspace_root.as_std_path());
        let mut packages: Vec<Package> = metadata
            .workspace_packages()
            .into_iter()
            .map(package_from_metadata)
            .collect();
        packages.sort_by(|a, b| a.name.cmp(&b.name));
        let config = Config::load(&root.join("Cargo.toml"))?;
        Ok(Workspace {
            root,
            packages,
            config,
        })
    }

    /// The workspace root and configuration without package data, found the
    /// way cargo finds them but without running it: the verbs that only read
    /// tasks.md need nothing more, and `cargo metadata` would be most of
    /// their time. See [`root_manifest`] for the rules.
    pub fn locate(options: &MetadataOptions) -> Result<Workspace> {
        let start = match &options.manifest_path {
            Some(path) if path.is_file() => path.clone(),
            Some(path) => {
                return Err(Error::new("manifest path does not exist").in_file(path));
            }
            None => {
                let cwd = std::env::current_dir()
                    .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
                nearest_manifest(&cwd).ok_or_else(|| {
                    Error::new(format!(
                        "could not find `Cargo.toml` in `{}` or any parent directory",
                        cwd.display()
                    ))
                })?
            }
        };
        let start = start
            .canonicalize()
            .map_err(|e| Error::io("resolve", &start, &e))?;
        let root_manifest = root_manifest(&start)?;
        let root = root_manifest
            .parent()
            .unwrap_or(Path::new("/"))
            .to_path_buf();
        let config = Config::load(&root_manifest)?;
        Ok(Workspace {
            root,
            packages: Vec::new(),
            config,
        })
    }

    /// Every binary target of the workspace with its package, sorted by name.
    pub fn binaries(&self) -> Vec<(&Package, &Target)> {
        let mut bins: Vec<_> = self
            .packages
            .iter()
            .flat_map(|p| p.targets.iter().map(move |t| (p, t)))
            .filter(|(_, t)| t.kind == TargetKind::Bin)
            .collect();
        bins.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        bins
    }

    /// `path` relative to the workspace root with forward slashes; paths
    /// outside the root are returned as given.
    pub fn relative(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(rel) => rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => path.to_string_lossy().into_owned(),
        }
    }
}

fn nearest_manifest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(nearest_manifest_in)
}

fn nearest_manifest_in(dir: &Path) -> Option<PathBuf> {
    let manifest = dir.join("Cargo.toml");
    manifest.is_file().then_some(manifest)
}

/// The manifest of the workspace root for the manifest `start`, as cargo
/// picks it: `start` itself when it has a `[workspace]` table; the manifest
/// that `package.workspace` points to; else the nearest manifest above with a
/// `[workspace]` table that does not exclude `start` (through
/// `workspace.exclude`, unless `workspace.members` names it); else `start`.
fn root_manifest(start: &Path) -> Result<PathBuf> {
    let manifest = read_manifest(start)?;
    if manifest.contains_key("workspace") {
        return Ok(start.to_path_buf());
    }
    let package_dir = start.parent().unwrap_or(Path::new("/"));
    let pointer = manifest
        .get("package")
        .and_then(|p| p.get("workspace"))
        .and_then(|w| w.as_str());
    if let Some(pointer) = pointer {
        let root = package_dir.join(pointer).join("Cargo.toml");
        return root.canonicalize().map_err(|e| {
            Error::io("resolve", &root, &e).with_help(format!(
                "`package.workspace` in {} points there",
                start.display()
            ))
        });
    }
    for candidate in package_dir
        .ancestors()
        .skip(1)
        .filter_map(nearest_manifest_in)
    {
        let text = read_manifest(&candidate)?;
        let Some(workspace) = text.get("workspace") else {
            continue;
        };
        let root_dir = candidate.parent().unwrap_or(Path::new("/"));
        let names = |key: &str| {
            workspace
                .get(key)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .any(|rel| start.starts_with(root_dir.join(rel)))
        };
        if names("members") || !names("exclude") {
            return Ok(candidate);
        }
    }
    Ok(start.to_path_buf())
}

fn read_manifest(manifest: &Path) -> Result<toml_edit::DocumentMut> {
    let text = std::fs::read_to_string(manifest).map_err(|e| Error::io("read", manifest, &e))?;
    text.parse().map_err(|e: toml_edit::TomlError| {
        Error::new(e.to_string().trim().to_string()).in_file(manifest)
    })
}

fn run_cargo_metadata(options: &MetadataOptions) -> Result<cargo_metadata::Metadata> {
    let mut command = cargo_metadata::MetadataCommand::new();
    command.no_deps();
    if let Some(path) = &options.manifest_path {
        command.manifest_path(path);
    }
    let flags = [
        (options.offline, "--offline"),
        (options.locked, "--locked"),
        (options.frozen, "--frozen"),
    ];
    command.other_options(
        flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, flag)| flag.to_string())
            .collect::<Vec<_>>(),
    );
    command.exec().map_err(|err| match err {
        cargo_metadata::Error::CargoMetadata { stderr } => {
            let detail = stderr.trim().trim_start_matches("error: ");
            Error::new(format!("`cargo metadata` failed: {detail}"))
        }
        other => Error::new(other.to_string()),
    })
}

fn package_from_metadata(package: &cargo_metadata::Package) -> Package {
    Package {
        name: package.name.to_string(),
        version: package.version.to_string(),
        description: package.description.clone(),
        license: package.license.clone(),
        repository: package.repository.clone(),
        rust_version: package.rust_version.as_ref().map(|v| v.to_string()),
        manifest_path: package.manifest_path.clone().into_std_path_buf(),
        targets: package.targets.iter().map(target_from_metadata).collect(),
    }
}

fn target_from_metadata(target: &cargo_metadata::Target) -> Target {
    use cargo_metadata::TargetKind as Kind;
    let kind = if target.kind.contains(&Kind::Bin) {
        TargetKind::Bin
    } else if target.kind.iter().any(|k| {
        matches!(
            k,
            Kind::Lib | Kind::RLib | Kind::DyLib | Kind::CDyLib | Kind::StaticLib | Kind::ProcMacro
        )
    }) {
        TargetKind::Lib
    } else {
        TargetKind::Other
    };
    Target {
        name: target.name.clone(),
        kind,
        src_path: target.src_path.clone().into_std_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn relative_paths_use_slashes_and_outside_paths_stay_whole() {
        let ws = Workspace {
            root: PathBuf::from("/ws"),
            packages: Vec::new(),
            config: Config::default(),
        };
        assert_eq!(
            ws.relative(Path::new("/ws/specs/001-x/plan.md")),
            "specs/001-x/plan.md"
        );
        assert_eq!(
            ws.relative(Path::new("/elsewhere/plan.md")),
            "/elsewhere/plan.md"
        );
    }

    #[test]
    fn locate_finds_the_enclosing_workspace_of_a_member() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n[workspace.metadata.tasks]\ntdd = true\n",
        );
        write(&root, "a/Cargo.toml", "[package]\nname = \"a\"\n");
        let options = MetadataOptions {
            manifest_path: Some(root.join("a/Cargo.toml")),
            ..MetadataOptions::default()
        };
        let ws = Workspace::locate(&options).unwrap();
        assert_eq!(ws.root, root);
        assert!(ws.config.tdd);
    }

    #[test]
    fn locate_stops_at_a_lone_package() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, "Cargo.toml", "[package]\nname = \"outer\"\n");
        write(&root, "inner/Cargo.toml", "[package]\nname = \"inner\"\n");
        let options = MetadataOptions {
            manifest_path: Some(root.join("inner/Cargo.toml")),
            ..MetadataOptions::default()
        };
        assert_eq!(
            Workspace::locate(&options).unwrap().root,
            root.join("inner")
        );
    }

    /// `locate` and `cargo metadata` agree on the root for `manifest`.
    fn assert_same_root_as_cargo(root: &Path, manifest: &str, expected: &str) {
        let options = MetadataOptions {
            manifest_path: Some(root.join(manifest)),
            offline: true,
            ..MetadataOptions::default()
        };
        let located = Workspace::locate(&options).unwrap().root;
        let cargo = Workspace::load(&options).unwrap().root;
        assert_eq!(located, root.join(expected), "{manifest}");
        assert_eq!(cargo.canonicalize().unwrap(), located, "{manifest}");
    }

    fn package(root: &Path, dir: &str, extra: &str) {
        write(
            root,
            &format!("{dir}/Cargo.toml"),
            &format!(
                "[package]\nname = \"p{}\"\nversion = \"0.1.0\"\n{extra}",
                dir.len()
            ),
        );
        write(root, &format!("{dir}/src/lib.rs"), "");
    }

    #[test]
    fn an_excluded_inner_crate_is_its_own_root_as_for_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"member\"]\nexclude = [\"tools\"]\n",
        );
        package(&root, "member", "");
        package(&root, "tools/inner", "");
        assert_same_root_as_cargo(&root, "tools/inner/Cargo.toml", "tools/inner");
        assert_same_root_as_cargo(&root, "member/Cargo.toml", "");
    }

    #[test]
    fn an_explicit_member_wins_over_exclude_as_for_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"tools/kept\"]\nexclude = [\"tools\"]\n",
        );
        package(&root, "tools/kept", "");
        assert_same_root_as_cargo(&root, "tools/kept/Cargo.toml", "");
    }

    #[test]
    fn package_workspace_points_at_a_root_that_is_not_an_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(
            &root,
            "ws/Cargo.toml",
            "[workspace]\nmembers = [\"../pkg\"]\n",
        );
        package(&root, "pkg", "workspace = \"../ws\"\n");
        assert_same_root_as_cargo(&root, "pkg/Cargo.toml", "ws");
    }

    #[test]
    fn a_missing_package_workspace_target_names_the_pointer() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        package(&root, "pkg", "workspace = \"../nowhere\"\n");
        let options = MetadataOptions {
            manifest_path: Some(root.join("pkg/Cargo.toml")),
            ..MetadataOptions::default()
        };
        let err = Workspace::locate(&options).unwrap_err();
        assert_eq!(
            err.file(),
            Some(root.join("pkg/../nowhere/Cargo.toml").as_path())
        );
        assert!(err.help()[0].contains("`package.workspace`"), "{err:?}");
    }

    #[test]
    fn locate_names_a_broken_manifest() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "Cargo.toml", "[package\n");
        let options = MetadataOptions {
            manifest_path: Some(dir.path().join("Cargo.toml")),
            ..MetadataOptions::default()
        };
        let err = Workspace::locate(&options).unwrap_err();
        assert_eq!(
            err.file(),
            Some(
                dir.path()
                    .join("Cargo.toml")
                    .canonicalize()
                    .unwrap()
                    .as_path()
            )
        );
    }
}
