#!/usr/bin/env bash
# Runs bodypart's benchmarks with their reference tools side by side:
#   1. header-only read (bodypart-bench read), 2. edit + atomic write (bodypart-bench write),
#   3. clean, 4. pixel check vs header-only classify per series (bodypart-bench pixel).
# Builds bodypart-bench in release, makes the 2,000-file corpus from the complete CT volumes in
# shared/data/dicom-dev and a pydicom venv, all under $BENCH_DIR (default /tmp/bodypart-bench),
# never in the repository. BENCH_FILES, BENCH_RUNS, BENCH_DIR, BENCH_SCRATCH_PATH (swift build
# --scratch-path) override the defaults. Usage: Benchmarks/run-all.sh [read|write|clean|pixel]...  (default: all)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/bodypart-bench}"
SHARED="${BODYPART_SHARED_DATA:-$ROOT/../shared/data}"
FILES="$SHARED/dicom-dev/files"
CORPUS="$BENCH_DIR/corpus"
COUNT="${BENCH_FILES:-2000}"
RUNS="${BENCH_RUNS:-3}"
SWIFT="${SWIFT:-swift}"
VOLUMES=(
  "plotly__dash-vtk@46b4801/demos/data/ct_whole_body"
  "plotly__dash-vtk@e50bf6d/demos/data/ct_scans"
  "plotly__dash-vtk/demos/data/ct_lung"
  "neurolabusc__dcm_qa_ct/In/GE"
)

say() { echo "run-all: $*" >&2; }

cd "$ROOT"
say "building bodypart-bench (release)"
build=(build -c release)
[ -z "${BENCH_SCRATCH_PATH:-}" ] || build+=(--scratch-path "$BENCH_SCRATCH_PATH")
"$SWIFT" "${build[@]}" --product bodypart-bench >&2
BENCH="$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart-bench"

# Corpus: the volumes' files copied round-robin until $COUNT files exist.
if [ "$(find "$CORPUS" -maxdepth 1 -type f 2>/dev/null | wc -l)" -ne "$COUNT" ]; then
  say "making the corpus: $COUNT files in $CORPUS"
  sources=()
  for volume in "${VOLUMES[@]}"; do
    [ -d "$FILES/$volume" ] || { say "missing $FILES/$volume (set BODYPART_SHARED_DATA)"; exit 66; }
    while IFS= read -r file; do sources+=("$file"); done < <(find "$FILES/$volume" -maxdepth 1 -type f | sort)
  done
  rm -rf "$CORPUS" && mkdir -p "$CORPUS"
  for ((i = 0; i < COUNT; i++)); do
    source="${sources[i % ${#sources[@]}]}"
    volume="$(basename "$(dirname "$source")")"
    cp "$source" "$CORPUS/$(printf '%04d' "$i")-$volume-$(basename "$source")"
  done
fi

# pydicom for the reference, in a venv outside the product.
VENV="$BENCH_DIR/venv"
if ! "$VENV/bin/python" -c "import pydicom" 2>/dev/null; then
  say "installing pydicom into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "pydicom==3.0.2"
fi

command -v dcmdump >/dev/null || say "dcmdump/dcmodify missing (apt: dcmtk): their rows will be skipped"
say "dcmtk $(dcmdump --version 2>/dev/null | head -1 | awk '{print $3}'), pydicom $("$VENV/bin/python" -c 'import pydicom; print(pydicom.__version__)'), $(python3 --version)"

benchmarks=("$@")
[ ${#benchmarks[@]} -gt 0 ] || benchmarks=(read write clean pixel)
for benchmark in "${benchmarks[@]}"; do
  case "$benchmark" in
    read) "$BENCH" read --corpus "$CORPUS" --runs "$RUNS" --python "$VENV/bin/python" --scratch "$BENCH_DIR/scratch" ;;
    write) "$BENCH" write --corpus "$CORPUS" --runs "$RUNS" --scratch "$BENCH_DIR/write" ;;
    clean)
      "$SWIFT" "${build[@]}" --product bodypart >&2
      "$BENCH" clean --corpus "$CORPUS" --runs "$RUNS" --bodypart "$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart" \
        --scratch "$BENCH_DIR/clean" ;;
    pixel)
      "$SWIFT" "${build[@]}" --product bodypart >&2
      "$BENCH" pixel --files "$FILES" --runs "$RUNS" --bodypart "$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart" ;;
    *) say "unknown benchmark $benchmark (read, write, clean, pixel)"; exit 64 ;;
  esac
  echo
done
