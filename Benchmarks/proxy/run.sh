#!/usr/bin/env bash
# bodypart proxy throughput against three other ways of relaying C-STORE, all in one run:
#   direct    storescu → storescp
#   proxy     storescu → bodypart proxy → storescp
#   routed    the same with three routes (by body part, by attribute, default; priors off): every
#             object still reaches the one receiver, so the difference to proxy is what routing costs
#   orthanc   storescu → Orthanc (Lua OnStoredInstance auto-route) → storescp
#   scripted  storescu → storescp --fork --exec-sync --exec-on-reception "dcmodify … && storescu …" → storescp
#   tls-direct, tls-proxy  the first two with DICOM TLS on every link (BCP 195; certificates made
#             with openssl under $BENCH_DIR/proxy/pki): BENCH_CASES="direct proxy tls-direct tls-proxy"
# Each over one association and over 4 in parallel. Time = until the last object is at the
# final receiver. The corpus is the 2,000 CT slices Benchmarks/run-all.sh builds (copies of the
# dicom-dev CT volumes), under $BENCH_DIR (default /tmp/bodypart-bench), never in the repository.
# The corpus holds one JPEG Lossless volume: senders propose it (-xs), receivers accept all (+xa).
# BENCH_FILES, BENCH_DIR, BENCH_SCRATCH_PATH (swift build --scratch-path) override the defaults;
# BENCH_CASES (default "direct proxy routed orthanc scripted"; also console, tls-direct, tls-proxy) and BENCH_ASSOCIATIONS (default "1 4") shorten
# a run (keep direct and proxy together: the ratio only means something within one run).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
export TCP_NODELAY=1
say() { echo "bench-proxy: $*" >&2; }
# shellcheck source=Benchmarks/corpus.sh
source "$ROOT/Benchmarks/corpus.sh"
WORK="$BENCH_DIR/proxy"
for tool in storescu storescp dcmodify Orthanc curl openssl; do
  command -v "$tool" >/dev/null || { say "missing $tool (make test-deps installs dcmtk and orthanc)"; exit 69; }
done

cd "$ROOT"
say "building bodypart (release)"
build=(build -c release)
[ -z "${BENCH_SCRATCH_PATH:-}" ] || build+=(--scratch-path "$BENCH_SCRATCH_PATH")
"$SWIFT" "${build[@]}" --product bodypart >&2
BODYPART="$("$SWIFT" "${build[@]}" --show-bin-path)/bodypart"

make_corpus
# The relays see every copy as its own object: the copies get new SOP Instance UIDs (a PACS such
# as Orthanc keeps one instance per UID). Made once, in $BENCH_DIR/proxy-corpus.
UNIQUE="$BENCH_DIR/proxy-corpus"
if [ "$(find "$UNIQUE" -maxdepth 1 -type f 2>/dev/null | wc -l)" -ne "$COUNT" ]; then
  say "making $UNIQUE: the corpus with a new SOP Instance UID per copy"
  rm -rf "$UNIQUE" && cp -r "$CORPUS" "$UNIQUE"
  find "$UNIQUE" -maxdepth 1 -type f -print0 | xargs -0 -n 200 dcmodify -q -nb -gin
