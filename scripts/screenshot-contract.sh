#!/usr/bin/env bash
# Take docs/screenshot-contract.png: the route inspector's contract editor (PUT /users/:id of
# the reference example: a typed :id and a body schema as a table of fields), under Xvfb.
# Needs xvfb, imagemagick (import) and xdotool. Usage: scripts/screenshot-contract.sh [debug|release]
# The clicks are at fixed positions of a 1600x1000 window; USERS_X/Y and ROUTE_X/Y move them.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE="${1:-debug}"
DISPLAY_NUM=":96"
TARGET="${CARGO_TARGET_DIR:-target}"

if [ "$PROFILE" = release ]; then cargo build --release -p edgewire; else cargo build -p edgewire; fi
BIN="$TARGET/$PROFILE/edgewire"

SANDBOX="$(mktemp -d)"
export HOME="$SANDBOX" XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data" XDG_CACHE_HOME="$SANDBOX/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"

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

EDGEWIRE_THEME=dark "$BIN" &
APP_PID=$!
for _ in $(seq 1 60); do
    if WID="$(xdotool search --name 'Edgewire' 2>/dev/null | head -n1)" && [ -n "$WID" ]; then
        break
    fi
    sleep 0.5
done
[ -n "${WID:-}" ] || { echo "the Edgewire window did not appear" >&2; exit 1; }
xdotool windowmove "$WID" 0 0 windowsize "$WID" 1600 1000
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
