#!/usr/bin/env bash
# Local engine benchmark (loopback only, bounded): wrk against `edgewire serve` on the
# reference example and against a bare hyper hello-world server (the ceiling), then the
# engine's start time and peak memory.
#
#   bench/engine.sh            # 5 s per run, 2 threads, 32 connections
#   DURATION=10s bench/engine.sh
#
# Runs: (a) GET /products/1 with the API key: gateway -> products -> KV (a cache hit after
# the first request); (b) GET /users/1: gateway -> users -> D1; (c) GET /orders/1:
# gateway -> orders -> Hyperdrive (cache hits; needs PostgreSQL); (d) hello-world;
# (e) and (f) on bench/contract.ron: the same POST with the same JSON body to a route that
# checks it against a body schema (e) and to one without a contract (f); (e) / (f) is what
# the schema costs (target >= 0.90).
# The gateway's rate limit (100 requests per minute per client IP) is respected by giving
# each request one of 20,000 `cf-connecting-ip` values. Request logging is off
# (RUST_LOG=warn) so the terminal is not the bottleneck.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/edgewire/target}"
DURATION="${DURATION:-5s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK="${WRK:-wrk}"
command -v "$WRK" >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed (apt-get install curl)"; exit 1; }

echo "== building (release)"
cargo build --release --quiet -p edgewire --bin edgewire
cargo build --release --quiet -p edgewire-engine --example hello
BIN="$CARGO_TARGET_DIR/release/edgewire"
HELLO="$CARGO_TARGET_DIR/release/examples/hello"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT


now_ms() { date +%s%3N; }

# wrk_run NAME URL [extra wrk args...] -> prints one result line and records it.
declare -A RPS P50 P99 NON2XX
wrk_run() {
  local name="$1" url="$2"; shift 2
  local out="$WORK/wrk-$name.txt"
  "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$out"
  RPS[$name]="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  P50[$name]="$(awk '$1 == "50%" {print $2}' "$out")"
  P99[$name]="$(awk '$1 == "99%" {print $2}' "$out")"
  NON2XX[$name]="$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")"
  NON2XX[$name]="${NON2XX[$name]:-0}"
}

echo "== (d) bare hyper hello-world (measured again right before each engine run)"
"$HELLO" 0 > "$WORK/hello.out" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q http "$WORK/hello.out" 2>/dev/null && break; sleep 0.05; done
HELLO_URL="$(head -1 "$WORK/hello.out")"
# Same wrk script and headers as the engine runs, so both pay the same client-side cost.
# On a shared machine the load changes over time: each engine run X is paired with a
# hello-world run just before it, and X's ratio is computed against that pair.
hello_run() {
  wrk_run "d$1" "$HELLO_URL/" -H 'x-api-key: demo-key-123' -s bench/rotate.lua
}

STATE="$WORK/state"
# start_engine [serve flags...]: starts `edgewire serve`, sets SERVE_PID, URL and FIRST_MS
# (launch to the first 200 on GET /products/1).
start_engine() {
  local start_ms
  : > "$WORK/serve.out"
  start_ms="$(now_ms)"
  RUST_LOG=warn "$BIN" serve examples/global-api.ron --port 0 --state "$STATE" "$@" > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVE_PID=$!
  PIDS+=($SERVE_PID)
  URL=""
  for _ in $(seq 1 2000); do
    URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | head -1 || true)"
    if [ -n "$URL" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'x-api-key: demo-key-123' -H 'cf-connecting-ip: 192.0.2.2' "$URL/products/1")" = 200 ]; then
      break
    fi
    sleep 0.002
  done
  FIRST_MS=$(( $(now_ms) - start_ms ))
  [ -n "$URL" ] || { echo "the engine did not start"; cat "$WORK/serve.err"; exit 1; }
}
stop_engine() {
  kill -TERM "$SERVE_PID"
  for _ in $(seq 1 300); do kill -0 "$SERVE_PID" 2>/dev/null || return 0; sleep 0.1; done
  echo "the engine did not stop within 30 s"; exit 1
}

echo "== engine start (cold: new state, migrations, seeds, PostgreSQL initdb in the background)"
start_engine --fresh
COLD_MS="$FIRST_MS"

HYPERDRIVE=yes
for _ in $(seq 1 300); do
  code="$(curl -s -o /dev/null -w '%{http_code}' -H 'x-api-key: demo-key-123' -H 'cf-connecting-ip: 192.0.2.1' "$URL/orders/1")"
  [ "$code" = 200 ] && break
  if [ "$code" = 502 ]; then HYPERDRIVE=no; break; fi
  sleep 0.1
done

