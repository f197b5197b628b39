#!/usr/bin/env bash
# Soak: the reference design (its rate limit raised) under 1,000 connections for a bounded
# time, loopback only; the engine's resident memory (RSS) is sampled every 5 s, then for 10 s
# of idle. Prints the samples and exits non-zero when a request failed or when RSS keeps
# growing after warm-up.
#
#   bench/soak.sh                         # 60 s, 1,000 connections, 2 threads
#   DURATION=120 CONNECTIONS=500 bench/soak.sh
#
# The rule: the first 15 s warm up (connection buffers, the KV cache, the rate limiter's
# counters, the trace ring and latency windows fill up to their bounds). After that the
# largest sample of the second half of the load may exceed the largest of the first half by
# at most 10%: everything the engine keeps per request or per client is bounded, so memory
# plateaus; steady growth past that means something accumulates. Requests use 20,000
# `cf-connecting-ip` values (the rate limiter's per-caller counters get exercised) against
# the KV route (/products/1) and the D1 route (/users/1).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/edgewire/target}"
DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-1000}"
THREADS="${THREADS:-2}"
PROFILE="${PROFILE:-release}"
WRK="${WRK:-wrk}"
command -v "$WRK" >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

if [ "$PROFILE" = release ]; then cargo build --release --quiet -p edgewire --bin edgewire;
else cargo build --quiet -p edgewire --bin edgewire; fi
BIN="$CARGO_TARGET_DIR/$PROFILE/edgewire"

WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 100); do [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# The reference design with a rate limit no soak reaches.
sed 's/requests: 100,/requests: 1000000000,/' examples/global-api.ron > "$WORK/global-api.ron"
cp examples/global-api.dev.vars "$WORK/global-api.dev.vars"

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
PORT=$(( 20000 + RANDOM % 20000 ))
RUST_LOG=warn "$BIN" serve "$WORK/global-api.ron" --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/products" 2>/dev/null && break
  sleep 0.1
done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$SERVER/status"; }
echo "engine pid $SERVER on 127.0.0.1:$PORT; RSS at start: $(rss) MB"
echo "load: $CONNECTIONS connections, $THREADS threads, ${DURATION} s"

PATHS=/products/1,/users/1 API_KEY=demo-key-123 \
  "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s bench/rotate.lua \
  "http://127.0.0.1:$PORT" > "$WORK/wrk.txt" 2>&1 &
LOAD=$!
SAMPLES=()
elapsed=0
while kill -0 "$LOAD" 2>/dev/null; do
  sleep 5
  elapsed=$(( elapsed + 5 ))
  kill -0 "$LOAD" 2>/dev/null || break
  sample=$(rss)
  SAMPLES+=("$elapsed:$sample")
  echo "  ${elapsed}s  RSS ${sample} MB"
done
wait "$LOAD" || true
sleep 10
IDLE=$(rss)
echo "  idle 10 s after the load: RSS ${IDLE} MB"
cat "$WORK/wrk.txt"

status=0
if grep -qE "Non-2xx|Socket errors" "$WORK/wrk.txt"; then
  echo "FAIL: some requests failed (see above)"
  status=1
fi
python3 - "$DURATION" "${SAMPLES[@]}" <<'PY' || status=1
import sys
duration = int(sys.argv[1])
samples = [tuple(map(int, s.split(":"))) for s in sys.argv[2:]]
after = [(t, mb) for t, mb in samples if t > 15]
if len(after) < 4:
    print("too few samples after the 15 s warm-up to judge growth (run longer)")
    sys.exit(0)
half = len(after) // 2
first, second = max(mb for _, mb in after[:half]), max(mb for _, mb in after[half:])
growth = (second - first) / first
print(f"RSS after warm-up: first half peak {first} MB, second half peak {second} MB ({growth:+.1%})")
if growth > 0.10:
    print("FAIL: RSS keeps growing after warm-up (more than 10% between the two halves)")
    sys.exit(1)
print("ok: RSS plateaus after warm-up")
PY
exit "$status"
