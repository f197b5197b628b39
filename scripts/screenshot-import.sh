#!/usr/bin/env bash
# Take docs/screenshot-import.png: a Workers monorepo (tests/fixtures/wrangler/monorepo)
# imported with `edgewire import wrangler` and opened in the app, under Xvfb, with the users
# Worker selected so the inspector shows its code and its typical request.
# Needs xvfb, imagemagick (import) and xdotool. Usage: scripts/screenshot-import.sh [dark|light] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/screenshot-lib.sh

THEME="${1:-dark}"
OUT="docs/screenshot-import.png"

build_edgewire "${2:-release}"
PROJECT="$(mktemp -d)/my-monorepo"
cp -r tests/fixtures/wrangler/monorepo "$PROJECT"
"$BIN" import wrangler "$PROJECT" --out "$PROJECT/edgewire.ron"
start_screen ":98"
start_edgewire "$THEME" "$PROJECT/edgewire.ron"
sleep 3
# Select the users Worker: its card is where USERS_CARD says (x y on the 1600x1000 screen).
read -r X Y <<< "${USERS_CARD:-770 390}"
if [ "$X" != 0 ]; then
    xdotool mousemove "$X" "$Y" click 1
fi
xdotool mousemove 1000 960
sleep 2
mkdir -p docs
import -window root "$OUT"
rm -rf "$(dirname "$PROJECT")"
echo "wrote $OUT"
