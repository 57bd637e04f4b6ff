//! How a scaffolded Dockerfile builds: the builder form (BuildKit cache
//! mounts, or the legacy builder's manifests-only layer) and the cache ids
//! the services of one workspace share. Pure: values in, values out; the
//! inputs are a few plain values, so the fact model can fill them.

use serde::Serialize;

/// The `docker build` form a Dockerfile is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Builder {
    /// BuildKit (`docker buildx`, the default builder of current Docker):
    /// bind-mounted sources, cache mounts for the registry and target dir.
    #[default]
    Buildkit,
    /// The legacy builder (`DOCKER_BUILDKIT=0`): a manifests-only layer of
    /// stub sources caches the dependencies.
    Legacy,
}

impl Builder {
    /// Reads a `docker-builder` configuration value.
    pub fn parse(text: &str) -> Option<Builder> {
        match text {
            "buildkit" => Some(Builder::Buildkit),
            "legacy" => Some(Builder::Legacy),
            _ => None,
        }
    }
}

/// What the Dockerfile templates receive as `build`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Build {
    pub builder: Builder,
    /// Prefix of the BuildKit cache ids (`<prefix>-target`, ...): one per
    /// workspace, so every service of it reuses the same compiled dependencies.
    pub cache_id: String,
}

impl Build {
    /// `workspace_name` is the workspace root's directory name.
    pub fn new(builder: Builder, workspace_name: &str) -> Build {
        Build {
            builder,
            cache_id: format!("cargo-tasks-{}", cache_name(workspace_name)),
        }
    }
}

/// Lowercase letters, digits, `-` and `_` only (a cache id is a mount option
/// value), never empty.
fn cache_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '_' | '-') => c,
            _ => '-',
        })
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() {
        "workspace".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_values() {
        assert_eq!(Builder::parse("buildkit"), Some(Builder::Buildkit));
        assert_eq!(Builder::parse("legacy"), Some(Builder::Legacy));
        assert_eq!(Builder::parse("BuildKit"), None);
        assert_eq!(Builder::default(), Builder::Buildkit);
    }

    #[test]
    fn cache_ids_are_mount_option_safe() {
        assert_eq!(
            Build::new(Builder::Buildkit, "hello").cache_id,
            "cargo-tasks-hello"
        );
        assert_eq!(
            Build::new(Builder::Legacy, "My Repo,v2=x").cache_id,
            "cargo-tasks-my-repo-v2-x"
        );
        assert_eq!(
            Build::new(Builder::Buildkit, "/").cache_id,
            "cargo-tasks-workspace"
        );
    }

    #[test]
    fn serializes_for_the_templates() {
        let json = serde_json::to_value(Build::new(Builder::Legacy, "w")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"builder": "legacy", "cache_id": "cargo-tasks-w"})
        );
    }
}