echo "== (a) gateway -> products -> KV"
hello_run a
wrk_run a "$URL/products/1" -H 'x-api-key: demo-key-123' -s bench/rotate.lua
echo "== (b) gateway -> users -> D1"
hello_run b
wrk_run b "$URL/users/1" -H 'x-api-key: demo-key-123' -s bench/rotate.lua
if [ "$HYPERDRIVE" = yes ]; then
  echo "== (c) gateway -> orders -> Hyperdrive (cache hits)"
  hello_run c
  wrk_run c "$URL/orders/1" -H 'x-api-key: demo-key-123' -s bench/rotate.lua
else
  echo "== (c) skipped: Hyperdrive is unavailable (is PostgreSQL installed?)"
fi
RSS_KB="$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVE_PID/status")"
stop_engine
echo "== engine start (warm: existing state)"
start_engine
WARM_MS="$FIRST_MS"
stop_engine

echo "== (e) and (f): a POST with a body schema and the same POST without one"
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"email": "ada@example.com", "name": "Ada Lovelace", "age": 36, "tags": ["math", "engines"]}'
wrk.headers["content-type"] = "application/json"
LUA
: > "$WORK/serve.out"
RUST_LOG=warn "$BIN" serve bench/contract.ron --port 0 --state "$WORK/contract-state" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVE_PID=$!
PIDS+=($SERVE_PID)
URL=""
for _ in $(seq 1 2000); do
  URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | head -1 || true)"
  [ -n "$URL" ] && break
  sleep 0.005
done
[ -n "$URL" ] || { echo "the engine did not start on bench/contract.ron"; cat "$WORK/serve.err"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' -d '{"email": 1}' "$URL/with")" = 400 ] \
  || { echo "the contract route does not check its body"; exit 1; }
# Alternate the two runs twice, so that a change in the machine's load hits both alike.
wrk_run f1 "$URL/without" -s "$WORK/post.lua"
wrk_run e1 "$URL/with" -s "$WORK/post.lua"
wrk_run e2 "$URL/with" -s "$WORK/post.lua"
wrk_run f2 "$URL/without" -s "$WORK/post.lua"
stop_engine
RPS[e]="$(awk -v a="${RPS[e1]}" -v b="${RPS[e2]}" 'BEGIN { printf "%.2f", (a + b) / 2 }')"
RPS[f]="$(awk -v a="${RPS[f1]}" -v b="${RPS[f2]}" 'BEGIN { printf "%.2f", (a + b) / 2 }')"
P50[e]="${P50[e2]}"; P99[e]="${P99[e2]}"; NON2XX[e]="${NON2XX[e2]}"
P50[f]="${P50[f2]}"; P99[f]="${P99[f2]}"; NON2XX[f]="${NON2XX[f2]}"

echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine skews the figures)"
printf '%-44s %12s %10s %10s %8s %9s\n' run requests/s p50 p99 non-2xx ratio
row() {
  local key="$1" label="$2" ceiling="${3:-}"
  [ -n "${RPS[$key]:-}" ] || { printf '%-44s %12s\n' "$label" skipped; return; }
  local ratio="1.00"
  if [ -n "$ceiling" ]; then
    ratio="$(awk -v a="${RPS[$key]}" -v d="${RPS[$ceiling]}" 'BEGIN { printf "%.2f", a / d }')"
  fi
  printf '%-44s %12s %10s %10s %8s %9s\n' "$label" "${RPS[$key]}" "${P50[$key]}" "${P99[$key]}" "${NON2XX[$key]}" "$ratio"
}
row da "(d) bare hyper hello-world, before (a)"
row a "(a) gateway -> products -> KV" da
row db "(d) bare hyper hello-world, before (b)"
row b "(b) gateway -> users -> D1" db
row dc "(d) bare hyper hello-world, before (c)"
row c "(c) gateway -> orders -> Hyperdrive cache" dc
row f "(f) POST without a contract (mean of 2)"
row e "(e) POST with a body schema (mean of 2)" f
echo
echo "engine start to first successful response: cold ${COLD_MS} ms, warm ${WARM_MS} ms (target < 120 ms; includes starting curl)"
echo "engine peak RSS under load (VmHWM): $(( RSS_KB / 1024 )) MB (target < 60 MB)"
awk -v a="${RPS[a]}" -v d="${RPS[da]}" 'BEGIN { r = a / d; printf "(a) / (d) = %.2f (target >= 0.50)\n", r }'
awk -v e="${RPS[e]}" -v f="${RPS[f]}" 'BEGIN { printf "(e) / (f) = %.2f: the body schema costs %.1f%% of the route'"'"'s throughput (target <= 10%%)\n", e / f, (1 - e / f) * 100 }'
