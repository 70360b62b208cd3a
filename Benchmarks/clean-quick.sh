#!/usr/bin/env bash
# Quick side-by-side of `bodypart clean` and dcmodify on the same corpus, each case run after a
# fresh copy, interleaved, RUNS times: --in-place / --out, policy as shipped / pixelCheck: never,
# --jobs 1 / 2. Prints seconds per run and the ratio to dcmodify's median (files/s of bodypart ÷
# files/s of dcmodify; above 1: bodypart faster). Usage:
#   Benchmarks/clean-quick.sh BODYPART CORPUS SCRATCH [RUNS]     (put CORPUS and SCRATCH on tmpfs)
set -euo pipefail
BIN="$1"; CORPUS="$2"; SCRATCH="$3"; RUNS="${4:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$SCRATCH"
sed 's/^pixelCheck:.*/pixelCheck: never/' "$ROOT/Rules/policy.yaml" > "$SCRATCH/never.yaml"
grep -q '^pixelCheck: never' "$SCRATCH/never.yaml" || { echo "policy has no top-level pixelCheck key" >&2; exit 65; }
fresh() { rm -rf "$SCRATCH/in" "$SCRATCH/out" "$SCRATCH"/a.sqlite*; cp -r "$CORPUS" "$SCRATCH/in"; sync; }
# wall seconds and CPU seconds (user + system, children included) of one command
seconds() { /usr/bin/time -f "%e %U %S %M" -o "$SCRATCH/time" "$@" >/dev/null 2>&1 || true
  read -r w u s m < "$SCRATCH/time"; echo "$w $(echo "$u + $s" | bc) $m"; }
declare -A T C M
cases=("dcmodify" "in-place shipped 1" "in-place never 1" "in-place never 2" "out never 1" "out never 2" "in-place shipped 2")
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
    fi
    read -r t cpu mem <<<"$r3"
    T[$c]="${T[$c]:-} $t"; C[$c]="${C[$c]:-} $cpu"; M[$c]=$mem
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ref=$(echo "${T[dcmodify]}" | median); refc=$(echo "${C[dcmodify]}" | median)
printf '%-22s | %-24s | %8s | %8s | %8s | %8s | %s\n' case "wall s (runs)" "median" "x dcmod" "CPU s" "x dcmod" "peak RSS KiB"
for c in "${cases[@]}"; do
  m=$(echo "${T[$c]}" | median); mc=$(echo "${C[$c]}" | median)
  printf '%-22s | %-24s | %8.3f | %8.2f | %8.2f | %8.2f | %s\n' "$c" "${T[$c]}" "$m" "$(echo "$ref / $m" | bc -l)" "$mc" \
    "$(echo "$refc / $mc" | bc -l)" "${M[$c]}"
done
changes=$(sqlite3 "$SCRATCH/a.sqlite" "select count(*) from changes" 2>/dev/null || echo 0)
sqlite3 "$SCRATCH/a.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true
bytes=$(stat -c %s "$SCRATCH/a.sqlite" 2>/dev/null || echo 0)
[ "$changes" -gt 0 ] && printf 'audit (last case): %d changes, %d bytes, %.0f KiB per 1,000 changes\n' "$changes" "$bytes" "$(echo "$bytes / $changes * 1000 / 1024" | bc -l)"
rm -rf "$SCRATCH/in" "$SCRATCH/out"
