#!/usr/bin/env bash
# Deja benchmarks (issue #7): hit, miss and scale numbers beside nginx proxy_cache and the
# in-memory ceiling, all on loopback, results in bench/results/, tables in docs/BENCHMARKS.md.
#
#   bench/scripts/run-benchmarks.sh quick      # HTTP exact/semantic/miss + scale 10k/100k (<15 min)
#   bench/scripts/run-benchmarks.sh scale-1m   # scale at 1M + semantic HTTP over the 1M table (long)
#   bench/scripts/run-benchmarks.sh scale-1m-reuse  # the same queries on the table scale-1m left
#   bench/scripts/run-benchmarks.sh scale ROWS # scale at ROWS entries, before/after partial HNSW
#                                              # indexes; ends with one line on stdout (stable):
#     scale ROWS: large-near p50 X ms p99 Y ms recall Z %; large-new p50 X ms p99 Y ms recall Z %
#   bench/scripts/run-benchmarks.sh exact [BYTES] # exact hits at one image size, 16 connections
#   bench/scripts/run-benchmarks.sh semantic   # only the semantic scenario (LABEL=suffix)
#   bench/scripts/run-benchmarks.sh miss       # only the miss scenario (~2 min)
#   bench/scripts/run-benchmarks.sh smoke      # every piece at tiny sizes, a few seconds each
#   bench/scripts/run-benchmarks.sh report     # only re-render docs/BENCHMARKS.md from the JSON
#
# Starts and stops everything it needs: a private PostgreSQL (db/local-pg.sh, port DEJA_PG_PORT,
# default 55435), the reference servers (origin with DELAY_MS, default 1500, and the ceiling),
# nginx with a generated config in a temp dir, and the Deja server: server/target/deja-server.jar
# when it exists, else the bench's stand-in (DejaFilter in Jetty, same settings).
set -euo pipefail

MODE="${1:-quick}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${ROOT}/bench/work"
RESULTS="${RESULTS:-${ROOT}/bench/results}"
export DEJA_PG_PORT="${DEJA_PG_PORT:-55435}"
ORIGIN_PORT="${ORIGIN_PORT:-18181}"
CEILING_PORT="${CEILING_PORT:-18182}"
NGINX_PORT="${NGINX_PORT:-18183}"
DEJA_PORT="${DEJA_PORT:-18184}"
DELAY_MS="${DELAY_MS:-1500}"
SERVER_HEAP="${SERVER_HEAP:--Xmx512m}"
SCHEMA="bench_http"
TMP="$(mktemp -d /tmp/deja-bench.XXXXXX)"
PIDS=()
STARTED_PG=0

log() { echo "run-benchmarks: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "${pid}" 2>/dev/null || true
  done
  if [[ -f "${TMP}/nginx.pid" ]]; then
    kill "$(cat "${TMP}/nginx.pid")" 2>/dev/null || true
  fi
  sleep 1
  for pid in "${PIDS[@]}"; do
    kill -9 "${pid}" 2>/dev/null || true
  done
  if [[ "${STARTED_PG}" == 1 && "${KEEP_PG:-0}" != 1 ]]; then
    "${ROOT}/db/local-pg.sh" stop || true
  fi
  rm -rf "${TMP}"
  exit "${rc}"
}
trap cleanup EXIT INT TERM

build() {
  log "building (offline)"
  (cd "${ROOT}" && mvn -B -o -q -pl bench,server -am install -DskipTests) >&2
  (cd "${ROOT}/bench" && mvn -B -o -q dependency:build-classpath \
    -Dmdep.outputFile="${TMP}/cp.txt") >&2
  CP="${ROOT}/bench/target/classes:$(cat "${TMP}/cp.txt")"
  JAVA=(java -Dlogback.configurationFile="${ROOT}/bench/src/main/resources/bench-logback.xml"
    -DDJL_OFFLINE=true -Dai.djl.offline=true -cp "${CP}")
  export DJL_OFFLINE=true
}

