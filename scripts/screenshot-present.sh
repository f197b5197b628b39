#!/usr/bin/env bash
# Take docs/screenshot-present.png (presentation mode replaying a request from ap-southeast,
# hop by hop) and docs/screenshot-faults.png (the Run tab with a database down), under
# Xvfb. Needs xvfb, imagemagick (import), xdotool, curl and ss.
# Usage: scripts/screenshot-present.sh [debug|release] [HOP]  (HOP: how many steps, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

build_edgewire "${1:-debug}"
STEPS="${2:-5}"
start_screen ":94"
start_edgewire dark
sleep 3

# Run tab > Clients in: ap-southeast (the list scrolls to it).
xdotool mousemove 124 727 click 1
sleep 1
xdotool mousemove 1250 768 click 1
sleep 1
xdotool mousemove 1255 900
for _ in 1 2 3 4 5 6; do xdotool click 5; sleep 0.2; done
sleep 0.5
xdotool mousemove 1255 888 click 1
sleep 0.5

start_engine_url
curl -s -o /dev/null -H 'x-api-key: demo-key-123' "$URL/products/2"
sleep 1

# Present (F11) and step through the newest request.
xdotool mousemove 880 560 click 1
xdotool windowfocus --sync "$WID"
sleep 0.3
xdotool key F11
sleep 1.5
for _ in $(seq 1 "$STEPS"); do
    xdotool key space
    sleep 0.4
done
sleep 1
mkdir -p docs
import -window root docs/screenshot-present.png
echo "wrote docs/screenshot-present.png"
xdotool key Escape
sleep 1

# A database down: Faults ▾ > app-db: down, then a request that reads it.
xdotool mousemove 1540 768 click 1
sleep 1
xdotool mousemove 1511 503 click 1
sleep 0.5
xdotool mousemove 880 600 click 1
sleep 0.5
curl -s -o /dev/null -H 'x-api-key: demo-key-123' "$URL/users/1" || true
sleep 1
# Select it (the second trace) so the waterfall shows the failed hop in red.
xdotool mousemove 1200 852 click 1
sleep 1
import -window root docs/screenshot-faults.png
echo "wrote docs/screenshot-faults.png"

# Stop the engine before the app is killed.
stop_engine
