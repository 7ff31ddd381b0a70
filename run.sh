#!/usr/bin/env bash
# Runs Deja on :8080 in one command:
#   ./run.sh                 in front of the built-in offline demo origin (no network needed)
#   ./run.sh --real-origin   in front of https://image.pollinations.ai
# Starts the project's own PostgreSQL + pgvector unless DEJA_DB_URL is set, builds the server jar
# when it is missing or older than the sources, and passes any other argument to the server
# (`./run.sh --help` lists them).
set -euo pipefail
cd "$(dirname "$0")"

origin=(--demo-origin)
args=()
for arg in "$@"; do
  case "${arg}" in
    --real-origin) origin=() ;;
    *) args+=("${arg}") ;;
  esac
done

if [[ -z "${DEJA_DB_URL:-}" ]]; then
  settings="$(db/local-pg.sh start)"
  eval "${settings}"
  export DEJA_DB_URL DEJA_DB_USER DEJA_DB_PASSWORD
fi

jar=server/target/deja-server.jar
if [[ ! -f "${jar}" ]] \
    || [[ -n "$(find pom.xml db filter server -newer "${jar}" \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -print -quit)" ]]; then
  echo "run.sh: building ${jar} ..." >&2
  mvn -B -q -DskipTests -pl server -am package
fi

exec java -jar "${jar}" "${origin[@]}" "${args[@]}"
