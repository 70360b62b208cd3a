#!/usr/bin/env bash
# `bodypart clean` beside dcmodify on the same corpus (issue 12's table), in one run: --in-place and
# --out, policy as shipped and pixelCheck: never, --jobs 1 and 2; each case after a fresh copy,
# cases interleaved, RUNS times. Prints per case the wall seconds of every run, the median, the
# ratio to dcmodify's median (files/s of bodypart / files/s of dcmodify; above 1: bodypart faster),
# CPU seconds (user + system) and peak RSS; then the audit's size per 1,000 changes and the peak RSS
# of a dry run over the corpus and over ten times the corpus (hard links). Usage:
#   Benchmarks/clean-quick.sh BODYPART CORPUS SCRATCH [RUNS]     (put CORPUS and SCRATCH on tmpfs)
# CASES="in-place never 1;dcmodify" runs only the cases named (separated by ';').
set -euo pipefail
BIN="$1"; CORPUS="$2"; SCRATCH="$3"; RUNS="${4:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$SCRATCH"
sed 's/^pixelCheck:.*/pixelCheck: never/' "$ROOT/Rules/policy.yaml" > "$SCRATCH/never.yaml"
grep -q '^pixelCheck: never' "$SCRATCH/never.yaml" || { echo "policy has no top-level pixelCheck key" >&2; exit 65; }
fresh() { rm -rf "$SCRATCH/in" "$SCRATCH/out" "$SCRATCH"/a.sqlite*; cp -r "$CORPUS" "$SCRATCH/in"; sync; }
# wall seconds, CPU seconds (user + system, children included) and peak RSS KiB of one command
seconds() { /usr/bin/time -f "%e %U %S %M" -o "$SCRATCH/time" "$@" >/dev/null 2>"$SCRATCH/stderr" || true
  read -r w u s m < "$SCRATCH/time"; echo "$w $(echo "$u + $s" | bc) $m"; }
declare -A T C M
cases=("dcmodify" "in-place shipped 1" "in-place never 1" "in-place shipped 2" "in-place never 2"
       "out shipped 1" "out never 1" "out shipped 2" "out never 2")
if [ -n "${CASES:-}" ]; then IFS=';' read -r -a cases <<<"$CASES"; fi
audit_line=""
for ((r = 0; r < RUNS; r++)); do
  for c in "${cases[@]}"; do
    fresh
    if [ "$c" = dcmodify ]; then
      r3=$(seconds bash -c "find '$SCRATCH/in' -type f -print0 | xargs -0 -n 500 dcmodify -q -nb -i '(0018,0015)=CHEST'")
    else
      read -r mode policy jobs <<<"$c"
      p=(); [ "$policy" = never ] && p=(--policy "$SCRATCH/never.yaml")
      m=(--in-place); [ "$mode" = out ] && m=(--out "$SCRATCH/out")
      r3=$(seconds "$BIN" clean "$SCRATCH/in" "${m[@]}" "${p[@]}" --jobs "$jobs" --audit "$SCRATCH/a.sqlite")
      grep -q "audit head" "$SCRATCH/stderr" || { echo "clean-quick: '$c' failed:" >&2; tail -3 "$SCRATCH/stderr" >&2; }
      if [ "$c" = "in-place shipped 1" ]; then
        changes=$(sqlite3 "$SCRATCH/a.sqlite" "select count(*) from changes")
        sqlite3 "$SCRATCH/a.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
        bytes=$(stat -c %s "$SCRATCH/a.sqlite")
        audit_line=$(printf 'audit (in-place, policy as shipped): %d changes, %d bytes, %.0f KiB per 1,000 changes' \
          "$changes" "$bytes" "$(echo "$bytes / $changes * 1000 / 1024" | bc -l)")
      fi
    fi
    read -r t cpu mem <<<"$r3"
    T[$c]="${T[$c]:-} $t"; C[$c]="${C[$c]:-} $cpu"; M[$c]="${M[$c]:-} $mem"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "clean-quick: $(find "$CORPUS" -type f | wc -l) files, $RUNS runs per case, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s | %-22s | %7s | %7s | %6s | %7s | %s\n' case "wall s (runs)" median "x dcmod" "CPU s" "x dcmod" "peak RSS KiB"
ref=$(echo "${T[dcmodify]:-}" | median); refc=$(echo "${C[dcmodify]:-}" | median)
for c in "${cases[@]}"; do
  m=$(echo "${T[$c]}" | median); mc=$(echo "${C[$c]}" | median)
  ratio=-; ratioc=-
  [ -n "$ref" ] && ratio=$(printf '%.2f' "$(echo "$ref / $m" | bc -l)") && ratioc=$(printf '%.2f' "$(echo "$refc / $mc" | bc -l)")
  printf '%-20s | %-22s | %7.2f | %7s | %6.2f | %7s | %s\n' "$c" "${T[$c]}" "$m" "$ratio" "$mc" "$ratioc" "$(echo "${M[$c]}" | median)"
done
[ -z "$audit_line" ] || echo "$audit_line"
# Peak memory against the number of files: a dry run over the corpus and over ten times the corpus.
if [ -z "${CASES:-}" ]; then
  rm -rf "$SCRATCH/in" "$SCRATCH/ten" "$SCRATCH"/a.sqlite*
  mkdir -p "$SCRATCH/ten"
  for i in 0 1 2 3 4 5 6 7 8 9; do cp -al "$CORPUS" "$SCRATCH/ten/$i"; done
  read -r _ _ small <<<"$(seconds "$BIN" clean "$CORPUS" --dry-run --jobs 2 --policy "$SCRATCH/never.yaml" --audit "$SCRATCH/a.sqlite")"
  rm -f "$SCRATCH"/a.sqlite*
  read -r _ _ large <<<"$(seconds "$BIN" clean "$SCRATCH/ten" --dry-run --jobs 2 --policy "$SCRATCH/never.yaml" --audit "$SCRATCH/a.sqlite")"
  echo "peak RSS, clean --dry-run --jobs 2 (pixelCheck never): $(find "$CORPUS" -type f | wc -l) files $small KiB," \
    "$(find "$SCRATCH/ten" -type f | wc -l) files $large KiB"
  rm -rf "$SCRATCH/ten"
fi
rm -rf "$SCRATCH/in" "$SCRATCH/out" "$SCRATCH"/a.sqlite*
