#!/bin/sh
# Builds local stand-ins for the base images the generated Dockerfiles use by default,
# because this machine's Docker Engine cannot pull from any registry:
#   debian:bookworm-slim           debootstrap --variant=minbase, stripped like the official slim image
#   rust:<M.m>-slim-bookworm       debian:bookworm-slim + gcc/libc6-dev + the local Rust toolchain
#   gcr.io/distroless/cc-debian12, gcr.io/distroless/static-debian12
#                                  assembled as Google's distroless images are, from Debian packages:
#                                  libc6 and libgcc-s1 (cc only), CA certificates, tzdata, a passwd
#                                  with root, nobody and nonroot (65532); no shell, no package manager
#   postgres:15                    Debian bookworm's PostgreSQL 15, behaving like the official image where a
#                                  scaffolded compose.yaml relies on it: POSTGRES_PASSWORD (required),
#                                  POSTGRES_USER and POSTGRES_DB honoured at the first start (initdb), data in
#                                  /var/lib/postgresql/data, listening on 0.0.0.0:5432, pg_isready on PATH
#   redis:7                        Debian bookworm's redis-server 7, data in /data, listening on 0.0.0.0:6379,
#                                  redis-cli on PATH
# Only these tags exist here: a document naming another tag (postgres:16, redis:7-alpine, mysql:8)
# scaffolds fine, but that image must be pulled (or built) by the user before compose can start it.
# <M.m> comes from the local `rustc --version`, the same fallback `cargo tasks scaffold` uses,
# so a scaffolded Dockerfile builds here without --build-arg.
# Idempotent: an image that already exists is kept. Prints what it did.
# Usage: .ci/images.sh [--print-builder]   (--print-builder only prints the builder tag)
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian), IMAGES_FORCE=1 rebuilds every image,
#      IMAGES_CACHE_DIR: keep `docker save` archives there and load them instead of rebuilding (for CI caches).
set -eu

runtime_tag="debian:bookworm-slim"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

rust_minor_version() {
    rustc --version | sed -n 's/^rustc \([0-9][0-9]*\.[0-9][0-9]*\)\..*/\1/p'
}

builder_tag="rust:$(rust_minor_version)-slim-bookworm"
if [ "${1:-}" = "--print-builder" ]; then
    echo "$builder_tag"
    exit 0
fi

