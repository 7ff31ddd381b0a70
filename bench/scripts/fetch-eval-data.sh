#!/usr/bin/env bash
# Downloads the public evaluation sets the precision harness and the benchmarks read (PAWS-Wiki,
# COCO captions val2017, DrawBench, T2I-CompBench), each from a pinned commit, checks every file's
# sha256, and writes them into DIR in the layout dev.deja.bench.EvalData expects. Prints each
# set's licence and citation (also written to DIR/SOURCES.txt).
#
#   bench/scripts/fetch-eval-data.sh [--mirror DIR|URL] [--manifest FILE] DIR
#
# --mirror (or DEJA_EVAL_MIRROR) replaces the base URL https://raw.githubusercontent.com: a
# directory, file:// or http(s):// URL holding the same owner/repository/commit/path tree, for
# machines without internet access and for the tests. --manifest replaces eval-data.manifest
# (which lists sources and checksums). Needs bash, coreutils, curl or wget (only for http), and
# java (the JDK the build needs; it flattens the COCO captions JSON). Nothing is written into DIR
# unless every file matched its checksum.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
base="${DEJA_EVAL_MIRROR:-https://raw.githubusercontent.com}"
manifest="${here}/eval-data.manifest"
dir=""

usage() {
  echo "usage: bench/scripts/fetch-eval-data.sh [--mirror DIR|URL] [--manifest FILE] DIR" >&2
  exit 64
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --mirror) [[ $# -ge 2 ]] || usage; base="$2"; shift 2 ;;
    --manifest) [[ $# -ge 2 ]] || usage; manifest="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "fetch-eval-data: unknown option $1" >&2; usage ;;
    *) [[ -z "${dir}" ]] || usage; dir="$1"; shift ;;
  esac
done
[[ -n "${dir}" ]] || usage
if [[ "${base}" != *://* ]]; then
  base="file://$(cd "${base}" && pwd)"   # a plain directory
fi
base="${base%/}"

fail() {
  echo "fetch-eval-data: $*" >&2
  exit 1
}

# download URL FILE
download() {
  case "$1" in
    file://*) cp -- "${1#file://}" "$2" 2>/dev/null || fail "cannot read $1" ;;
    *)
      if command -v curl >/dev/null; then
        curl -fsSL --retry 3 -o "$2" "$1" || fail "cannot download $1"
      elif command -v wget >/dev/null; then
        wget -q -O "$2" "$1" || fail "cannot download $1"
      else
        fail "neither curl nor wget is installed (apt-get install curl)"
      fi
      ;;
  esac
}

licence() {
  case "$1" in
    paws) cat <<'EOF'
paws: PAWS-Wiki Labeled (Final), dev split: 8000 pairs. Released by Google at
  https://github.com/google-research-datasets/paws (fetched from a pinned copy of dev.tsv).
  Licence: free for any purpose; acknowledgement of Google LLC as the source is appreciated.
  Cite: Yuan Zhang, Jason Baldridge, Luheng He. PAWS: Paraphrase Adversaries from Word
  Scrambling. NAACL 2019.
EOF
      ;;
    coco) cat <<'EOF'
coco: MS-COCO 2017 val captions (captions_val2017.json, also in
  http://images.cocodataset.org/annotations/annotations_trainval2017.zip), flattened to TSV:
  25014 captions of 5000 images.
  Licence: COCO annotations CC BY 4.0 (https://cocodataset.org/#termsofuse).
  Cite: Tsung-Yi Lin et al. Microsoft COCO: Common Objects in Context. ECCV 2014; Xinlei Chen et
  al. Microsoft COCO Captions: Data Collection and Evaluation Server. arXiv:1504.00325, 2015.
EOF
      ;;
    drawbench) cat <<'EOF'
drawbench: DrawBench, 200 prompts in 11 categories (Imagen paper), as imagen.csv.
  Licence: none stated by the authors; used here for evaluation only.
  Cite: Chitwan Saharia et al. Photorealistic Text-to-Image Diffusion Models with Deep Language
  Understanding. NeurIPS 2022.
EOF
      ;;
    t2i-compbench) cat <<'EOF'
t2i-compbench: T2I-CompBench validation prompts (examples/dataset/*_val.txt), 8 categories.
  Licence: MIT (https://github.com/Karine-Huang/T2I-CompBench).
  Cite: Kaiyi Huang, Kaiyue Sun, Enze Xie, Zhenguo Li, Xihui Liu. T2I-CompBench: A Comprehensive
  Benchmark for Open-world Compositional Text-to-image Generation. NeurIPS 2023.
EOF
      ;;
    *) fail "no licence text for set '$1' (add it to licence() in $0)" ;;
  esac
}

[[ -r "${manifest}" ]] || fail "cannot read the manifest ${manifest}"
mkdir -p "${dir}"
staging="$(mktemp -d "${dir%/}/.fetch.XXXXXX")"
trap 'rm -rf "${staging}"' EXIT

sets=()
while IFS=$'\t' read -r set kind sha output source; do
  [[ -z "${set}" || "${set}" == \#* ]] && continue
  [[ -n "${source}" ]] || fail "${manifest}: a line for '${set}' has fewer than 5 fields"
  url="${base}/${source}"
  mkdir -p "$(dirname "${staging}/${output}")"
  case "${kind}" in
    copy) download "${url}" "${staging}/${output}" ;;
    coco-flatten)
      command -v java >/dev/null || fail "java is needed to flatten the COCO captions (JDK 17)"
      download "${url}" "${staging}/download.json"
      java "${here}/FlattenCocoCaptions.java" "${staging}/download.json" "${staging}/${output}" \
        || fail "cannot flatten ${url}"
      rm -f "${staging}/download.json"
      ;;
    *) fail "${manifest}: unknown kind '${kind}' for ${output}" ;;
  esac
  got="$(sha256sum "${staging}/${output}" | cut -d' ' -f1)"
  if [[ "${got}" != "${sha}" ]]; then
    fail "sha256 mismatch for ${set} (${output}) from ${url}
  expected ${sha}
  got      ${got} ($(wc -l <"${staging}/${output}") lines)
The file differs from the pinned version; nothing was written into ${dir}."
  fi
  echo "ok  ${output}  (${set}, sha256 ${got:0:12}...)"
  [[ " ${sets[*]-} " == *" ${set} "* ]] || sets+=("${set}")
done <"${manifest}"
[[ ${#sets[@]} -gt 0 ]] || fail "${manifest} lists no files"

{
  echo "Evaluation data fetched by bench/scripts/fetch-eval-data.sh from ${base}"
  echo
  for set in "${sets[@]}"; do licence "${set}"; echo; done
} >"${staging}/SOURCES.txt"

# Every file verified: move them into place.
(cd "${staging}" && find . -type f ! -name '.*' -print0) | while IFS= read -r -d '' f; do
  mkdir -p "$(dirname "${dir}/${f#./}")"
  mv -f "${staging}/${f#./}" "${dir}/${f#./}"
done

echo
cat "${dir}/SOURCES.txt"
echo "Use it with --eval-dir ${dir} or DEJA_EVAL_DIR=${dir}."
