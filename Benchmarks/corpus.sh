# Sourced by Benchmarks/run-all.sh and Benchmarks/proxy/run.sh: the 2,000-file CT corpus both
# use, made once under $BENCH_DIR (never in the repository) from the complete CT volumes of
# shared/data/dicom-dev, their files copied round-robin until $COUNT files exist.
# Needs ROOT and a say() function; sets BENCH_DIR, SHARED, FILES, CORPUS, COUNT.
BENCH_DIR="${BENCH_DIR:-/tmp/bodypart-bench}"
SHARED="${BODYPART_SHARED_DATA:-$ROOT/../shared/data}"
FILES="$SHARED/dicom-dev/files"
CORPUS="$BENCH_DIR/corpus"
COUNT="${BENCH_FILES:-2000}"
CORPUS_VOLUMES=(
  "plotly__dash-vtk@46b4801/demos/data/ct_whole_body"
  "plotly__dash-vtk@e50bf6d/demos/data/ct_scans"
  "plotly__dash-vtk/demos/data/ct_lung"
  "neurolabusc__dcm_qa_ct/In/GE"
)

make_corpus() {
  [ "$(find "$CORPUS" -maxdepth 1 -type f 2>/dev/null | wc -l)" -ne "$COUNT" ] || return 0
  say "making the corpus: $COUNT files in $CORPUS"
  local sources=() volume file i source
  for volume in "${CORPUS_VOLUMES[@]}"; do
    [ -d "$FILES/$volume" ] || { say "missing $FILES/$volume (set BODYPART_SHARED_DATA)"; exit 66; }
    while IFS= read -r file; do sources+=("$file"); done < <(find "$FILES/$volume" -maxdepth 1 -type f | sort)
  done
  rm -rf "$CORPUS" && mkdir -p "$CORPUS"
  for ((i = 0; i < COUNT; i++)); do
    source="${sources[i % ${#sources[@]}]}"
    cp "$source" "$CORPUS/$(printf '%04d' "$i")-$(basename "$(dirname "$source")")-$(basename "$source")"
  done
}