start_pg() {
  if ! "${ROOT}/db/local-pg.sh" status >/dev/null 2>&1; then
    STARTED_PG=1
  fi
  eval "$("${ROOT}/db/local-pg.sh" start)"
  export DEJA_DB_URL DEJA_DB_USER DEJA_DB_PASSWORD
}

wait_http() { # port name
  for _ in $(seq 1 240); do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.5
  done
  die "$2 did not come up on port $1"
}

start_refs() {
  "${JAVA[@]}" dev.deja.bench.http.ReferenceServers "${ORIGIN_PORT}" "${CEILING_PORT}" \
    "${DELAY_MS}" "${IMAGE_BYTES:-102400}" > "${TMP}/refs.log" 2>&1 &
  PIDS+=($!)
  wait_http "${ORIGIN_PORT}" "reference servers"
}

start_nginx() {
  command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >&2
  mkdir -p "${TMP}/nginx/cache" "${TMP}/nginx/temp"
  cat > "${TMP}/nginx.conf" <<CONF
worker_processes auto;
pid ${TMP}/nginx.pid;
error_log ${TMP}/nginx/error.log warn;
user www-data;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  # tcp_nopush (TCP_CORK) adds a ~40 ms stall per keep-alive answer on loopback: off.
  tcp_nopush off;
  keepalive_requests 1000000;
  client_body_temp_path ${TMP}/nginx/temp/body;
  proxy_temp_path ${TMP}/nginx/temp/proxy;
  fastcgi_temp_path ${TMP}/nginx/temp/fastcgi;
  uwsgi_temp_path ${TMP}/nginx/temp/uwsgi;
  scgi_temp_path ${TMP}/nginx/temp/scgi;
  proxy_cache_path ${TMP}/nginx/cache levels=1:2 keys_zone=deja:16m max_size=4g inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:${ORIGIN_PORT}; keepalive 64; }
  server {
    listen 127.0.0.1:${NGINX_PORT} backlog=1024;
    location /prompt/ {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache deja;
      proxy_cache_key \$request_uri;
      proxy_cache_valid 200 1h;
      proxy_cache_lock on;
      proxy_read_timeout 120s;
      add_header X-Cache \$upstream_cache_status always;
    }
    location / { return 404; }
  }
}
CONF
  chmod 755 "${TMP}"
  chown -R www-data: "${TMP}/nginx"
  nginx -c "${TMP}/nginx.conf" -e "${TMP}/nginx/error.log"
  wait_http "${NGINX_PORT}" "nginx"
}

drop_schema() {
  as_psql -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $1 CASCADE" >/dev/null
}

as_psql() {
  runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.1 -p "${DEJA_PG_PORT}" \
    -U postgres -d deja -v ON_ERROR_STOP=1 "$@"
}

start_deja() { # schema
  local jar="${ROOT}/server/target/deja-server.jar"
  if [[ -f "${jar}" && "${STAND_IN:-0}" != 1 ]]; then
    SERVER_KIND="server/target/deja-server.jar ${SERVER_HEAP}"
    java ${SERVER_HEAP} -jar "${jar}" --host 127.0.0.1 --port "${DEJA_PORT}" \
      --origin "http://127.0.0.1:${ORIGIN_PORT}" --db-url "${DEJA_DB_URL}" \
      --db-user "${DEJA_DB_USER}" --db-schema "$1" > "${TMP}/deja.log" 2>&1 &
  else
    SERVER_KIND="stand-in: DejaFilter in Jetty (bench StandInServer) ${SERVER_HEAP}"
    java ${SERVER_HEAP} -Dlogback.configurationFile="${ROOT}/bench/src/main/resources/bench-logback.xml" \
      -cp "${CP}" dev.deja.bench.http.StandInServer "${DEJA_PORT}" "http://127.0.0.1:${ORIGIN_PORT}" \
      "db.url=${DEJA_DB_URL}" "db.user=${DEJA_DB_USER}" "db.schema=$1" > "${TMP}/deja.log" 2>&1 &
  fi
  DEJA_PID=$!
  PIDS+=("${DEJA_PID}")
  wait_http "${DEJA_PORT}" "Deja server (log: $(tail -5 "${TMP}/deja.log"))"
  log "Deja: ${SERVER_KIND}, pid ${DEJA_PID}"
}

