#!/usr/bin/env bash
# What a presenter shows: `GET /products/1` of the reference example from clients in
# ap-southeast, measured on two engines started side by side (`serve --from ap-southeast`,
# `--layout global` and `--layout single-region:us-east`), next to the simulator's p50 for
# the same request ("get product again (cache)") in both layouts. Prints a table.
# Usage: bench/emulation.sh [REQUESTS (default 101)] [debug|release (default debug)]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-101}"
PROFILE="${2:-debug}"
if [ "$PROFILE" = release ]; then cargo build -q --release -p edgewire; else cargo build -q -p edgewire; fi
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/edgewire"
DESIGN=examples/global-api.ron
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# start NAME LAYOUT: an engine on a free port; sets URL_<NAME>.
start() {
    "$BIN" serve "$DESIGN" --port 0 --state "$WORK/$1" --fresh --from ap-southeast --layout "$2" \
        > "$WORK/$1.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 1 120); do
        url="$(grep -o 'is running on http://127.0.0.1:[0-9]*' "$WORK/$1.log" | head -n1 | cut -d' ' -f4 || true)"
        [ -n "$url" ] && { printf -v "URL_$1" '%s' "$url"; return; }
        sleep 0.25
    done
    cat "$WORK/$1.log" >&2
    echo "the $1 engine did not start" >&2
    exit 1
}
start global global
start single single-region:us-east
# Wait for the engines' stores (the private PostgreSQL) before measuring.
for url in "$URL_global" "$URL_single"; do
    for _ in $(seq 1 120); do
        code="$(curl -s -o /dev/null -w '%{http_code}' -H 'x-api-key: demo-key-123' "$url/products/1" || true)"
        [ "$code" = 200 ] && break
        sleep 0.25
    done
done

measure() {
    for _ in $(seq 1 "$N"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H 'x-api-key: demo-key-123' "$1/products/1"
    done
}
# Interleaved in rounds of ten, so machine load falls on both alike.
: > "$WORK/global.times"
: > "$WORK/single.times"
left="$N"
while [ "$left" -gt 0 ]; do
    n=$(( left < 10 ? left : 10 ))
    N="$n" measure "$URL_global" >> "$WORK/global.times"
    N="$n" measure "$URL_single" >> "$WORK/single.times"
    left=$(( left - n ))
done

"$BIN" simulate "$DESIGN" --format json > "$WORK/sim.json"
python3 - "$WORK" <<'PY'
import json, statistics, sys
work = sys.argv[1]
report = json.load(open(f"{work}/sim.json"))
request = next(r for r in report["requests"] if r["name"] == "get product again (cache)")
region = next(r for r in request["regions"] if r["region"] == "ap-southeast")
print("GET /products/1 from ap-southeast")
print(f"{'layout':<26}{'measured median':>17}{'simulator p50':>15}{'ratio':>8}")
for name, label, key in [("global", "global", "global"),
                         ("single", "single region (us-east)", "single_region")]:
    times = [float(t) * 1000 for t in open(f"{work}/{name}.times") if t.strip()]
    median = statistics.median(times)
    p50 = region[key]["p50_ms"]
    print(f"{label:<26}{median:>14.1f} ms{p50:>12.1f} ms{median / p50:>8.2f}")
print(f"({len(times)} requests each, curl's total time; the difference is the engine's own work)")
PY
