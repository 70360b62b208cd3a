#!/usr/bin/env bash
# Two bodypart binaries (A = before, B = after) beside dcmodify on the same corpus, interleaved:
# each run does every case with A, then with B, then dcmodify, each after a fresh copy, so that
# both binaries see the same machine load. Prints per case and binary the wall and CPU seconds
# (user + system) of every run, their range, and the median CPU ratio to dcmodify's (above 1:
# bodypart faster). Usage (CORPUS and SCRATCH on tmpfs):
#   Benchmarks/clean-ab.sh BODYPART_A BODYPART_B CORPUS SCRATCH [RUNS]
# CASES="in-place never 1;out never 1" picks the cases (mode policy jobs; default below).
set -euo pipefail
A="$1"; B="$2"; CORPUS="$3"; SCRATCH="$4"; RUNS="${5:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$SCRATCH"
sed 's/^pixelCheck:.*/pixelCheck: never/' "$ROOT/Rules/policy.yaml" > "$SCRATCH/never.yaml"
IFS=';' read -r -a cases <<<"${CASES:-in-place never 1;in-place shipped 1;out never 1;in-place never 2}"
fresh() { rm -rf "$SCRATCH/in" "$SCRATCH/out" "$SCRATCH"/a.sqlite*; cp -r "$CORPUS" "$SCRATCH/in"; sync; }
seconds() { /usr/bin/time -f "%e %U %S" -o "$SCRATCH/time" "$@" >/dev/null 2>"$SCRATCH/stderr" || true
  read -r w u s < "$SCRATCH/time"; echo "$w $(echo "$u + $s" | bc)"; }
declare -A W C
for ((r = 0; r < RUNS; r++)); do
  for c in "${cases[@]}"; do
    read -r mode policy jobs <<<"$c"
    p=(); [ "$policy" = never ] && p=(--policy "$SCRATCH/never.yaml")
    m=(--in-place); [ "$mode" = out ] && m=(--out "$SCRATCH/out")
    for bin in A B; do
      fresh
      read -r w cpu <<<"$(seconds "${!bin}" clean "$SCRATCH/in" "${m[@]}" "${p[@]}" --jobs "$jobs" --audit "$SCRATCH/a.sqlite")"
      grep -q "audit head" "$SCRATCH/stderr" || { echo "clean-ab: $bin '$c' failed:" >&2; tail -3 "$SCRATCH/stderr" >&2; }
      W["$c/$bin"]="${W["$c/$bin"]:-} $w"; C["$c/$bin"]="${C["$c/$bin"]:-} $cpu"
    done
  done
  fresh
  read -r w cpu <<<"$(seconds bash -c "find '$SCRATCH/in' -type f -print0 | xargs -0 -n 500 dcmodify -q -nb -i '(0018,0015)=CHEST'")"
  W[dcmodify]="${W[dcmodify]:-} $w"; C[dcmodify]="${C[dcmodify]:-} $cpu"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "%s (%s-%s)", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo "clean-ab: $(find "$CORPUS" -type f | wc -l) files, $RUNS runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
refc=$(echo "${C[dcmodify]}" | median)
printf '%-22s | %-3s | %-18s | %-18s | %s\n' case bin "wall s median (range)" "CPU s median (range)" "CPU x dcmodify (medians)"
printf '%-22s | %-3s | %-18s | %-18s | %s\n' dcmodify - "$(echo "${W[dcmodify]}" | range)" "$(echo "${C[dcmodify]}" | range)" 1.00
for c in "${cases[@]}"; do
  for bin in A B; do
    mc=$(echo "${C["$c/$bin"]}" | median)
    printf '%-22s | %-3s | %-18s | %-18s | %.2f\n' "$c" "$bin" "$(echo "${W["$c/$bin"]}" | range)" \
      "$(echo "${C["$c/$bin"]}" | range)" "$(echo "$refc / $mc" | bc -l)"
  done
done
rm -rf "$SCRATCH/in" "$SCRATCH/out" "$SCRATCH"/a.sqlite*
