#!/usr/bin/env bash
# Burst of large misses (issue #11.3, docs/RELIABILITY.md): N concurrent requests for N different
# prompts, each answered by the origin with a 15 MiB image, against the gateway jar with a fixed
# heap. Prints the clients that got every byte, the gateway's peak RSS (VmHWM), the entries
# stored, the store and memory-budget counters, the single-flight gauge and OutOfMemoryError lines.
#
#   bench/scripts/burst.sh [N] [JAR]     # N=100, JAR=server/target/deja-server.jar
#
# Env: XMX (1g), SIZE_MIB (15), ORIGIN_PORT (18801), DEJA_PORT (18802), DEJA_DB_URL/USER/PASSWORD
# (default: db/local-pg.sh's database). Loopback only; a fresh schema, dropped at the end.
set -euo pipefail
N="${1:-100}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${2:-${ROOT}/server/target/deja-server.jar}"
XMX="${XMX:-1g}"
SIZE_MIB="${SIZE_MIB:-15}"
ORIGIN_PORT="${ORIGIN_PORT:-18801}"
DEJA_PORT="${DEJA_PORT:-18802}"
DB_URL="${DEJA_DB_URL:-jdbc:postgresql://127.0.0.1:55432/deja}"
DB_USER="${DEJA_DB_USER:-postgres}"
DB_PASSWORD="${DEJA_DB_PASSWORD:-}"
SCHEMA="burst_$(date -u +%Y%m%d_%H%M%S)"
TMP="$(mktemp -d /tmp/deja-burst.XXXXXX)"
PIDS=()

[[ -f "${JAR}" ]] || { echo "burst.sh: no ${JAR}; build with: mvn -B -q -pl server -am package -DskipTests" >&2; exit 1; }
psql_url="${DB_URL#jdbc:}"

cleanup() {
  for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null || true; done
  sleep 2
  for pid in "${PIDS[@]}"; do kill -9 "${pid}" 2>/dev/null || true; done
  PGPASSWORD="${DB_PASSWORD}" psql "${psql_url}" -U "${DB_USER}" -qc "DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE" >/dev/null 2>&1 || true
  rm -rf "${TMP}"
}
trap cleanup EXIT INT TERM

python3 "${ROOT}/bench/scripts/burst-origin.py" "${ORIGIN_PORT}" $((SIZE_MIB * 1024 * 1024)) &
PIDS+=($!)
java "-Xmx${XMX}" -jar "${JAR}" --port "${DEJA_PORT}" --host 127.0.0.1 \
  --origin "http://127.0.0.1:${ORIGIN_PORT}" --origin-timeout 120s \
  --db-url "${DB_URL}" --db-user "${DB_USER}" --db-password "${DB_PASSWORD}" \
  --db-schema "${SCHEMA}" --set semantic=false > "${TMP}/gateway.log" 2>&1 &
GATEWAY=$!
PIDS+=("${GATEWAY}")
for _ in $(seq 1 60); do
  curl -sf -o /dev/null "http://127.0.0.1:${DEJA_PORT}/_deja/health" && break
  sleep 1
done

started=$(date +%s.%N)
clients=()
for i in $(seq 1 "${N}"); do
  curl -s -o /dev/null -w '%{http_code} %{size_download}\n' --max-time 180 \
    "http://127.0.0.1:${DEJA_PORT}/prompt/burst%20image%20${i}%20${SCHEMA}?seed=${i}" \
    > "${TMP}/client.${i}" 2>/dev/null &
  clients+=($!)
done
wait "${clients[@]}" || true
elapsed=$(echo "$(date +%s.%N) - ${started}" | bc)
sleep 20 # let the store queue drain

want=$((SIZE_MIB * 1024 * 1024))
complete=$(cat "${TMP}"/client.* | awk -v s="${want}" '$1 == 200 && $2 == s' | wc -l)
echo "burst: ${N} concurrent ${SIZE_MIB} MiB misses, -Xmx${XMX}, ${JAR##*/} (${elapsed%.*} s)"
echo "  complete bodies     ${complete} of ${N}"
echo "  peak RSS            $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/${GATEWAY}/status")"
echo "  entries stored      $(PGPASSWORD="${DB_PASSWORD}" psql "${psql_url}" -U "${DB_USER}" -Atc "SELECT count(*) FROM ${SCHEMA}.cache_entry")"
curl -s "http://127.0.0.1:${DEJA_PORT}/_deja/metrics" \
  | grep -E '^deja_(store_(failed|dropped|completed)_total|memory_budget_refused_total|singleflight_inflight) ' \
  | sed 's/^/  /'
echo "  OutOfMemoryError    $(grep -c OutOfMemoryError "${TMP}/gateway.log" || true)"
