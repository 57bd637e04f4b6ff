#!/bin/sh
# Installs the Docker CLI plugins the container tests need, buildx (BuildKit builds) and compose v2,
# from Debian trixie's `docker-buildx` and `docker-compose` packages: their plugin binaries depend
# only on libc6 (>= 2.34), so they run on bookworm against this machine's Engine 20.10.
# The packages are fetched with a temporary, private apt configuration (the system's sources and
# package lists are not touched) and only the plugin binaries are kept, in $PLUGIN_DIR.
# Idempotent: a plugin that already answers `docker <plugin> version` is kept.
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian),
#      PLUGIN_DIR (default /usr/local/lib/docker/cli-plugins, a directory the Docker CLI searches).
set -eu

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
plugin_dir="${PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"

say() { echo "plugins.sh: $*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Each plugin comes from the Debian package docker-<plugin>.
missing=""
for plugin in buildx compose; do
    if docker "$plugin" version >/dev/null 2>&1; then
        say "kept docker $plugin ($(docker "$plugin" version | head -n 1))"
    else
        missing="$missing $plugin"
    fi
done
[ -n "$missing" ] || exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/etc" "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
cat >"$work/etc/trixie.sources" <<EOF
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_private() {
    apt-get -qq -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/etc" \
        -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" \
        -o APT::Sandbox::User=root "$@"
}
say "reading trixie's package list from $mirror"
apt_private update
for plugin in $missing; do
    package="docker-$plugin"
    (cd "$work/debs" && apt_private download "$package")
    deb="$(ls "$work/debs/${package}_"*.deb)"
    dpkg-deb -x "$deb" "$work/root-$plugin"
    binary="$work/root-$plugin/usr/libexec/docker/cli-plugins/docker-$plugin"
    [ -x "$binary" ] || {
        say "$(basename "$deb") holds no usr/libexec/docker/cli-plugins/docker-$plugin"
        exit 1
    }
    as_root install -D -m 0755 "$binary" "$plugin_dir/docker-$plugin"
    docker "$plugin" version >/dev/null 2>&1 || {
        say "docker $plugin does not answer after installing $(basename "$deb") into $plugin_dir"
        exit 1
    }
    say "installed docker $plugin from $(basename "$deb"): $(docker "$plugin" version | head -n 1)"
done
