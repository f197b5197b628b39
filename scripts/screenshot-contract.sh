#!/usr/bin/env bash
# Take docs/screenshot-contract.png: the route inspector's contract editor (PUT /users/:id of
# the reference example: a typed :id and a body schema as a table of fields), under Xvfb.
# Needs xvfb, imagemagick (import) and xdotool. Usage: scripts/screenshot-contract.sh [debug|release]
# The clicks are at fixed positions of a 1600x1000 window; USERS_X/Y and ROUTE_X/Y move them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

build_edgewire "${1:-debug}"
start_screen ":96"
start_edgewire dark
sleep 3

# The `users` link under Contents on the Design page, then its PUT /users/:id route.
xdotool mousemove "${USERS_X:-1503}" "${USERS_Y:-395}" click 1
sleep 1
xdotool mousemove "${ROUTE_X:-1371}" "${ROUTE_Y:-248}" click 1
sleep 1
xdotool mousemove 800 900
sleep 0.5
mkdir -p docs
import -window root docs/screenshot-contract.png
echo "wrote docs/screenshot-contract.png"