say() { echo "images.sh: $*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

cache_file() {
    echo "$IMAGES_CACHE_DIR/$(echo "$1" | tr ':/' '__').tar"
}

# Present in the engine, or loaded from IMAGES_CACHE_DIR.
image_exists() {
    [ "${IMAGES_FORCE:-0}" != 1 ] || return 1
    docker image inspect "$1" >/dev/null 2>&1 && return 0
    [ -n "${IMAGES_CACHE_DIR:-}" ] && [ -f "$(cache_file "$1")" ] || return 1
    docker load -i "$(cache_file "$1")" >/dev/null && say "loaded $1 from $(cache_file "$1")"
}

save_to_cache() {
    [ -n "${IMAGES_CACHE_DIR:-}" ] || return 0
    mkdir -p "$IMAGES_CACHE_DIR"
    docker save -o "$(cache_file "$1")" "$1"
    say "saved $1 to $(cache_file "$1")"
}

work="$(mktemp -d)"
cleanup() { as_root rm -rf "$work"; }
trap cleanup EXIT INT TERM

# Same dpkg/apt settings as the official debian:*-slim images (debuerreotype --slimify).
write_slim_config() {
    rootfs="$1"
    as_root tee "$rootfs/etc/dpkg/dpkg.cfg.d/docker" >/dev/null <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
    as_root tee "$rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' | as_root tee "$rootfs/etc/apt/apt.conf.d/docker-no-languages" >/dev/null
    echo 'Acquire::GzipIndexes "true";' | as_root tee "$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes" >/dev/null
    echo 'APT::AutoRemove::SuggestsImportant "false";' | as_root tee "$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests" >/dev/null
    as_root rm -f "$rootfs/etc/apt/sources.list"
    as_root tee "$rootfs/etc/apt/sources.list.d/debian.sources" >/dev/null <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

strip_rootfs() {
    rootfs="$1"
    as_root find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    as_root find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    as_root find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    as_root rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/groff/* \
        "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/linda/*
    as_root rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* \
        "$rootfs"/tmp/* "$rootfs"/root/.cache
    as_root mkdir -p "$rootfs/var/lib/apt/lists/partial"
}

# True (after saying so, and caching it if the cache lacks it) when TAG need not be built.
kept() {
    image_exists "$1" || return 1
    say "kept $1 (already present)"
    [ -z "${IMAGES_CACHE_DIR:-}" ] || [ -f "$(cache_file "$1")" ] || save_to_cache "$1"
}

# Records an image just made: its size, then the cache.
created() {
    say "created $1 ($(docker image inspect -f '{{.Size}}' "$1") bytes)"
    save_to_cache "$1"
}

# Builds TAG from the Dockerfile in CONTEXT with the legacy builder; its log's tail on failure.
build_from() {
    DOCKER_BUILDKIT=0 docker build -q -t "$1" "$2" >/dev/null 2>"$2.log" || {
        tail -n 20 "$2.log" >&2
        exit 1
    }
    created "$1"
}

build_runtime() {
    kept "$runtime_tag" && return
    if ! command -v debootstrap >/dev/null 2>&1; then
        say "installing debootstrap"
        as_root apt-get install -y debootstrap >/dev/null
    fi
    say "building $runtime_tag with debootstrap --variant=minbase bookworm $mirror"
    rootfs="$work/rootfs"
    as_root debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
        tail -n 20 "$work/debootstrap.log" >&2
        exit 1
    }
    write_slim_config "$rootfs"
    strip_rootfs "$rootfs"
    as_root tar -C "$rootfs" --numeric-owner -c . | docker import --change 'CMD ["bash"]' - "$runtime_tag" >/dev/null
    created "$runtime_tag"
}

# The toolchain of the local `rustc`: a rustup (or tarball) sysroot is copied in without docs,
# clippy or rustfmt; a distribution rustc under /usr is replaced by Debian's rustc and cargo packages.
prepare_builder_context() {
    context="$1"
    sysroot="$(rustc --print sysroot)"
    host="$(rustc -vV | sed -n 's/^host: //p')"
    if [ "$sysroot" = "/usr" ]; then
        echo "rustc cargo" >"$context/debian-rust-packages"
        mkdir -p "$context/rust"
        return
    fi
    : >"$context/debian-rust-packages"
    mkdir -p "$context/rust/bin" "$context/rust/lib/rustlib"
    cp "$sysroot/bin/rustc" "$sysroot/bin/cargo" "$context/rust/bin/"
    cp -a "$sysroot"/lib/*.so* "$context/rust/lib/"
    cp -a "$sysroot/lib/rustlib/$host" "$context/rust/lib/rustlib/"
    cp "$sysroot/lib/rustlib/rust-installer-version" "$context/rust/lib/rustlib/" 2>/dev/null || true
}

build_builder() {
    kept "$builder_tag" && return
    context="$work/builder"
    mkdir -p "$context"
    prepare_builder_context "$context"
    cat >"$context/Dockerfile" <<EOF
FROM $runtime_tag
COPY debian-rust-packages /tmp/
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev \$(cat /tmp/debian-rust-packages) \\
 && rm -rf /var/lib/apt/lists/* /tmp/debian-rust-packages
COPY rust /usr/local/rust
ENV CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /usr/local/cargo/bin && rustc --version && cargo --version
EOF
    say "building $builder_tag from $runtime_tag and $(rustc --version)"
    build_from "$builder_tag" "$context"
}

# A distroless stand-in: the files of PACKAGES (Debian packages, none for static) plus the CA bundle,
# the zoneinfo database and passwd/group files with root, nobody and nonroot (65532), on an empty image.
build_distroless() {
    tag="$1" packages="$2"
    kept "$tag" && return
    context="$work/distroless-$(echo "$tag" | tr ':/' '__')"
    mkdir -p "$context"
    cat >"$context/Dockerfile" <<EOF
FROM $runtime_tag AS assemble
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates tzdata \\
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share /rootfs/tmp /rootfs/home/nonroot /rootfs/root /deb \\
 && cd /deb && for package in $packages; do apt-get download "\$package"; done \\
 && for deb in /deb/*.deb; do [ ! -e "\$deb" ] || dpkg-deb -x "\$deb" /rootfs; done \\
 && rm -rf /rootfs/usr/share/doc /rootfs/usr/share/lintian /rootfs/usr/share/man /rootfs/usr/share/locale \\
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \\
 && cp -a /usr/share/zoneinfo /rootfs/usr/share/ \\
 && printf '%s\\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \\
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >/rootfs/etc/passwd \\
 && printf '%s\\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >/rootfs/etc/group \\
 && chmod 1777 /rootfs/tmp && chmod 0700 /rootfs/root && chown 65532:65532 /rootfs/home/nonroot

FROM scratch
COPY --from=assemble /rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EOF
    say "building $tag from Debian packages (${packages:-none}) + ca-certificates, tzdata, passwd"
    build_from "$tag" "$context"
}

# Stand-in for the official postgres image: Debian's packages, the official image's first-start contract
# (initdb with POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; password authentication over TCP).
build_postgres() {
    tag="postgres:15"
    kept "$tag" && return
    context="$work/postgres"
    mkdir -p "$context"
    cat >"$context/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# First start (no PG_VERSION in PGDATA): initdb as POSTGRES_USER (default postgres) with POSTGRES_PASSWORD,
# then POSTGRES_DB (default: the user's name) created on a server that listens on its socket only.
set -eu
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres stand-in: POSTGRES_PASSWORD must be set" >&2
        exit 1
    fi
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    # --no-sync: a test stand-in; initdb's fsyncs take most of a minute on a loaded machine.
    initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --no-sync >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    if [ "$db" != postgres ]; then
        pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
        createdb --username="$user" -- "$db"
        pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    fi
    echo "postgres stand-in: initialised $PGDATA for user $user, database $db"
fi
exec "$@"
EOF
    cat >"$context/Dockerfile" <<EOF
FROM $runtime_tag
RUN mkdir -p /etc/postgresql-common \\
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends postgresql-15 \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \\
 && chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql \\
 && chmod 0700 /var/lib/postgresql/data
COPY docker-entrypoint.sh /usr/local/bin/
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
USER postgres
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
EOF
    chmod 0755 "$context/docker-entrypoint.sh"
    say "building $tag from Debian's postgresql-15"
    build_from "$tag" "$context"
}

build_redis() {
    tag="redis:7"
    kept "$tag" && return
    context="$work/redis"
    mkdir -p "$context"
    cat >"$context/Dockerfile" <<EOF
FROM $runtime_tag
RUN apt-get update \\
 && apt-get install -y --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /data \\
 && chown redis:redis /data
VOLUME /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data"]
EOF
    say "building $tag from Debian's redis-server"
    build_from "$tag" "$context"
}

build_runtime
build_builder
build_distroless gcr.io/distroless/cc-debian12:latest "libc6 libgcc-s1"
build_distroless gcr.io/distroless/static-debian12:latest ""
build_postgres
build_redis
say "runtime image: $runtime_tag"
say "builder image: $builder_tag"
