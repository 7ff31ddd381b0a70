#!/usr/bin/env bash
# Deja soak (issue #11): the real gateway jar under mixed traffic for DURATION (default 30m),
# 15 MiB images in the mix, faulty origin answers, clients that leave mid-image; RSS and heap
# sampled every 10 s into bench/results/<date>-soak-<DURATION>.{csv,json} and
# bench/results/plots/soak-<DURATION>.png.
#
#   bench/scripts/soak.sh            # 30 minutes
#   bench/scripts/soak.sh 2m         # a short check
#
# Exits non-zero when the gateway died, logged an OutOfMemoryError, or still had single-flight
# requests in flight 10 s after the load stopped.
#
# Starts and stops what it needs, on loopback: the soak origin (bench SoakOrigin, ORIGIN_PORT,
# DELAY_MS) and server/target/deja-server.jar (DEJA_PORT, -Xmx SERVER_XMX, a fresh schema
# SCHEMA dropped at the end unless KEEP_SCHEMA=1, byte budget MAX_CACHE_BYTES). Database:
# DEJA_DB_URL/DEJA_DB_USER/DEJA_DB_PASSWORD when set, else db/local-pg.sh (DEJA_PG_PORT, default
# 55432; stopped again only if this script started it). Builds with `package` in the reactor,
# never `install`: the snapshot jars in ~/.m2 are left alone.
set -euo pipefail

DURATION="${1:-30m}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RESULTS="${RESULTS:-${ROOT}/bench/results}"
WORK="${ROOT}/bench/work"
ORIGIN_PORT="${ORIGIN_PORT:-18191}"
DEJA_PORT="${DEJA_PORT:-18194}"
DELAY_MS="${DELAY_MS:-200}"
SERVER_XMX="${SERVER_XMX:-1g}"
CLIENTS="${CLIENTS:-32}"
RATE="${RATE:-20}"
BURST_CLIENTS="${BURST_CLIENTS:-6}"
SAMPLE_S="${SAMPLE_S:-10}"
MAX_CACHE_BYTES="${MAX_CACHE_BYTES:-2GB}"
SCHEMA="${SCHEMA:-soak_$(date -u +%Y%m%d_%H%M%S)}"
PG_BIN="${DEJA_PG_BIN:-/usr/lib/postgresql/15/bin}"
TMP="$(mktemp -d /tmp/deja-soak.XXXXXX)"
PIDS=()
STARTED_PG=0
DEJA_PID=""

log() { echo "soak.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "${DURATION}" =~ ^[0-9]+(\.[0-9]+)?[smh]?$ ]] || die "usage: $0 [DURATION like 30m, 90s, 1h]"
[[ "${SCHEMA}" =~ ^[a-z_][a-z0-9_]*$ ]] || die "SCHEMA must be a plain lower-case identifier"

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "${pid}" 2>/dev/null || true
  done
  for _ in $(seq 1 40); do # up to 20 s for the gateway's drain on SIGTERM
    local alive=0
    for pid in "${PIDS[@]}"; do
      kill -0 "${pid}" 2>/dev/null && alive=1
    done
    [[ "${alive}" == 0 ]] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do
    kill -9 "${pid}" 2>/dev/null || true
  done
  if [[ -n "${DEJA_DB_URL:-}" && "${KEEP_SCHEMA:-0}" != 1 ]]; then
    drop_schema || log "could not drop schema ${SCHEMA}"
  fi
  if [[ "${STARTED_PG}" == 1 && "${KEEP_PG:-0}" != 1 ]]; then
    "${ROOT}/db/local-pg.sh" stop || true
  fi
  rm -rf "${TMP}"
  exit "${rc}"
}
trap cleanup EXIT INT TERM

build() {
  log "building (offline, package only)"
  (cd "${ROOT}" && mvn -B -o -q -pl bench,server -am package -DskipTests) >&2
  [[ -f "${ROOT}/server/target/deja-server.jar" ]] || die "server/target/deja-server.jar missing"
  # The bench's classes on the gateway's own (shaded) dependencies, plus JFreeChart for the plot:
  # no dependency:build-classpath, whose plugin is not in the offline Maven cache.
  local jfree_version
  jfree_version="$(sed -n 's:.*<jfreechart.version>\(.*\)</jfreechart.version>.*:\1:p' "${ROOT}/pom.xml")"
  CP="${ROOT}/bench/target/classes:${ROOT}/server/target/deja-server.jar"
  CP="${CP}:${HOME}/.m2/repository/org/jfree/jfreechart/${jfree_version}/jfreechart-${jfree_version}.jar"
  JAVA=(java -Dlogback.configurationFile="${ROOT}/bench/src/main/resources/bench-logback.xml"
    -Djava.awt.headless=true -cp "${CP}")
}

