#!/bin/sh
# Measures a scaffolded single-service workspace on the local Docker Engine (a report, not a test):
#   image size against runtime base + binary; time from `docker run` to healthy and `docker stop`
#   time (median and max); the engine CPU the HEALTHCHECK costs; and for the builder form: cold
#   build, rebuild after a one-line change of main.rs, and rebuild after a manifest-only change
#   (the package's version bumped, Cargo.lock refreshed offline).
# Usage: .ci/measure.sh [WORKSPACE]
#   Without WORKSPACE: tests/fixtures/service made into a service with real dependencies
#   (clap, serde, serde_json: 25 crates for Linux) vendored by `cargo vendor` on the host (which
#   needs crates.io; the build in the container needs no network: .cargo/config.toml replaces
#   crates.io by vendor/). The service uses them (`hello-svc --describe` prints its options as JSON).
#   WORKSPACE: a workspace with a single-container feature, used as it is.
#   Either is copied into a fresh temporary directory (so BuildKit's cache ids, named after it,
#   start empty), scaffolded there with $CARGO_TASKS (default target/debug/cargo-tasks), built as
#   a tag of its own and removed afterwards. Holds the machine-wide Docker lock of
#   tests/scaffold_docker.rs (${TMPDIR:-/tmp}/cargo-tasks-docker-tests.lock) while it uses the engine.
# Env: BUILDER (buildkit or legacy, scaffold's --builder), RUNTIME (scaffold's --runtime-image, e.g.
#   gcr.io/distroless/cc-debian12 or scratch), DEPENDENCIES=0 (the std-only fixture), RUNS (docker
#   run → healthy samples per interval, default 5), INTERVALS (e.g. "0.1s 0.25s 1s": measure with
#   these --health-interval overrides too), PROBE_SECONDS (how long an idle container runs to
#   measure the probes' CPU, default 20; 0 skips it), REBUILDS=0 (skip the two rebuilds).
set -eu
# One function, read whole before it runs: editing this file during a run cannot change the run.
main() {
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-5}"
probe_seconds="${PROBE_SECONDS:-20}"
work="$(mktemp -d)"
image="cargo-tasks-measure:$(basename "$work" | tr 'A-Z.' 'a-z-')"
container=""
cleanup() {
    [ -z "$container" ] || docker rm -f "$container" >/dev/null 2>&1 || true
    docker rmi "$image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail() {
    echo "measure: $*" >&2
    exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The fixture service with real dependencies, vendored.
add_dependencies() {
    package="$work/crates/hello-svc"
    cat >>"$package/Cargo.toml" <<'EOF'
clap = { version = "4", features = ["derive"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
EOF
    sed -i 's/^fn main() -> ExitCode {$/&\n    if std::env::args().nth(1).as_deref() == Some("--describe") {\n        return describe();\n    }/' \
        "$package/src/main.rs"
    grep -q 'return describe();' "$package/src/main.rs" || fail "fn main() not found in $package/src/main.rs"
    cat >>"$package/src/main.rs" <<'EOF'

/// Options of `hello-svc --describe [--port N]`, printed as JSON.
#[derive(clap::Parser, serde::Serialize)]
struct Options {
    #[arg(long)]
    describe: bool,
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
}

fn describe() -> ExitCode {
    let options = <Options as clap::Parser>::parse();
    let description = serde_json::json!({ "options": options, "version": env!("CARGO_PKG_VERSION") });
    println!("{description}");
    ExitCode::SUCCESS
}
EOF
    cargo vendor --quiet --manifest-path "$work/Cargo.toml" "$work/vendor" >/dev/null
    mkdir -p "$work/.cargo"
    cat >"$work/.cargo/config.toml" <<'EOF'
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"
EOF
}

if [ $# -gt 0 ]; then
    cp -a "$1/." "$work/"
else
    cp -a "$repo/tests/fixtures/service/." "$work/"
    [ "${DEPENDENCIES:-1}" = 0 ] || add_dependencies
fi
rm -rf "$work/docker" "$work/target"
crates="$(cargo tree --offline --quiet --edges normal,build --prefix none --manifest-path "$work/Cargo.toml" |
    sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l)"

set -- tasks scaffold --quiet --force --manifest-path "$work/Cargo.toml"
if [ -n "${BUILDER:-}" ]; then set -- "$@" --builder "$BUILDER"; fi
if [ -n "${RUNTIME:-}" ]; then set -- "$@" --runtime-image "$RUNTIME"; fi
"${CARGO_TASKS:-$repo/target/debug/cargo-tasks}" "$@"
dockerfile="$work/docker/Dockerfile"
if [ -d "$work/vendor" ]; then
    grep -q 'vendor' "$dockerfile" || fail "the Dockerfile does not bring vendor/ into the build"
fi
case "${BUILDER:-buildkit}" in
    legacy) export DOCKER_BUILDKIT=0 ;;
    *) export DOCKER_BUILDKIT=1 ;;
esac
runtime_image="$(sed -n 's/^ARG RUNTIME_IMAGE="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dockerfile")"
binary="$(sed -n 's|^CMD \["\(/usr/local/bin/[^"]*\)"\]$|\1|p' "$dockerfile")"
interval="$(sed -n 's/^HEALTHCHECK .*--interval=\([^ ]*\) .*/\1/p' "$dockerfile")"
retries="$(sed -n 's/^HEALTHCHECK .*--retries=\([^ ]*\) .*/\1/p' "$dockerfile")"

"$repo/.ci/images.sh" >/dev/null
exec 9>>"${TMPDIR:-/tmp}/cargo-tasks-docker-tests.lock"
flock 9
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

timed_build() {
    started="$(now_ms)"
    docker build "$@" -f "$dockerfile" -t "$image" "$work" >"$work/build.log" 2>&1 || {
        tail -n 30 "$work/build.log" >&2
        exit 1
    }
    echo $(($(now_ms) - started))
}

cold_ms="$(timed_build --no-cache)"
# The dependencies are linked and the image holds the version just built ($1).
check_describe() {
    [ -d "$work/vendor" ] || return 0
    described="$(docker run --rm "$image" "$binary" --describe --port 9 2>"$work/describe.log")" ||
        fail "$binary --describe failed: $(cat "$work/describe.log")"
    [ "$described" = "{\"options\":{\"describe\":true,\"port\":9},\"version\":\"$1\"}" ] ||
        fail "$binary --describe printed: $described"
}
check_describe 0.1.0

size_of() {
    created="$(docker create "$image")"
    docker cp "$created:$1" "$work/copied" >/dev/null
    docker rm "$created" >/dev/null
    stat -c %s "$work/copied"
    rm -f "$work/copied"
}
if [ "$runtime_image" = scratch ]; then base_bytes=0; else base_bytes="$(docker image inspect -f '{{.Size}}' "$runtime_image")"; fi
image_bytes="$(docker image inspect -f '{{.Size}}' "$image")"
binary_bytes="$(size_of "$binary")"
entrypoint_bytes="$(size_of /usr/local/bin/entrypoint)"
overhead_bytes=$((image_bytes - base_bytes - binary_bytes))

rfc3339="2006-01-02T15:04:05.999999999Z07:00"
ns_of() { date -d "$1" +%s%N; }
sorted() { tr ' ' '\n' | sed '/^$/d' | sort -n; }
median() { sorted | sed -n "$(((runs + 1) / 2))p"; }
maximum() { sorted | tail -n 1; }
# Field $1 of every "started healthy stop" sample in $samples.
column() { echo "$samples" | tr ',' '\n' | sed '/^$/d' | cut -d' ' -f"$1" | tr '\n' ' '; }

# One `docker run` until healthy, then `docker stop`: "started_ms healthy_ms stop_ms", counted from
# just before `docker run`; healthy is the end of the first passing probe as the engine logged it.
start_and_stop() {
    before="$(date +%s%N)"
    container="$(docker run -d "$@" "$image")"
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$container")" = healthy ]; do
        [ $(($(date +%s%N) - before)) -lt 60000000000 ] || fail "not healthy after 60 s"
        sleep 0.05
    done
    started="$(ns_of "$(docker inspect -f '{{.State.StartedAt}}' "$container")")"
    passed="$(docker inspect -f "{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End.Format \"$rfc3339\"}} {{end}}{{end}}" "$container")"
    healthy="$(ns_of "${passed%% *}")"
    stop_started="$(now_ms)"
    docker stop -t 10 "$container" >/dev/null
    stop_ms=$(($(now_ms) - stop_started))
    docker rm -f "$container" >/dev/null
    container=""
    echo "$(((started - before) / 1000000)) $(((healthy - before) / 1000000)) $stop_ms"
}

# CPU ticks (1/100 s, children included) of the given processes.
ticks() {
    for pid in "$@"; do awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat"; done |
        awk '{ sum += $1 } END { print sum }'
}

# "shim_ms daemons_ms period_ms": CPU over $probe_seconds of an idle container run with the given
# options, of its containerd shim (which runs runc for every exec'd probe and reaps it: this
# container's alone) and of dockerd and containerd (shared with every other user of the engine);
# and the time from one probe's start to the next's (interval + probe), from the engine's log.
idle_cpu_ms() {
    container="$(docker run -d "$@" "$image")"
    sleep 1
    shim="$(pgrep -f -- "-id $container " || true)"
    [ -n "$shim" ] || fail "no containerd shim found for $container"
    daemons="$(pgrep -x dockerd) $(pgrep -x containerd)"
    # shellcheck disable=SC2086 # two pids
    shim_before="$(ticks "$shim")" daemons_before="$(ticks $daemons)"
    sleep "$probe_seconds"
    # shellcheck disable=SC2086
    shim_after="$(ticks "$shim")" daemons_after="$(ticks $daemons)"
    starts="$(docker inspect -f "{{if .State.Health}}{{range .State.Health.Log}}{{.Start.Format \"$rfc3339\"}} {{end}}{{end}}" "$container")"
    docker rm -f "$container" >/dev/null
    container=""
    period_ms=0
    if [ -n "$starts" ]; then
        first="$(ns_of "${starts%% *}")"
        last="$(echo "$starts" | awk '{ print $NF }')"
        period_ms=$((($(ns_of "$last") - first) / 1000000 / ($(echo "$starts" | wc -w) - 1)))
    fi
    echo "$(((shim_after - shim_before) * 10)) $(((daemons_after - daemons_before) * 10)) $period_ms"
}

mb() { awk "BEGIN { printf \"%.1f MB\", $1 / 1000000 }"; }
echo "builder ${BUILDER:-buildkit}, runtime $runtime_image, $crates crates (cargo tree, this platform)"
echo "runtime base:  $(mb "$base_bytes")"
echo "binary ($binary): $(mb "$binary_bytes"), entrypoint: $(mb "$entrypoint_bytes")"
echo "final image:   $(mb "$image_bytes")  (base + binary + $(mb "$overhead_bytes"))"

if [ "$probe_seconds" != 0 ]; then
    baseline_ms="$(idle_cpu_ms --no-healthcheck)"
    echo "$baseline_ms" | awk -v s="$probe_seconds" '{
        printf "CPU of an idle container without HEALTHCHECK in %d s: shim %d ms, dockerd + containerd %d ms\n", s, $1, $2 }'
fi
for each in image ${INTERVALS:-}; do
    if [ "$each" = image ]; then
        set --
        label="HEALTHCHECK --interval=$interval --retries=$retries (the Dockerfile's)"
    else
        set -- --health-interval "$each"
        label="docker run --health-interval $each"
    fi
    samples=""
    for _ in $(seq "$runs"); do samples="$samples,$(start_and_stop "$@")"; done
    echo "$label:"
    echo "  docker run → started: median $(column 1 | median) ms, max $(column 1 | maximum) ms"
    echo "  docker run → healthy: median $(column 2 | median) ms, max $(column 2 | maximum) ms (samples: $(column 2))"
    echo "  docker stop:          median $(column 3 | median) ms, max $(column 3 | maximum) ms (samples: $(column 3))"
    if [ "$probe_seconds" != 0 ]; then
        probing_ms="$(idle_cpu_ms "$@")"
        echo "$probing_ms $baseline_ms" | awk -v s="$probe_seconds" '{
            probes = s * 1000 / $3; shim = ($1 - $4) / probes; daemons = ($2 - $5) / probes
            printf "  probe cost: a probe every %d ms; in %d s, shim %d ms, dockerd + containerd %d ms: per probe %.1f + %.1f ms over the idle container, %.1f %% of a core for its life\n",
                $3, s, $1, $2, shim, daemons, (shim + daemons) / $3 * 100 }'
    fi
done

echo "cold build (--no-cache, empty cache mounts): ${cold_ms} ms"
if [ "${REBUILDS:-1}" != 0 ]; then
    main_rs="$(find "$work" -path "$work/target" -prune -o -path "$work/vendor" -prune -o -name main.rs -print | head -n 1)"
    echo "// measure.sh: one-line source change" >>"$main_rs"
    source_ms="$(timed_build)"
    sed -i 's/^version = "\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\)"/version = "\1.\2.99"/' "$work/Cargo.toml"
    cargo update --workspace --offline --quiet --manifest-path "$work/Cargo.toml"
    manifest_ms="$(timed_build)"
    check_describe 0.1.99
    echo "rebuild after a one-line change in ${main_rs#"$work"/}: ${source_ms} ms ($((source_ms * 100 / cold_ms))% of cold)"
    echo "rebuild after a manifest-only change (version bump): ${manifest_ms} ms ($((manifest_ms * 100 / cold_ms))% of cold)"
fi
echo "load average: $load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
}
main "$@"
