#!/usr/bin/env bash
# Take docs/screenshot-map.png: the Simulation tab of the reference example, its bottom panel
# dragged taller, showing the world map and the charts, under Xvfb (1600x1000). Needs xvfb,
# imagemagick (import) and xdotool.
# Usage: scripts/screenshot-map.sh [debug|release]
# SIM_X/SIM_Y: where the Simulation tab is; EDGE_Y: the bottom panel's top edge; TOP_Y: where
# to drag it (the panel stops at its largest size).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

build_edgewire "${1:-debug}"
start_screen ":96"
start_edgewire dark
sleep 3

# The Simulation tab.
xdotool mousemove "${SIM_X:-190}" "${SIM_Y:-727}" click 1
sleep 1
# Drag the bottom panel's top edge up, in small steps (the app runs on a software renderer).
EDGE_Y="${EDGE_Y:-715}"
xdotool mousemove 800 "$EDGE_Y" sleep 0.5 mousedown 1 sleep 0.3
for y in $(seq $((EDGE_Y - 20)) -20 "${TOP_Y:-330}"); do
    xdotool mousemove 800 "$y" sleep 0.05
done
sleep 0.5
xdotool mouseup 1
# Away from everything, so no tooltip shows.
xdotool mousemove 1590 20
sleep 2
mkdir -p docs
import -window root docs/screenshot-map.png
echo "wrote docs/screenshot-map.png"