database() {
  if [[ -z "${DEJA_DB_URL:-}" ]]; then
    export DEJA_PG_PORT="${DEJA_PG_PORT:-55432}"
    if ! "${ROOT}/db/local-pg.sh" status >/dev/null 2>&1; then
      STARTED_PG=1
    fi
    eval "$("${ROOT}/db/local-pg.sh" start)"
  fi
  export DEJA_DB_URL DEJA_DB_USER="${DEJA_DB_USER:-postgres}" DEJA_DB_PASSWORD="${DEJA_DB_PASSWORD:-}"
  [[ "${DEJA_DB_URL}" == jdbc:postgresql://* ]] || die "DEJA_DB_URL must be jdbc:postgresql://..."
}

psql_db() {
  PGPASSWORD="${DEJA_DB_PASSWORD}" "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 \
    "postgresql://${DEJA_DB_USER}@${DEJA_DB_URL#jdbc:postgresql://}" "$@"
}

drop_schema() {
  psql_db -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE" \
    >/dev/null
}

wait_http() { # url name pid
  for _ in $(seq 1 360); do
    if curl -s -o /dev/null --max-time 2 "$1"; then return 0; fi
    kill -0 "$3" 2>/dev/null || die "$2 exited while starting (log: ${TMP})"
    sleep 0.5
  done
  die "$2 did not answer $1 within 180 s"
}

start_origin() {
  "${JAVA[@]}" -Xmx768m dev.deja.bench.soak.SoakOrigin "${ORIGIN_PORT}" "${DELAY_MS}" \
    > "${TMP}/origin.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:${ORIGIN_PORT}/_origin/stats" "soak origin" "$!"
  log "origin: $(head -1 "${TMP}/origin.log")"
}

start_deja() {
  # ExitOnOutOfMemoryError stays off (stated): an OOM must show in the log, not end the process
  # quietly; the driver then sees it either way (dead process, or the error in the log).
  java "-Xmx${SERVER_XMX}" -XX:-ExitOnOutOfMemoryError -jar "${ROOT}/server/target/deja-server.jar" \
    --host 127.0.0.1 --port "${DEJA_PORT}" --origin "http://127.0.0.1:${ORIGIN_PORT}" \
    --db-url "${DEJA_DB_URL}" --db-user "${DEJA_DB_USER}" --db-password "${DEJA_DB_PASSWORD}" \
    --db-schema "${SCHEMA}" --max-cache-bytes "${MAX_CACHE_BYTES}" --eviction-interval 30s \
    > "${TMP}/deja.log" 2>&1 &
  DEJA_PID=$!
  PIDS+=("${DEJA_PID}")
  wait_http "http://127.0.0.1:${DEJA_PORT}/_deja/health/ready" "Deja gateway" "${DEJA_PID}"
  curl -sf "http://127.0.0.1:${DEJA_PORT}/_deja/health/ready" >/dev/null \
    || die "gateway not ready: $(curl -s "http://127.0.0.1:${DEJA_PORT}/_deja/health/ready")"
  log "gateway: pid ${DEJA_PID}, -Xmx${SERVER_XMX}, schema ${SCHEMA}, port ${DEJA_PORT}"
}

mkdir -p "${RESULTS}" "${WORK}"
START=$(date +%s)
build
database
drop_schema
start_origin
start_deja
set +e
"${JAVA[@]}" -Xmx1g dev.deja.bench.soak.SoakBenchmark --deja-port "${DEJA_PORT}" \
  --server-pid "${DEJA_PID}" --origin-port "${ORIGIN_PORT}" --duration "${DURATION}" \
  --label "${DURATION}" --clients "${CLIENTS}" --rate "${RATE}" \
  --burst-clients "${BURST_CLIENTS}" --sample "${SAMPLE_S}" --out "${RESULTS}" \
  --server-kind "deja-server.jar -Xmx${SERVER_XMX} @ $(git -C "${ROOT}" rev-parse --short HEAD), origin delay ${DELAY_MS} ms" \
  --command "bench/scripts/soak.sh ${DURATION}"
RC=$?
set -e
LOG_COPY="${WORK}/soak-${DURATION}-gateway.log"
cp "${TMP}/deja.log" "${LOG_COPY}"
OOM=$(grep -c "OutOfMemoryError" "${TMP}/deja.log" || true)
ERRORS=$(grep -c " ERROR " "${TMP}/deja.log" || true)
WARNS=$(grep -c " WARN " "${TMP}/deja.log" || true)
log "gateway log: ${OOM} OutOfMemoryError, ${ERRORS} ERROR, ${WARNS} WARN lines (copy: ${LOG_COPY})"
if [[ "${OOM}" != 0 ]]; then
  grep -m 5 -B 2 "OutOfMemoryError" "${TMP}/deja.log" >&2 || true
  RC=1
fi
if kill -0 "${DEJA_PID}" 2>/dev/null; then
  kill "${DEJA_PID}"
  for _ in $(seq 1 70); do kill -0 "${DEJA_PID}" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "${DEJA_PID}" 2>/dev/null; then
    log "gateway still running 35 s after SIGTERM"; RC=1
  else
    log "gateway stopped on SIGTERM"
  fi
else
  log "gateway was not running at the end"; RC=1
fi
log "done in $(( $(date +%s) - START )) s, exit ${RC}"
exit "${RC}"