http_bench() { # extra args...
  "${JAVA[@]}" dev.deja.bench.http.HttpBenchmark --deja-port "${DEJA_PORT}" \
    --nginx-port "${NGINX_PORT}" --ceiling-port "${CEILING_PORT}" --origin-port "${ORIGIN_PORT}" \
    --server-pid "${DEJA_PID}" --out "${RESULTS}" --delay-ms "${DELAY_MS}" \
    --db-url "${DEJA_DB_URL}" --db-schema "${SCHEMA}" --server-kind "${SERVER_KIND}" \
    --command "bench/scripts/run-benchmarks.sh ${MODE}" "$@"
}

scale_bench() { # extra args...
  "${JAVA[@]}" -Xmx6g dev.deja.bench.scale.ScaleBenchmark --db-url "${DEJA_DB_URL}" \
    --out "${RESULTS}" --work "${WORK}" --command "bench/scripts/run-benchmarks.sh ${MODE}" "$@"
}

report() {
  "${JAVA[@]}" -Djava.awt.headless=true dev.deja.bench.report.Report --results "${RESULTS}" \
    --doc "${ROOT}/docs/BENCHMARKS.md" --plots "${RESULTS}/plots"
}

mkdir -p "${WORK}" "${RESULTS}"
START=$(date +%s)
case "${MODE}" in
  quick)
    build; start_pg; start_refs; start_nginx
    drop_schema "${SCHEMA}"; start_deja "${SCHEMA}"
    http_bench --scenarios exact,semantic,miss
    kill "${DEJA_PID}"; wait "${DEJA_PID}" 2>/dev/null || true
    scale_bench --sizes 10000,100000
    report ;;
  scale-1m)
    # A production database would keep the 2 GB HNSW index in shared buffers; the test
    # cluster's 256 MB would measure page-cache misses instead.
    export DEJA_PG_OPTIONS="${DEJA_PG_OPTIONS:--c shared_buffers=3GB -c effective_cache_size=12GB}"
    SCHEMA="${SCHEMA}_1m" # its own: other modes drop and refill bench_http
    build; start_pg
    # --partial-indexes: the load step also runs the repository's index pass, so the table the
    # HTTP stage's server opens already has its partial indexes (and no global one) and that
    # server's first pass has nothing to build while the HTTP benchmark runs.
    scale_bench --sizes 1000000 --queries 200 --keep-schema "${SCHEMA}" --partial-indexes true
    start_refs; start_deja "${SCHEMA}"
    http_bench --scenarios semantic --label -1m
    report ;;
  scale-1m-reuse)
    # After a change to the query code: re-query the 1M table a scale-1m run left behind.
    export DEJA_PG_OPTIONS="${DEJA_PG_OPTIONS:--c shared_buffers=3GB -c effective_cache_size=12GB}"
    SCHEMA="${SCHEMA}_1m" # its own: other modes drop and refill bench_http
    build; start_pg
    scale_bench --sizes 1000000 --queries 200 --keep-schema "${SCHEMA}" --reuse true
    start_refs; start_deja "${SCHEMA}"
    http_bench --scenarios semantic --label -1m
    report ;;
  scale)
    # Issue 14: global HNSW only, then with the partial indexes the repository builds for large
    # partitions, then without the global index. The last stdout line is the shipped setup
    # (global + partial); the JSON in bench/results/ has all three and the insert costs.
    ROWS="${2:-}"
    [[ "${ROWS}" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 scale ROWS (a row count, e.g. 200000)"
    build; start_pg
    scale_bench --sizes "${ROWS}" --partial-indexes true --label "-${ROWS}" >"${TMP}/scale.out"
    grep -m1 '^scale ' "${TMP}/scale.out" || die "the scale benchmark printed no summary" ;;
  exact)
    # Issue 14: exact hits beside the ceiling and nginx at one image size (bytes, default 12288),
    # 16 connections; JFR=1 also records a profile of the Deja server (bench/results/*.jfr).
    export IMAGE_BYTES="${2:-12288}"
    [[ "${IMAGE_BYTES}" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 exact [BYTES]"
    [[ "${JFR:-0}" == 1 ]] && SERVER_HEAP="${SERVER_HEAP} -XX:StartFlightRecording=filename=${RESULTS}/exact-${IMAGE_BYTES}.jfr,settings=${JFR_SETTINGS:-profile}"
    # Its own schema, so it never drops the table of another mode.
    SCHEMA="${SCHEMA}_exact"
    build; start_pg; start_refs; start_nginx
    drop_schema "${SCHEMA}"; start_deja "${SCHEMA}"
    http_bench --scenarios exact --connections 16 --label "-${IMAGE_BYTES}b" \
      --image-bytes "${IMAGE_BYTES}" --paths-out "${TMP}/paths.txt"
    # A second load generator in C (wrk, from Debian): the bench's own Java generator shares the
    # 2 cores and parses every header, which weighs more against Deja's 13 headers than against
    # the ceiling's 5. Three rounds, targets alternating, the same 200 cached paths.
    command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
    out="${RESULTS}/$(date -u +%F)-exact-wrk-${IMAGE_BYTES}b.txt"
    echo "# wrk -t2 -c16 -d10s, ${IMAGE_BYTES}-byte images, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" > "${out}"
    for round in 1 2 3; do
      for target in deja:${DEJA_PORT} ceiling:${CEILING_PORT} nginx:${NGINX_PORT}; do
        WRK_PATHS="${TMP}/paths.txt" wrk -t2 -c16 -d10s -s "${ROOT}/bench/scripts/wrk-paths.lua" \
          "http://127.0.0.1:${target#*:}" > "${TMP}/wrk.out"
        echo "round ${round} ${target%%:*} $(grep -E 'Requests/sec|Latency|Non-2xx' "${TMP}/wrk.out" | tr -s ' ' | tr '\n' ' ')" | tee -a "${out}" >&2
      done
    done
    report ;;
  semantic)
    # Only the semantic scenario (1,200 entries). With DELAY_MS=0 the guard's refusals are
    # answered at once instead of holding a connection for the origin's delay, so the hits/s at
    # 16 connections measure what the CPU gives, not how long misses wait.
    SCHEMA="${SCHEMA}_semantic"
    build; start_pg; start_refs
    drop_schema "${SCHEMA}"; start_deja "${SCHEMA}"
    http_bench --scenarios semantic --label "${LABEL:-}"
    report ;;
  miss)
    # Only the miss scenario (about 2 minutes): after a change to the request path.
    build; start_pg; start_refs
    drop_schema "${SCHEMA}"; start_deja "${SCHEMA}"
    http_bench --scenarios miss
    report ;;
  smoke)
    RESULTS="${TMP}/results"; mkdir -p "${RESULTS}"
    build; start_pg; start_refs; start_nginx
    drop_schema "${SCHEMA}_smoke"; SCHEMA="${SCHEMA}_smoke"; start_deja "${SCHEMA}"
    http_bench --scenarios exact,semantic,miss --warmup 0.5 --measure 1.5 --miss-measure 3 \
      --connections 1,4 --semantic-connections 4 --exact-prompts 10 --semantic-bases 20
    scale_bench --sizes 2000 --queries 20 --texts 300
    "${JAVA[@]}" -Djava.awt.headless=true dev.deja.bench.report.Report --results "${RESULTS}" \
      --doc "${TMP}/BENCHMARKS.md" --plots "${TMP}/plots"
    drop_schema "${SCHEMA}" ;;
  report)
    build; report ;;
  *) die "usage: $0 [quick|exact [BYTES]|semantic|miss|scale ROWS|scale-1m|scale-1m-reuse|smoke|report]" ;;
esac
log "done in $(( $(date +%s) - START )) s"
