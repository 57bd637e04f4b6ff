#!/bin/sh
# Runs the README's install command with the Rust that Cargo.toml's `rust-version` names:
# Debian trixie's packaged rustc and cargo, in a debootstrapped trixie root (their binaries
# need trixie's libc), offline from a `cargo vendor` of Cargo.lock. The installed
# cargo-tasks then runs the README's first example. Fails when trixie's Rust is not the
# `rust-version` (update this script and the README together when either moves).
# The root is kept in $MSRV_ROOT and reused; the build happens in a fresh copy of the
# tracked and untracked-but-not-ignored files.
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian),
#      MSRV_ROOT (default /var/tmp/cargo-tasks-msrv-trixie).
set -eu
cd "$(dirname "$0")/.."

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
root="${MSRV_ROOT:-/var/tmp/cargo-tasks-msrv-trixie}"

say() { echo "msrv.sh: $*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

wanted="$(sed -n 's/^rust-version = "\([0-9.]*\)"$/\1/p' Cargo.toml)"
[ -n "$wanted" ] || { say "no rust-version in Cargo.toml"; exit 1; }

if [ ! -x "$root/usr/bin/cargo" ]; then
    say "debootstrapping Debian trixie with rustc and cargo into $root"
    as_root rm -rf "$root"
    as_root debootstrap --variant=minbase --include=rustc,cargo,gcc,libc6-dev \
        trixie "$root" "$mirror" >/dev/null
fi
have="$(as_root chroot "$root" rustc --version | sed -n 's/^rustc \([0-9]*\.[0-9]*\)\..*/\1/p')"
if [ "$have" != "$wanted" ]; then
    say "Debian trixie has Rust $have, but Cargo.toml's rust-version is $wanted"
    exit 1
fi
say "$(as_root chroot "$root" rustc --version), $(as_root chroot "$root" cargo --version)"

# A fresh work area inside the root: the sources, the vendored crates, a CARGO_HOME.
work="/cargo-tasks-msrv"
as_root rm -rf "$root$work"
as_root mkdir -p "$root$work/src" "$root$work/home"
cargo vendor --locked --quiet "$root$work/vendor" >/dev/null
git ls-files --cached --others --exclude-standard -z |
    tar --null -cf - -T - | as_root tar -xf - -C "$root$work/src"
cat >"$root$work/home/config.toml" <<EOF
[source.crates-io]
replace-with = "vendored"
[source.vendored]
directory = "$work/vendor"
[net]
offline = true
EOF

# The README's first command, as written there.
install="$(sed -n 's/^\(cargo install --locked --path \. && cargo tasks .*\)$/\1/p' README.md)"
[ -n "$install" ] || { say "README.md has no 'cargo install --locked --path . && cargo tasks' line"; exit 1; }
say "running: $install"
as_root chroot "$root" env -i HOME="$work/home" CARGO_HOME="$work/home" \
    PATH="$work/home/bin:/usr/bin:/bin" CARGO_TERM_COLOR=never \
    sh -c "cd $work/src && $install"
as_root rm -rf "$root$work"
say "rust-version $wanted: the install command builds and the installed binary runs"
