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
RUNS="${BENCH_RUNS:-3}"
SWIFT="${SWIFT:-swift}"

say() { echo "run-all: $*" >&2; }
# shellcheck source=Benchmarks/corpus.sh
source "$ROOT/Benchmarks/corpus.sh"

cd "$ROOT"
say "building bodypart-bench (release)"
build=(build -c release)
[ -z "${BENCH_SCRATCH_PATH:-}" ] || build+=(--scratch-path "$BENCH_SCRATCH_PATH")
"$SWIFT" "${build[@]}" --product bodypart-bench >&2
BENCH="$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart-bench"

# Corpus: Benchmarks/corpus.sh.
make_corpus

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
      # Issue 12's table in one run (Benchmarks/clean-quick.sh), corpus and scratch on tmpfs
      # (BENCH_TMPFS, default /dev/shm) so that the figures are the software's, not the disk's.
      "$SWIFT" "${build[@]}" --product bodypart >&2
      TMPFS="${BENCH_TMPFS:-/dev/shm}/bodypart-bench-clean"
      rm -rf "$TMPFS" && mkdir -p "$TMPFS" && cp -r "$CORPUS" "$TMPFS/corpus"
      "$ROOT/Benchmarks/clean-quick.sh" "$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart" "$TMPFS/corpus" \
        "$TMPFS/scratch" "$RUNS"
      rm -rf "$TMPFS" ;;
    pixel)
      "$SWIFT" "${build[@]}" --product bodypart >&2
      "$BENCH" pixel --files "$FILES" --runs "$RUNS" --bodypart "$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart" ;;
    *) say "unknown benchmark $benchmark (read, write, clean, pixel)"; exit 64 ;;
  esac
  echo
done
