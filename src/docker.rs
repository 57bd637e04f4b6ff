//! How a scaffolded Dockerfile builds and what it runs on: the builder form
//! (BuildKit cache mounts, or the legacy builder's manifests-only layer), the
//! cache ids the services of one workspace share, and the runtime variant
//! read from the decided runtime image. Pure: values in, values out; the inputs are a few plain values,
//! so the fact model can fill them.

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

/// The kind of runtime image the final stage starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Runtime {
    /// `debian:<release>-slim` and any other image with a shell and apt.
    Debian,
    /// `gcr.io/distroless/cc-*` (glibc, libgcc, no shell).
    DistrolessCc,
    /// `gcr.io/distroless/static-*` (no libc, no shell): a static binary.
    DistrolessStatic,
    /// `scratch`: nothing but the static binary, the entrypoint and CA certificates.
    Scratch,
    /// `alpine:*` (musl, BusyBox shell, apk): a musl binary.
    Alpine,
}

impl Runtime {
    /// The variant of a runtime image reference.
    pub fn of(image: &str) -> Runtime {
        let name = image
            .split(['@'])
            .next()
            .unwrap_or(image)
            .to_ascii_lowercase();
        let repository = name.rsplit_once(':').map_or(name.as_str(), |(r, tag)| {
            if tag.contains('/') {
                name.as_str()
            } else {
                r
            }
        });
        let last = repository.rsplit('/').next().unwrap_or(repository);
        if repository.contains("distroless/static") {
            Runtime::DistrolessStatic
        } else if repository.contains("distroless/") {
            Runtime::DistrolessCc
        } else if repository == "scratch" {
            Runtime::Scratch
        } else if last == "alpine" {
            Runtime::Alpine
        } else {
            Runtime::Debian
        }
    }

    /// Whether the image has `/bin/sh` (and so runs entrypoint.d scripts and setup scripts).
    pub fn has_shell(self) -> bool {
        matches!(self, Runtime::Debian | Runtime::Alpine)
    }

    /// The cargo `--target` the binary is built for, when not the builder's own:
    /// a static glibc binary for images without libc, musl for Alpine.
    pub fn target(self) -> Option<&'static str> {
        match self {
            Runtime::DistrolessStatic | Runtime::Scratch => Some("x86_64-unknown-linux-gnu"),
            Runtime::Alpine => Some("x86_64-unknown-linux-musl"),
            Runtime::Debian | Runtime::DistrolessCc => None,
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
    pub runtime: Runtime,
    pub shell: bool,
    /// `--target <triple>` for the static or musl build, else none.
    pub target: Option<&'static str>,
    /// Where cargo leaves the release binaries: `target/release` or `target/<triple>/release`.
    pub release_dir: String,
    /// RUSTFLAGS of the service build (`-C target-feature=+crt-static` for a static glibc binary).
    pub rustflags: Option<&'static str>,
}

impl Build {
    /// `workspace_name` is the workspace root's directory name.
    pub fn new(builder: Builder, workspace_name: &str, runtime_image: &str) -> Build {
        let runtime = Runtime::of(runtime_image);
        let target = runtime.target();
        let rustflags = matches!(runtime, Runtime::DistrolessStatic | Runtime::Scratch)
            .then_some("-Ctarget-feature=+crt-static");
        Build {
            builder,
            cache_id: format!("cargo-tasks-{}", cache_name(workspace_name)),
            runtime,
            shell: runtime.has_shell(),
            target,
            release_dir: target.map_or("target/release".to_string(), |t| {
                format!("target/{t}/release")
            }),
            rustflags,
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
            Build::new(Builder::Buildkit, "hello", "x").cache_id,
            "cargo-tasks-hello"
        );
        assert_eq!(
            Build::new(Builder::Legacy, "My Repo,v2=x", "x").cache_id,
            "cargo-tasks-my-repo-v2-x"
        );
        assert_eq!(
            Build::new(Builder::Buildkit, "/", "x").cache_id,
            "cargo-tasks-workspace"
        );
    }

    #[test]
    fn runtime_variants_from_the_image_reference() {
        let of = Runtime::of;
        assert_eq!(of("debian:bookworm-slim"), Runtime::Debian);
        assert_eq!(of("debian:trixie-slim@sha256:abc"), Runtime::Debian);
        assert_eq!(of("gcr.io/distroless/cc-debian12"), Runtime::DistrolessCc);
        assert_eq!(
            of("gcr.io/distroless/cc-debian12:nonroot"),
            Runtime::DistrolessCc
        );
        assert_eq!(of("gcr.io/distroless/base"), Runtime::DistrolessCc);
        assert_eq!(
            of("gcr.io/distroless/static-debian12:latest"),
            Runtime::DistrolessStatic
        );
        assert_eq!(of("scratch"), Runtime::Scratch);
        assert_eq!(of("alpine:3.20"), Runtime::Alpine);
        assert_eq!(of("docker.io/library/alpine"), Runtime::Alpine);
        assert_eq!(of("localhost:5000/alpine"), Runtime::Alpine);
        assert_eq!(of("ubuntu:24.04"), Runtime::Debian);
    }

    #[test]
    fn static_and_musl_builds_name_their_target() {
        let scratch = Build::new(Builder::Buildkit, "w", "scratch");
        assert!(!scratch.shell);
        assert_eq!(scratch.target, Some("x86_64-unknown-linux-gnu"));
        assert_eq!(
            scratch.release_dir,
            "target/x86_64-unknown-linux-gnu/release"
        );
        assert_eq!(scratch.rustflags, Some("-Ctarget-feature=+crt-static"));
        let alpine = Build::new(Builder::Buildkit, "w", "alpine:3.20");
        assert!(alpine.shell);
        assert_eq!(alpine.target, Some("x86_64-unknown-linux-musl"));
        assert_eq!(alpine.rustflags, None);
        let slim = Build::new(Builder::Legacy, "w", "debian:bookworm-slim");
        assert!(slim.shell);
        assert_eq!(
            (slim.target, slim.release_dir.as_str()),
            (None, "target/release")
        );
    }

    #[test]
    fn serializes_for_the_templates() {
        let json = serde_json::to_value(Build::new(Builder::Legacy, "w", "scratch")).unwrap();
        assert_eq!(json["builder"], "legacy");
        assert_eq!(json["runtime"], "scratch");
        assert_eq!(json["cache_id"], "cargo-tasks-w");
        assert_eq!(json["shell"], false);
    }
}
