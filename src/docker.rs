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

    /// Whether the image uses the service file at `rel` (relative to the service directory:
    /// `Dockerfile`, `setup/scripts/20-packages.sh`, `entrypoint.d/scripts/`): every file but
    /// [`SHELL_FILES`], which only an image with a shell runs. The one answer for which files
    /// exist: generate drafts no task for a file the image does not use (its work goes to the
    /// Dockerfile or the entrypoint), and scaffold does not write it.
    pub fn uses(self, rel: &str) -> bool {
        self.has_shell() || !SHELL_FILES.iter().any(|file| within(rel, file))
    }

    /// The C library of the cargo `--target` the binary is built for, when not the builder's
    /// own target: a static glibc binary for images without libc, musl for Alpine. The
    /// Dockerfile takes the rest of the triple from the builder, so the image follows the
    /// platform it is built on.
    pub fn target(self) -> Option<Libc> {
        match self {
            Runtime::DistrolessStatic | Runtime::Scratch => Some(Libc::Gnu),
            Runtime::Alpine => Some(Libc::Musl),
            Runtime::Debian | Runtime::DistrolessCc => None,
        }
    }
}

/// The service files that are shell scripts (relative to the service directory; a trailing
/// `/` is a directory): the build-time setup scripts and the start-time entrypoint.d scripts.
pub const SHELL_FILES: [&str; 3] = ["setup.sh", "setup/", "entrypoint.d/"];

/// Whether `rel` is `file`, or lies in it when `file` is a directory (`dir/`).
fn within(rel: &str, file: &str) -> bool {
    match file.strip_suffix('/') {
        Some(dir) => rel.trim_end_matches('/') == dir || rel.starts_with(file),
        None => rel == file,
    }
}

/// The C library a cross-`--target` build links against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Libc {
    /// The builder's own target (`<arch>-unknown-linux-gnu`), named so that
    /// RUSTFLAGS apply to the binary but not to build scripts and proc-macros.
    Gnu,
    /// The builder's target with musl for glibc (`<arch>-unknown-linux-musl`).
    Musl,
}

/// What the Dockerfile templates receive as `build`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Build {
    pub builder: Builder,
    /// Prefix of the BuildKit cache ids (`<prefix>-target`, ...): one per
    /// workspace, so every service of it reuses the same compiled dependencies.
    pub cache_id: String,
    pub runtime: Runtime,
    /// Whether the image has a shell, and so runs the setup and entrypoint.d scripts.
    pub shell: bool,
    /// The `--target` of the static or musl build, else none.
    pub target: Option<Libc>,
    /// RUSTFLAGS of the service build (`-C target-feature=+crt-static` for a static glibc binary).
    pub rustflags: Option<&'static str>,
    /// The HEALTHCHECK (and compose healthcheck) timing.
    pub healthcheck: Healthcheck,
}

/// The health check timing, from the startup goal. Engine 20.10 has no `--start-interval`
/// and runs the first probe one interval after the start, so the interval bounds the time to
/// healthy; the same interval costs one probe for the container's whole life, an exec through
/// the engine (about 60 ms of CPU on the project's machine, mostly runc's: 10 % of a core at
/// 0.5 s), so only a startup goal of a few seconds gets a sub-second interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Healthcheck {
    /// A duration in seconds (`0.25s`, `2s`): hadolint reads no `ms`.
    pub interval: String,
    pub timeout_seconds: u64,
    pub retries: u64,
    /// Failures in it do not count: the startup goal.
    pub start_period_seconds: u64,
}

impl Healthcheck {
    pub fn for_startup_goal(seconds: u64) -> Healthcheck {
        let interval_ms = match seconds {
            0..=1 => 250,
            2..=4 => 500,
            5..=19 => 2_000,
            _ => 10_000,
        };
        Healthcheck {
            interval: format!("{}s", interval_ms as f64 / 1000.0),
            timeout_seconds: 2,
            // Unhealthy after failing for 3 s at the least, so a short interval does not
            // turn a one-second stall into `unhealthy`.
            retries: 3_000u64.div_ceil(interval_ms).max(3),
            start_period_seconds: seconds,
        }
    }
}

