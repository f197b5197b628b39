#!/usr/bin/env bash
# Take docs/screenshot.png: the app on the reference example, under Xvfb.
# Needs xvfb, imagemagick (import) and xdotool. Usage: scripts/screenshot.sh [theme: dark|light]
set -euo pipefail
cd "$(dirname "$0")/.."

THEME="${1:-dark}"
OUT="docs/screenshot.png"
DISPLAY_NUM=":99"
TARGET="${CARGO_TARGET_DIR:-target}"

cargo build --release -p edgewire
BIN="$TARGET/release/edgewire"

# A throwaway home so no saved settings or recovery file changes the picture.
SANDBOX="$(mktemp -d)"
export HOME="$SANDBOX" XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

Xvfb "$DISPLAY_NUM" -screen 0 1600x1000x24 -nolisten tcp &
XVFB_PID=$!
APP_PID=""
cleanup() {
    [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
    kill "$XVFB_PID" 2>/dev/null || true
    rm -rf "$SANDBOX"
}
trap cleanup EXIT
export DISPLAY="$DISPLAY_NUM"
unset WAYLAND_DISPLAY
sleep 1

EDGEWIRE_THEME="$THEME" "$BIN" &
APP_PID=$!

# Wait for the window, then make it fill the screen.
for _ in $(seq 1 60); do
    if WID="$(xdotool search --name 'Edgewire' 2>/dev/null | head -n1)" && [ -n "$WID" ]; then
        break
    fi
    sleep 0.5
done
if [ -z "${WID:-}" ]; then
    echo "the Edgewire window did not appear" >&2
    exit 1
fi
xdotool windowmove "$WID" 0 0 windowsize "$WID" 1600 1000
# The pointer starts mid-screen over a card, whose hover tooltip would be in the picture;
# park it over the empty part of the bottom panel.
xdotool mousemove 1000 900
sleep 4
mkdir -p docs
import -window root "$OUT"
echo "wrote $OUT"
