#!/usr/bin/env bash
# Runs Deja on :8080 in one command:
#   ./run.sh                 in front of the built-in offline demo origin (no network needed)
#   ./run.sh --real-origin   in front of https://image.pollinations.ai
#   ./run.sh --image-store=s3://deja/images --s3-endpoint=http://127.0.0.1:9090
#                            images in an S3-compatible bucket (README, "Images in an object store")
# Starts the project's own PostgreSQL + pgvector unless DEJA_DB_URL is set, builds the server jar
# when it is missing or older than the sources, and passes any other argument to the server
# (`./run.sh --help` lists them). Without --admin-token or DEJA_ADMIN_TOKEN it makes a token for
# this run and prints it with the operator console's address.
set -euo pipefail
cd "$(dirname "$0")"

origin=(--demo-origin)
args=()
image_store="${DEJA_IMAGE_STORE:-postgres}"
previous=
for arg in "$@"; do
  case "${arg}" in
    --real-origin) origin=() ;;
    *) args+=("${arg}") ;;
  esac
  case "${arg}" in
    --image-store=*) image_store="${arg#--image-store=}" ;;
  esac
  if [[ "${previous}" == --image-store ]]; then
    image_store="${arg}"
  fi
  previous="${arg}"
done

# The server reads S3 credentials from the standard AWS chain. Without any, it still starts and
# serves from the origin, but stores nothing: say so here rather than in a stack trace.
if [[ "${image_store}" == s3://* && ( -z "${AWS_ACCESS_KEY_ID:-}" || -z "${AWS_SECRET_ACCESS_KEY:-}" ) \
    && -z "${AWS_PROFILE:-}" && ! -f "${AWS_SHARED_CREDENTIALS_FILE:-${HOME}/.aws/credentials}" ]]; then
  cat >&2 <<HINT
run.sh: --image-store=${image_store} needs S3 credentials, and none were found: set
run.sh:   export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
run.sh: (a local S3Mock accepts any values; MinIO wants its root user and password), or
run.sh: AWS_PROFILE, or ~/.aws/credentials. Continuing: an instance or container role may apply.
HINT
fi

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

# The operator console (/_deja/ui/) needs an admin token: make one for this run unless one is given.
if [[ -z "${DEJA_ADMIN_TOKEN:-}" && " ${args[*]} " != *" --admin-token"* ]]; then
  DEJA_ADMIN_TOKEN="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  export DEJA_ADMIN_TOKEN
  echo "run.sh: console at http://localhost:8080/_deja/ui/ (or your --port), admin token: ${DEJA_ADMIN_TOKEN}" >&2
fi

exec java -jar "${jar}" "${origin[@]}" "${args[@]}"