impl Build {
    /// `workspace_name` is the workspace root's directory name.
    pub fn new(
        builder: Builder,
        workspace_name: &str,
        runtime_image: &str,
        startup_seconds: u64,
    ) -> Build {
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
            rustflags,
            healthcheck: Healthcheck::for_startup_goal(startup_seconds),
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
            Build::new(Builder::Buildkit, "hello", "x", 4).cache_id,
            "cargo-tasks-hello"
        );
        assert_eq!(
            Build::new(Builder::Legacy, "My Repo,v2=x", "x", 4).cache_id,
            "cargo-tasks-my-repo-v2-x"
        );
        assert_eq!(
            Build::new(Builder::Buildkit, "/", "x", 4).cache_id,
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
    fn only_an_image_with_a_shell_uses_the_shell_scripts() {
        let scripts = [
            "setup.sh",
            "setup/",
            "setup/scripts/",
            "setup/scripts/20-packages.sh",
            "entrypoint.d",
            "entrypoint.d/scripts/10-config-summary.sh",
        ];
        let others = [
            "Dockerfile",
            "entrypoint.rs",
            "config/app.toml",
            "setup.sh.bak",
            "setupx/a",
        ];
        for runtime in [Runtime::Debian, Runtime::Alpine] {
            for rel in scripts.iter().chain(&others) {
                assert!(runtime.uses(rel), "{runtime:?} {rel}");
            }
        }
        for runtime in [
            Runtime::DistrolessCc,
            Runtime::DistrolessStatic,
            Runtime::Scratch,
        ] {
            for rel in scripts {
                assert!(!runtime.uses(rel), "{runtime:?} {rel}");
            }
            for rel in others {
                assert!(runtime.uses(rel), "{runtime:?} {rel}");
            }
        }
    }

    #[test]
    fn static_and_musl_builds_name_their_target() {
        let scratch = Build::new(Builder::Buildkit, "w", "scratch", 4);
        assert!(!scratch.shell);
        assert_eq!(scratch.target, Some(Libc::Gnu));
        assert_eq!(scratch.rustflags, Some("-Ctarget-feature=+crt-static"));
        let alpine = Build::new(Builder::Buildkit, "w", "alpine:3.20", 4);
        assert!(alpine.shell);
        assert_eq!(alpine.target, Some(Libc::Musl));
        assert_eq!(alpine.rustflags, None);
        let slim = Build::new(Builder::Legacy, "w", "debian:bookworm-slim", 4);
        assert!(slim.shell);
        assert_eq!(slim.target, None);
    }

    #[test]
    fn the_healthcheck_interval_follows_the_startup_goal() {
        let timing = |goal| {
            let h = Healthcheck::for_startup_goal(goal);
            (h.interval, h.retries, h.start_period_seconds)
        };
        assert_eq!(timing(1), ("0.25s".to_string(), 12, 1));
        assert_eq!(timing(2), ("0.5s".to_string(), 6, 2));
        assert_eq!(timing(4), ("0.5s".to_string(), 6, 4));
        assert_eq!(timing(5), ("2s".to_string(), 3, 5));
        assert_eq!(timing(19), ("2s".to_string(), 3, 19));
        assert_eq!(timing(20), ("10s".to_string(), 3, 20));
        assert_eq!(timing(0).0, "0.25s");
        assert_eq!(Healthcheck::for_startup_goal(30).timeout_seconds, 2);
    }

    #[test]
    fn serializes_for_the_templates() {
        let json = serde_json::to_value(Build::new(Builder::Legacy, "w", "scratch", 4)).unwrap();
        assert_eq!(json["builder"], "legacy");
        assert_eq!(json["runtime"], "scratch");
        assert_eq!(json["cache_id"], "cargo-tasks-w");
        assert_eq!(json["shell"], false);
        assert_eq!(json["target"], "gnu");
        assert_eq!(json["healthcheck"]["interval"], "0.5s");
    }
}