fi
mapfile -t corpus < <(find "$UNIQUE" -maxdepth 1 -type f | sort)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; say "port $1 never opened"; return 1; }
count_files() { find "$1" -type f ! -name '.*' 2>/dev/null | wc -l; }
now() { date +%s.%N; }
# CPU seconds every process on the machine used so far (user+nice+system+irq+softirq+steal).
busy_cpu() { awk '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / 100 }' /proc/stat; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# send PORT ASSOCIATIONS: storescu over 1 or N parallel associations (the corpus split in N).
send() {
  local port=$1 n=$2 i senders=()
  for ((i = 0; i < n; i++)); do
    local part=()
    for ((j = i; j < ${#corpus[@]}; j += n)); do part+=("${corpus[j]}"); done
    storescu -xs "${SEND_TLS[@]}" -aet MODALITY -aec RELAY 127.0.0.1 "$port" "${part[@]}" >/dev/null 2>&1 &
    senders+=($!)
  done
  for p in "${senders[@]}"; do wait "$p" || say "storescu $p failed"; done
}

# until RECEIVED_DIR has all files; prints seconds since START; samples proxy RSS at 500 / all.
wait_all() {
  local dir=$1 start=$2 pid=${3:-} seen500=""
  while :; do
    local n; n=$(count_files "$dir")
    if [ -n "$pid" ] && [ -z "$seen500" ] && [ "$n" -ge 500 ]; then seen500=$(rss_mb "$pid"); echo "$seen500" >"$dir.rss500"; fi
    [ "$n" -ge "$COUNT" ] && break
    if awk -v s="$start" -v n="$(now)" 'BEGIN { exit !(n - s > 900) }'; then say "timeout at $n/$COUNT in $dir"; break; fi
    sleep 0.05
  done
  [ -z "$pid" ] || rss_mb "$pid" >"$dir.rssall"
  awk -v s="$start" -v n="$(now)" 'BEGIN { printf "%.2f", n - s }'
}

sink() { # sink DIR PORT [TLS OPTIONS...]: the final receiver
  local dir=$1 port=$2; shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  storescp --fork +xa +uf "$@" -od "$dir" "$port" >/dev/null 2>&1 & pids+=($!); wait_port "$port"
}

# A CA and certificates for the TLS cases (RSA 2048, SHA-256), made once.
PKI="$WORK/pki"
make_pki() {
  [ -f "$PKI/sink.crt" ] && return 0
  mkdir -p "$PKI"
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 30 -subj "/CN=bench CA" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  for name in sender proxy sink; do
    openssl req -newkey rsa:2048 -sha256 -nodes -subj "/CN=$name" -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null
    openssl x509 -req -sha256 -days 30 -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -out "$PKI/$name.crt" 2>/dev/null
  done
}

declare -A SECONDS_OF CPU_OF
run_case() { # run_case NAME ASSOCIATIONS
  local name=$1 n=$2 out="$WORK/$1-$2" sinkport relay start t
  rm -rf "$out" && mkdir -p "$out"
  sinkport=$(free_port); relay=$(free_port); RSS500="-"; RSSALL="-"
  SEND_TLS=()
  if [[ $name == tls-* ]]; then
    make_pki
    SEND_TLS=(+tls "$PKI/sender.key" "$PKI/sender.crt" +cf "$PKI/ca.crt" +px)
    sink "$out/recv" "$sinkport" +tls "$PKI/sink.key" "$PKI/sink.crt" +cf "$PKI/ca.crt" +px
  else
    sink "$out/recv" "$sinkport"
  fi
  local relaypid=""
  case "$name" in
    direct | tls-direct) relay=$sinkport ;;
    tls-proxy)
      local plain; plain=$(free_port)
      cat >"$out/proxy.yaml" <<YAML
tls: { port: $relay, certificate: $PKI/proxy.crt, private_key: $PKI/proxy.key, trusted_cas: [$PKI/ca.crt], verify_peer: require }
destinations: [ { ae_title: SINK, host: 127.0.0.1, port: $sinkport, tls: true, trusted_cas: [$PKI/ca.crt] } ]
YAML
      "$BODYPART" proxy --port "$plain" --ae-title RELAY --config "$out/proxy.yaml" --spool "$out/spool" --forward-associations 2 \
        --audit "$out/audit.sqlite" --log-level notice 2>"$out/proxy.log" & relaypid=$!; pids+=($relaypid); wait_port "$relay" ;;
    proxy)
      "$BODYPART" proxy --port "$relay" --ae-title RELAY --destination "SINK@127.0.0.1:$sinkport" --spool "$out/spool" --forward-associations 2 \
        --audit "$out/audit.sqlite" --log-level notice 2>"$out/proxy.log" & relaypid=$!; pids+=($relaypid); wait_port "$relay" ;;
    console)
      # The proxy with its web console open, a browser-like poller reading the overview page and
      # /metrics every second (issue 13: within 5 % of the proxy without it).
      local http; http=$(free_port)
      cat >"$out/console.yaml" <<YAML
console: { listen: 127.0.0.1, port: $http, token_sha256: $(printf %s bench-token | sha256sum | cut -d' ' -f1) }
YAML
      "$BODYPART" proxy --port "$relay" --ae-title RELAY --destination "SINK@127.0.0.1:$sinkport" --spool "$out/spool" --forward-associations 2 \
        --audit "$out/audit.sqlite" --config "$out/console.yaml" --log-level notice 2>"$out/proxy.log" & relaypid=$!; pids+=($relaypid); wait_port "$relay"
      wait_port "$http"
      (while :; do
         curl -s -o /dev/null -H "Authorization: Bearer bench-token" "http://127.0.0.1:$http/" || true
         curl -s -o /dev/null "http://127.0.0.1:$http/metrics" || true
         sleep 1
       done) & pids+=($!) ;;
    routed)
      cat >"$out/routes.yaml" <<YAML
