#!/usr/bin/env bash
# A private PostgreSQL 15 + pgvector cluster for Deja's tests and local runs, without Docker.
#
#   eval "$(db/local-pg.sh start)" && export DEJA_DB_URL DEJA_DB_USER DEJA_DB_PASSWORD
#   db/local-pg.sh status
#   db/local-pg.sh stop
#
# stdout carries only the DEJA_DB_* lines (so `eval` works); everything for humans goes to stderr.
#
# Environment:
#   DEJA_PG_PORT   TCP port (default 55432); the socket directory lives in the data dir.
#   DEJA_PG_DATA   data directory (default ${TMPDIR:-/tmp}/deja-pg-<port>).
#   DEJA_PG_BIN    PostgreSQL bin directory (default /usr/lib/postgresql/15/bin).
#   DEJA_PG_OPTIONS  extra server settings for this start, e.g. "-c shared_buffers=3GB".
#
# TEST CLUSTER ONLY: fsync, synchronous_commit and full_page_writes are off, so a machine crash
# can lose or corrupt this cluster's data. Never point production at it.
set -euo pipefail

PORT="${DEJA_PG_PORT:-55432}"
DATA="${DEJA_PG_DATA:-${TMPDIR:-/tmp}/deja-pg-${PORT}}"
BIN="${DEJA_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_CONFIG="${BIN}/pg_config"
DB_NAME=deja
DB_USER=postgres
PGVECTOR_MIN=0.8.0
APT_LIST=/etc/apt/sources.list.d/deja-trixie-src.sources
APT_PIN=/etc/apt/preferences.d/deja-trixie-src

log() { echo "local-pg: $*" >&2; }
die() { echo "local-pg: ERROR: $*" >&2; exit 1; }

[[ -x "${BIN}/postgres" ]] || die "PostgreSQL binaries not found in ${BIN} (set DEJA_PG_BIN)"

# PostgreSQL refuses to run as root; as root we act as the postgres OS user.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then
    # runuser keeps no controlling-tty requirement and needs no password.
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

installed_pgvector_version() {
  local control
  control="$("${PG_CONFIG}" --sharedir)/extension/vector.control"
  [[ -f "${control}" ]] || return 1
  sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" "${control}"
}

ensure_pgvector() {
  local have
  if have="$(installed_pgvector_version)" && version_ge "${have}" "${PGVECTOR_MIN}"; then
    return 0
  fi
  [[ -n "${have:-}" ]] && log "pgvector ${have} is older than ${PGVECTOR_MIN}; building a newer one"
  [[ "$(id -u)" == 0 ]] || die "pgvector >= ${PGVECTOR_MIN} is not installed in $("${PG_CONFIG}" --sharedir)/extension and building it needs root (apt-get, make install). Run this once as root, or install pgvector yourself."
  log "building pgvector from Debian trixie's source package (not packaged for bookworm)"
  # deb-src only: a source entry never offers binary packages, so nothing can be upgraded from
  # trixie through it. The pin is belt and braces in case someone adds a trixie `deb` line later.
  if [[ ! -f "${APT_LIST}" ]]; then
    cat > "${APT_LIST}" <<'EOF'
# Added by Deja's db/local-pg.sh: source packages only (pgvector is built from source).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if [[ ! -f "${APT_PIN}" ]]; then
    cat > "${APT_PIN}" <<'EOF'
# Added by Deja's db/local-pg.sh: never install or upgrade binaries from trixie.
Package: *
Pin: release n=trixie
Pin-Priority: -1
EOF
  fi
  apt-get update -qq >&2 || die "apt-get update failed; cannot fetch pgvector sources"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-server-dev-15 >&2 \
    || die "could not install postgresql-server-dev-15 (needed to build pgvector)"
  command -v make >/dev/null && command -v gcc >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make gcc >&2 \
    || die "could not install make/gcc"
  local tmp
  tmp="$(mktemp -d)"
  # apt fetches as _apt when it can write there; avoids its "unsandboxed" warning.
  chmod 755 "${tmp}" && chown _apt "${tmp}" 2>/dev/null || true
  # shellcheck disable=SC2064
  trap "rm -rf '${tmp}'" EXIT
  (cd "${tmp}" && apt-get source --download-only pgvector >&2) \
    || die "apt-get source pgvector failed (is deb.debian.org reachable?)"
  local orig
  orig="$(ls "${tmp}"/pgvector_*.orig.tar.* 2>/dev/null | head -n1)"
  [[ -n "${orig}" ]] || die "no pgvector .orig tarball downloaded"
  mkdir "${tmp}/src"
  tar -xf "${orig}" -C "${tmp}/src" --strip-components=1
  (cd "${tmp}/src" && make -s PG_CONFIG="${PG_CONFIG}" >&2 && make -s PG_CONFIG="${PG_CONFIG}" install >&2) \
    || die "building pgvector failed"
  have="$(installed_pgvector_version)" || die "pgvector built but vector.control is missing"
  version_ge "${have}" "${PGVECTOR_MIN}" || die "built pgvector ${have}, need >= ${PGVECTOR_MIN}"
  log "installed pgvector ${have}"
}

