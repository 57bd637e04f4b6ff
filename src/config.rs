//! `[workspace.metadata.tasks]` and `[package.metadata.tasks]` in the root
//! manifest. Package keys override workspace keys.

use crate::docker::Builder;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitStyle {
    /// `T004: Description`
    #[default]
    Plain,
    /// `<type>(tasks): T004 Description`
    Conventional,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Directory of template overrides, absolute.
    pub templates: Option<PathBuf>,
    pub commit_style: CommitStyle,
    /// Tests before implementation (the template's default is implementation first).
    pub tdd: bool,
    /// Where feature directories live, relative to the workspace root.
    pub specs_dir: String,
    /// The builder scaffolded Dockerfiles are written for (`docker-builder`).
    pub docker_builder: Builder,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            templates: None,
            commit_style: CommitStyle::Plain,
            tdd: false,
            specs_dir: "specs".to_string(),
            docker_builder: Builder::default(),
        }
    }
}

impl Config {
    pub fn load(manifest: &Path) -> Result<Config> {
        let text =
            std::fs::read_to_string(manifest).map_err(|e| Error::io("read", manifest, &e))?;
        let dir = manifest.parent().unwrap_or(Path::new("."));
        Config::parse(&text, dir).map_err(|e| e.in_file(manifest))
    }

    /// Reads the tables from manifest text; relative paths resolve against `dir`.
    pub fn parse(text: &str, dir: &Path) -> Result<Config> {
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::new(e.to_string().trim().to_string()))?;
        let mut config = Config::default();
        for table in ["workspace", "package"] {
            if let Some(tasks) = doc
                .get(table)
                .and_then(|t| t.get("metadata"))
                .and_then(|m| m.get("tasks"))
            {
                config.apply(tasks, table, dir)?;
            }
        }
        Ok(config)
    }

    fn apply(&mut self, tasks: &Item, table: &str, dir: &Path) -> Result<()> {
        let key_error = |key: &str, expected: &str| {
            Error::new(format!("`{table}.metadata.tasks.{key}` must be {expected}"))
        };
        if let Some(item) = tasks.get("templates") {
            let path = item
                .as_str()
                .ok_or_else(|| key_error("templates", "a path string"))?;
            self.templates = Some(dir.join(path));
        }
        if let Some(item) = tasks.get("commit-style") {
            self.commit_style = match item.as_str() {
                Some("plain") => CommitStyle::Plain,
                Some("conventional") => CommitStyle::Conventional,
                _ => return Err(key_error("commit-style", "\"plain\" or \"conventional\"")),
            };
        }
        if let Some(item) = tasks.get("tdd") {
            self.tdd = item
                .as_bool()
                .ok_or_else(|| key_error("tdd", "true or false"))?;
        }
        if let Some(item) = tasks.get("specs-dir") {
            let specs = item
                .as_str()
                .ok_or_else(|| key_error("specs-dir", "a path string"))?;
            self.specs_dir = specs.trim_end_matches('/').to_string();
        }
        if let Some(item) = tasks.get("docker-builder") {
            self.docker_builder = item
                .as_str()
                .and_then(Builder::parse)
                .ok_or_else(|| key_error("docker-builder", "\"buildkit\" or \"legacy\""))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_tables() {
        let config = Config::parse("[package]\nname = \"x\"\n", Path::new("/ws")).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn package_keys_override_workspace_keys() {
        let text =
            "[workspace.metadata.tasks]\ncommit-style = \"conventional\"\ntemplates = \"t\"\n\
                    [package.metadata.tasks]\ntemplates = \"p\"\ntdd = true\n";
        let config = Config::parse(text, Path::new("/ws")).unwrap();
        assert_eq!(config.commit_style, CommitStyle::Conventional);
        assert_eq!(config.templates, Some(PathBuf::from("/ws/p")));
        assert!(config.tdd);
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = Config::parse(
            "[workspace.metadata.tasks]\ncommit-style = 3\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "`workspace.metadata.tasks.commit-style` must be \"plain\" or \"conventional\""
        );
    }

    #[test]
    fn docker_builder_key() {
        let config = Config::parse(
            "[workspace.metadata.tasks]\ndocker-builder = \"legacy\"\n",
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(config.docker_builder, Builder::Legacy);
        let err = Config::parse(
            "[workspace.metadata.tasks]\ndocker-builder = \"kaniko\"\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "`workspace.metadata.tasks.docker-builder` must be \"buildkit\" or \"legacy\""
        );
    }
}
