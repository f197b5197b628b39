#!/usr/bin/env bash
# Take docs/screenshot-fix.png: the Problems list with a Fix button on each fixable problem,
# on examples/d1-only.ron with a misspelt region, a misspelt D1 location hint and a Client
# wire that carries a binding name. Under Xvfb; needs xvfb, imagemagick (import) and xdotool.
# Usage: scripts/screenshot-fix.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

build_edgewire "${1:-debug}"
start_screen ":95"
DESIGN="$SANDBOX/tasks.ron"
sed -e 's/"eu-west": 0.5/"eu-wset": 0.5/' -e 's/location_hint: "weur"/location_hint: "wuer"/' \
    examples/d1-only.ron > "$DESIGN"
start_edgewire dark "$DESIGN"
sleep 3
xdotool mousemove 800 300
sleep 0.5
mkdir -p docs
import -window root docs/screenshot-fix.png
echo "wrote docs/screenshot-fix.png"