routes:
  - name: head
    bodyPart: HEADNECK
    destinations: [SINK]
    stop: true
  - name: chest-ct
    bodyPart: [CHEST, CHESTABDPELVIS]
    min_confidence: 0.9
    attributes: { Modality: { one_of: [CT] }, StationName: { regex: "^[A-Z0-9_ ]*$" } }
    destinations: [SINK]
  - name: default
    destinations: [SINK]
YAML
      "$BODYPART" proxy --port "$relay" --ae-title RELAY --destination "SINK@127.0.0.1:$sinkport" --spool "$out/spool" --forward-associations 2 \
        --audit "$out/audit.sqlite" --config "$out/routes.yaml" --log-level notice 2>"$out/proxy.log" & relaypid=$!; pids+=($relaypid); wait_port "$relay" ;;
    orthanc)
      local http; http=$(free_port)
      mkdir -p "$out/orthanc"
      cat >"$out/route.lua" <<LUA
function OnStoredInstance(instanceId, tags, metadata, origin)
  Delete(SendToModality(instanceId, 'sink'))
end
LUA
      cat >"$out/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$out/orthanc", "IndexDirectory": "$out/orthanc",
  "DicomAet": "RELAY", "DicomPort": $relay, "HttpPort": $http, "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomModalities": { "sink": [ "SINK", "127.0.0.1", $sinkport ] },
  "LuaScripts": [ "$out/route.lua" ], "StableAge": 1, "DicomAlwaysAllowStore": true, "Plugins": [] }
JSON
      Orthanc "$out/orthanc.json" >"$out/orthanc.log" 2>&1 & relaypid=$!; pids+=($relaypid); wait_port "$relay" ;;
    scripted)
      mkdir -p "$out/relay"
      storescp --fork +xa +uf --exec-sync -od "$out/relay" -xcr "dcmodify -nb -i '(0018,0015)=CHEST' '#p/#f' && storescu -xs 127.0.0.1 $sinkport '#p/#f'" \
        "$relay" >"$out/relay.log" 2>&1 & relaypid=$!; pids+=($relaypid); wait_port "$relay" ;;
  esac
  start=$(now); cpu0=$(busy_cpu)
  send "$relay" "$n"
  t=$(wait_all "$out/recv" "$start" "$relaypid")
  SECONDS_OF[$name-$n]=$t
  CPU_OF[$name-$n]=$(awk -v a="$cpu0" -v b="$(busy_cpu)" 'BEGIN { printf "%.2f", b - a }')
  RSS500=$(cat "$out/recv.rss500" 2>/dev/null || echo -); RSSALL=$(cat "$out/recv.rssall" 2>/dev/null || echo -)
  printf "%-9s %d assoc  %8.2f s  %7.1f obj/s  cpu %6.2f s (all processes)  rss@500 %s MB  rss@all %s MB\n" "$name" "$n" "$t" \
    "$(awk -v c="$COUNT" -v t="$t" 'BEGIN { print c / t }')" "${CPU_OF[$name-$n]}" "$RSS500" "$RSSALL"
  [ -z "$relaypid" ] || { kill "$relaypid" 2>/dev/null || true; wait "$relaypid" 2>/dev/null || true; }
  cleanup; pids=()
}