is_running() {
  [[ -f "${DATA}/postmaster.pid" ]] && as_pg "${BIN}/pg_ctl" -D "${DATA}" status >/dev/null 2>&1
}

print_settings() {
  echo "DEJA_DB_URL=jdbc:postgresql://127.0.0.1:${PORT}/${DB_NAME}"
  echo "DEJA_DB_USER=${DB_USER}"
  echo "DEJA_DB_PASSWORD="
}

psql_pg() { as_pg "${BIN}/psql" -X -q -h "${DATA}" -p "${PORT}" -U "${DB_USER}" -v ON_ERROR_STOP=1 "$@"; }

start() {
  ensure_pgvector
  if is_running; then
    log "already running on port ${PORT} (data ${DATA})"
    print_settings
    return 0
  fi
  if [[ ! -f "${DATA}/PG_VERSION" ]]; then
    log "initdb ${DATA}"
    mkdir -p "${DATA}"
    [[ "$(id -u)" == 0 ]] && chown postgres: "${DATA}"
    chmod 700 "${DATA}"
    as_pg "${BIN}/initdb" -D "${DATA}" -U "${DB_USER}" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=reject >/dev/null
    # Trust on loopback only; everything else is rejected.
    cat > "${DATA}/pg_hba.conf" <<'EOF'
local   all all                trust
host    all all 127.0.0.1/32   trust
host    all all ::1/128        trust
EOF
    cat >> "${DATA}/postgresql.conf" <<EOF

# --- Deja test cluster (db/local-pg.sh) ---
listen_addresses = '127.0.0.1'
port = ${PORT}
unix_socket_directories = '${DATA}'
# Parallel test pools (several JVMs x maxPoolSize) need headroom.
max_connections = 200
shared_buffers = 256MB
maintenance_work_mem = 256MB
# TEST ONLY: durability off for speed. A crash may corrupt this cluster; re-create it.
fsync = off
synchronous_commit = off
full_page_writes = off
# pgvector 0.8.0's parallel HNSW build has a buffer overflow (fixed 0.8.2).
max_parallel_maintenance_workers = 0
log_min_messages = warning
EOF
  fi
  log "starting on port ${PORT}"
  as_pg "${BIN}/pg_ctl" -D "${DATA}" -l "${DATA}/server.log" -w -t 30 \
    ${DEJA_PG_OPTIONS:+-o "${DEJA_PG_OPTIONS}"} start >/dev/null \
    || die "PostgreSQL did not start; see ${DATA}/server.log"
  if [[ "$(psql_pg -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" != 1 ]]; then
    psql_pg -d postgres -c "CREATE DATABASE ${DB_NAME}"
  fi
  psql_pg -d "${DB_NAME}" -c "CREATE EXTENSION IF NOT EXISTS vector"
  log "ready: pgvector $(psql_pg -d "${DB_NAME}" -tAc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
  print_settings
}

stop() {
  if is_running; then
    as_pg "${BIN}/pg_ctl" -D "${DATA}" -m fast -w stop >/dev/null
    log "stopped (port ${PORT}, data ${DATA})"
  else
    log "not running (port ${PORT}, data ${DATA})"
  fi
}

status() {
  if is_running; then
    log "running on port ${PORT} (data ${DATA})"
    print_settings
  else
    log "not running (port ${PORT}, data ${DATA})"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
