#!/usr/bin/env bash
# Time the proxy console's pages with a large audit (issue 13: < 200 ms per page at 100,000 rows).
#
#   Benchmarks/console/run.sh                 # debug build (what `swift build` made), 100,000 decisions
#   BUILD=release ROWS=100000 RUNS=20 Benchmarks/console/run.sh
#
# Fills a new audit through AuditStore (bodypart-bench audit-fill: N decisions, N changes, N/100
# errors, N/1000 open reviews), starts storescp and `bodypart proxy` on it with the console on
# loopback, then fetches each page RUNS times with curl (basic auth) and prints the median and
# the slowest time_total. Everything runs on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-debug}
ROWS=${ROWS:-100000}
RUNS=${RUNS:-15}
WORK=${WORK:-/tmp/bodypart-console-bench}
export TCP_NODELAY=1

swift build -c "$BUILD" --product bodypart >/dev/null
swift build -c "$BUILD" --product bodypart-bench >/dev/null
BIN=$(swift build -c "$BUILD" --show-bin-path)

rm -rf "$WORK" && mkdir -p "$WORK/recv"
"$BIN/bodypart-bench" audit-fill --audit "$WORK/audit.sqlite" --decisions "$ROWS"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SCP_PORT=$(free_port); PROXY_PORT=$(free_port); CONSOLE_PORT=$(free_port)
HASH=$(printf %s bench | sha256sum | cut -d' ' -f1)
cat > "$WORK/proxy.yaml" <<YAML
console:
  listen: 127.0.0.1
  port: $CONSOLE_PORT
  users:
    - { name: bench, password_sha256: $HASH }
YAML
storescp -od "$WORK/recv" "$SCP_PORT" >"$WORK/scp.log" 2>&1 & SCP=$!
"$BIN/bodypart" proxy --port "$PROXY_PORT" --destination "STORESCP@127.0.0.1:$SCP_PORT" --spool "$WORK/spool" \
    --audit "$WORK/audit.sqlite" --config "$WORK/proxy.yaml" >"$WORK/proxy.log" 2>&1 & PROXY=$!
trap 'kill $PROXY $SCP 2>/dev/null; wait $PROXY $SCP 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$CONSOLE_PORT/healthz" >/dev/null && break; sleep 0.2; done

MID=$((ROWS / 2))
echo
echo "## Console pages, $ROWS decisions ($BUILD build, $(nproc) cores, median and max of $RUNS fetches)"
echo
echo "| page | bytes | median ms | max ms |"
echo "| --- | ---: | ---: | ---: |"
for page in "/" "/queues" "/series" "/series?bodypart=KNEE" "/series?decision=FLAGGED&offset=5000" \
            "/series?study=1.2.826.0.1.3680043.10.998.$((MID / 4))" "/series/1.2.826.0.1.3680043.10.999.$MID" "/reviews"; do
    times=()
    for _ in $(seq "$RUNS"); do
        times+=("$(curl -s -o "$WORK/page.html" -w '%{time_total}' -u bench:bench "http://127.0.0.1:$CONSOLE_PORT$page")")
    done
    bytes=$(wc -c <"$WORK/page.html")
    printf '%s\n' "${times[@]}" | sort -n | awk -v page="$page" -v bytes="$bytes" \
        '{ t[NR] = $1 * 1000 } END { printf "| `%s` | %d | %.1f | %.1f |\n", page, bytes, t[int((NR + 1) / 2)], t[NR] }'
done