say "$COUNT objects, $(du -sh "$CORPUS" | cut -f1); dcmtk $(storescu --version | head -1 | awk '{print $3}'), $(Orthanc --version 2>/dev/null | head -1)"
CASES="${BENCH_CASES:-direct proxy routed orthanc scripted}"
ASSOCIATIONS="${BENCH_ASSOCIATIONS:-1 4}"
for n in $ASSOCIATIONS; do
  for name in $CASES; do run_case "$name" "$n"; done
done
echo
for n in $ASSOCIATIONS; do
  p=${SECONDS_OF[proxy-$n]:-}
  [ -n "$p" ] && [ -n "${SECONDS_OF[direct-$n]:-}" ] || continue
  awk -v d="${SECONDS_OF[direct-$n]}" -v p="$p" -v o="${SECONDS_OF[orthanc-$n]:-0}" -v s="${SECONDS_OF[scripted-$n]:-0}" -v n="$n" \
      -v td="${SECONDS_OF[tls-direct-$n]:-0}" -v tp="${SECONDS_OF[tls-proxy-$n]:-0}" 'BEGIN {
    printf "%d assoc: proxy/direct %.2fx (target >= %.1f)", n, d / p, (n == 1) ? 0.8 : 0.6
    if (tp > 0) printf "  TLS proxy/plain proxy %.2fx", p / tp
    if (td > 0 && tp > 0) printf "  TLS proxy/TLS direct %.2fx", td / tp
    if (o > 0) printf "  proxy vs orthanc %.1fx faster (>= 5)", o / p
    if (s > 0) printf "  proxy vs scripted %.1fx faster (>= 1.5)", s / p
    printf "\n" }'
  c=${SECONDS_OF[console-$n]:-}
  [ -z "$c" ] || awk -v p="$p" -v c="$c" -v n="$n" 'BEGIN {
    printf "%d assoc: the console polled every second costs %.1f %% of the proxy'"'"'s throughput (target < 5 %%)\n", n, 100 * (1 - p / c) }'
  r=${SECONDS_OF[routed-$n]:-}
  [ -z "$r" ] || awk -v p="$p" -v r="$r" -v d="${SECONDS_OF[direct-$n]}" -v n="$n" 'BEGIN {
    printf "%d assoc: routed/direct %.2fx; routing costs %.1f %% of the unrouted proxy'"'"'s throughput (target < 5 %%)\n", n, d / r, 100 * (1 - p / r) }'
done
# On a machine whose cores the direct run already keeps busy, the relay cannot beat
# direct CPU / (CPU with the relay): it receives and sends every object once more.
cores=$(nproc)
for n in $ASSOCIATIONS; do
  [ -n "${CPU_OF[proxy-$n]:-}" ] && [ -n "${CPU_OF[direct-$n]:-}" ] || continue
  awk -v dc="${CPU_OF[direct-$n]}" -v pc="${CPU_OF[proxy-$n]}" -v ds="${SECONDS_OF[direct-$n]}" -v k="$cores" -v n="$n" -v c="$COUNT" 'BEGIN {
    printf "%d assoc: CPU per object direct %.2f ms, with the proxy %.2f ms; direct used %.0f%% of %d cores; CPU-bound ceiling of proxy/direct %.2fx\n",
      n, 1000 * dc / c, 1000 * pc / c, 100 * dc / (ds * k), k, (dc / (ds * k) > 0.9) ? dc / pc : 1 }'
done
