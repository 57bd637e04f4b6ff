#!/bin/sh
# Measures a scaffolded single-service workspace on the local Docker Engine (a report, not a test):
#   image size against runtime base + binary, time from `docker run` to healthy, `docker stop` time,
#   and for the builder form: cold build, rebuild after a one-line source change, and rebuild after
#   a manifest-only change (the workspace version bumped, Cargo.lock refreshed offline).
# Usage: .ci/measure.sh [WORKSPACE]
#   WORKSPACE: a workspace with a single-container feature (default: tests/fixtures/service), copied
#   into a fresh temporary directory (so BuildKit's cache ids, named after it, start empty) and
#   scaffolded there with $CARGO_TASKS (default target/debug/cargo-tasks). Nothing in it changes.
# Env: RUNS (docker run → healthy samples, default 5), BUILDER (buildkit or legacy, scaffold's
#   --builder), RUNTIME (scaffold's --runtime-image, e.g. gcr.io/distroless/cc-debian12 or scratch).
set -eu

repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-5}"
image="${MEASURE_IMAGE:-cargo-tasks-measure:latest}"
work="$(mktemp -d)"
container=""
cleanup() {
    [ -z "$container" ] || docker rm -f "$container" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$repo/.ci/images.sh" >/dev/null
cp -a "${1:-$repo/tests/fixtures/service}/." "$work/"
rm -rf "$work/docker" "$work/target"
set -- tasks scaffold --quiet --force --manifest-path "$work/Cargo.toml"
if [ -n "${BUILDER:-}" ]; then set -- "$@" --builder "$BUILDER"; fi
if [ -n "${RUNTIME:-}" ]; then set -- "$@" --runtime-image "$RUNTIME"; fi
"${CARGO_TASKS:-$repo/target/debug/cargo-tasks}" "$@"
case "${BUILDER:-buildkit}" in
    legacy) export DOCKER_BUILDKIT=0 ;;
    *) export DOCKER_BUILDKIT=1 ;;
esac
runtime_image="$(sed -n 's/^ARG RUNTIME_IMAGE="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$work/docker/Dockerfile")"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

timed_build() {
    started="$(now_ms)"
    docker build "$@" -f "$work/docker/Dockerfile" -t "$image" "$work" >"$work/build.log" 2>&1 || {
        tail -n 30 "$work/build.log" >&2
        exit 1
    }
    echo $(($(now_ms) - started))
}

cold_ms="$(timed_build --no-cache)"

binary="$(sed -n 's|^CMD \["\(/usr/local/bin/[^"]*\)"\]$|\1|p' "$work/docker/Dockerfile")"
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

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n "$(((runs + 1) / 2))p"; }
healthy_samples=""
stop_samples=""
for _ in $(seq "$runs"); do
    started="$(now_ms)"
    container="$(docker run -d "$image")"
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$container")" = healthy ]; do
        if [ $(($(now_ms) - started)) -gt 60000 ]; then
            echo "measure: not healthy after 60 s" >&2
            exit 1
        fi
        sleep 0.05
    done
    healthy_samples="$healthy_samples $(($(now_ms) - started))"
    started="$(now_ms)"
    docker stop -t 10 "$container" >/dev/null
    stop_samples="$stop_samples $(($(now_ms) - started))"
    docker rm -f "$container" >/dev/null
    container=""
done

main_rs="$(find "$work" -path "$work/target" -prune -o -name main.rs -print | head -n 1)"
echo "// measure.sh: one-line source change" >>"$main_rs"
source_ms="$(timed_build)"
sed -i 's/^version = "\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\)"/version = "\1.\2.99"/' "$work/Cargo.toml"
cargo update --workspace --offline --quiet --manifest-path "$work/Cargo.toml"
manifest_ms="$(timed_build)"

mb() { awk "BEGIN { printf \"%.1f MB\", $1 / 1000000 }"; }
echo "builder ${BUILDER:-buildkit}, runtime $runtime_image"
echo "runtime base:  $(mb "$base_bytes")"
echo "binary ($binary): $(mb "$binary_bytes"), entrypoint: $(mb "$entrypoint_bytes")"
echo "final image:   $(mb "$image_bytes")  (base + binary + $(mb "$overhead_bytes"))"
echo "docker run → healthy: median $(echo "$healthy_samples" | median) ms over $runs runs (samples:$healthy_samples)"
echo "docker stop: median $(echo "$stop_samples" | median) ms (samples:$stop_samples)"
echo "cold build (--no-cache, empty cache mounts): ${cold_ms} ms"
echo "rebuild after a one-line change in ${main_rs#"$work"/}: ${source_ms} ms ($((source_ms * 100 / cold_ms))% of cold)"
echo "rebuild after a manifest-only change (version bump): ${manifest_ms} ms ($((manifest_ms * 100 / cold_ms))% of cold)"
