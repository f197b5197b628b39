#!/usr/bin/env bash
# Take docs/screenshot-map.png: the Simulation tab of the reference example, its bottom panel
# expanded (⬆), showing the world map and the charts, under Xvfb (1600x1000). Needs xvfb,
# imagemagick (import) and xdotool.
# Usage: scripts/screenshot-map.sh [debug|release]
# SIM_X/SIM_Y: where the Simulation tab is; EXPAND_X: the panel's ⬆ button on that row.
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
# ⬆ at the right end of the tab row: the panel takes most of the window.
xdotool mousemove "${EXPAND_X:-1586}" "${SIM_Y:-727}" click 1
sleep 1
# Away from everything, so no tooltip shows.
xdotool mousemove 1590 20
sleep 2
mkdir -p docs
import -window root docs/screenshot-map.png
echo "wrote docs/screenshot-map.png"
