#!/usr/bin/env bash
# Take docs/screenshot.png: the app on the reference example, under Xvfb.
# Needs xvfb, imagemagick (import) and xdotool. Usage: scripts/screenshot.sh [theme: dark|light]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

THEME="${1:-dark}"
OUT="docs/screenshot.png"

build_edgewire release
start_screen ":99"
start_edgewire "$THEME"
# The pointer starts mid-screen over a card, whose hover tooltip would be in the picture;
# park it over the empty part of the bottom panel.
xdotool mousemove 1000 900
sleep 4
mkdir -p docs
import -window root "$OUT"
echo "wrote $OUT"
