#!/usr/bin/env bash
# Take docs/screenshot-run.png (the Run tab with traces) and docs/screenshot-simulation.png,
# under Xvfb. Needs xvfb, imagemagick (import), xdotool, curl and ss.
# Usage: scripts/screenshot-run.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

build_edgewire "${1:-debug}"
start_screen ":98"
start_edgewire dark
sleep 3

# Start the engine: the Run button of the menu bar.
start_engine_url
for path in /products /products/1 /products/2 /products/1 /users/me /products/999; do
    curl -s -o /dev/null -H 'x-api-key: demo-key-123' "$URL$path" || true
done
curl -s -o /dev/null "$URL/products" || true
sleep 1
# Select the second trace (GET /products/1) so the waterfall and the canvas highlight show.
xdotool mousemove "${TRACE_X:-1150}" "${TRACE_Y:-872}" click 1
sleep 0.3
# And one more request so a dot is on its way when the picture is taken.
curl -s -o /dev/null -H 'x-api-key: demo-key-123' "$URL/products/1" || true
sleep 0.25
mkdir -p docs
import -window root docs/screenshot-run.png
echo "wrote docs/screenshot-run.png"

# The Simulation tab.
xdotool mousemove "${SIM_X:-190}" "${SIM_Y:-684}" click 1
sleep 1.5
import -window root docs/screenshot-simulation.png
echo "wrote docs/screenshot-simulation.png"

# Stop the engine (its private PostgreSQL stops with it) before the app is killed.
stop_engine
sleep 2
