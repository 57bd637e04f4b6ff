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
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
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
