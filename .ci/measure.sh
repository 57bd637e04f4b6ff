#!/bin/sh
# Measures a scaffolded single-service workspace on the local Docker Engine (a report, not a test):
#   image size against runtime base + binary, time from `docker run` to healthy, and the rebuild
#   time after a one-line source change against a cold build.
# Usage: .ci/measure.sh [WORKSPACE]
#   WORKSPACE: a workspace that already has docker/Dockerfile (default: tests/fixtures/service
#   scaffolded with $CARGO_TASKS, default target/debug/cargo-tasks). It is copied; nothing in it changes.
# Env: RUNS (docker run → healthy samples, default 5), BUILDER_IMAGE / RUNTIME_IMAGE (--build-arg).
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

if ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi
"$repo/.ci/images.sh" >/dev/null

cp -a "${1:-$repo/tests/fixtures/service}/." "$work/"
if [ ! -f "$work/docker/Dockerfile" ]; then
    "${CARGO_TASKS:-$repo/target/debug/cargo-tasks}" tasks scaffold --quiet --manifest-path "$work/Cargo.toml"
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }

set --
if [ -n "${BUILDER_IMAGE:-}" ]; then set -- "$@" --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE"; fi
if [ -n "${RUNTIME_IMAGE:-}" ]; then set -- "$@" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE"; fi
runtime_image="${RUNTIME_IMAGE:-$(sed -n 's/^ARG RUNTIME_IMAGE=//p' "$work/docker/Dockerfile")}"

timed_build() {
    started="$(now_ms)"
    docker build "$@" -f "$work/docker/Dockerfile" -t "$image" "$work" >"$work/build.log" 2>&1 || {
        tail -n 30 "$work/build.log" >&2
        exit 1
    }
    echo $(($(now_ms) - started))
}

cold_ms="$(timed_build --no-cache "$@")"

binary="$(sed -n 's|^CMD \["\(/usr/local/bin/[^"]*\)"\]$|\1|p' "$work/docker/Dockerfile")"
base_bytes="$(docker image inspect -f '{{.Size}}' "$runtime_image")"
image_bytes="$(docker image inspect -f '{{.Size}}' "$image")"
binary_bytes="$(docker run --rm --entrypoint stat "$image" -c %s "$binary")"
overhead_bytes=$((image_bytes - base_bytes - binary_bytes))

healthy_samples=""
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
    docker rm -f "$container" >/dev/null
    container=""
done
healthy_max="$(echo "$healthy_samples" | tr ' ' '\n' | sed '/^$/d' | sort -n | tail -n 1)"
healthy_median="$(echo "$healthy_samples" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n "$(((runs + 1) / 2))p")"

main_rs="$(find "$work" -path "$work/target" -prune -o -name main.rs -print | head -n 1)"
echo "// measure.sh: one-line source change" >>"$main_rs"
rebuild_ms="$(timed_build "$@")"

mb() { awk "BEGIN { printf \"%.1f MB\", $1 / 1000000 }"; }
echo "runtime base ($runtime_image): $(mb "$base_bytes")"
echo "binary ($binary):   $(mb "$binary_bytes")"
echo "final image:        $(mb "$image_bytes")  (base + binary + $(mb "$overhead_bytes"); target <= +10 MB)"
echo "docker run → healthy: median ${healthy_median} ms, max ${healthy_max} ms over $runs runs (samples:$healthy_samples; target < 2000 ms)"
echo "cold build (--no-cache): ${cold_ms} ms"
echo "rebuild after a one-line change in ${main_rs#"$work"/}: ${rebuild_ms} ms ($((rebuild_ms * 100 / cold_ms))% of cold; target < 25%)"
