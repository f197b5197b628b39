# Shared by the screenshot scripts, which source it: the build, a throwaway home, an Xvfb
# screen (1600x1000, or SCREEN_W x SCREEN_H) and the Edgewire window filling it. Needs xvfb
# and xdotool.
SCREEN_W="${SCREEN_W:-1600}"
SCREEN_H="${SCREEN_H:-1000}"

# build_edgewire debug|release: builds the app and sets BIN to it.
build_edgewire() {
    if [ "$1" = release ]; then cargo build --release -p edgewire; else cargo build -p edgewire; fi
    BIN="${CARGO_TARGET_DIR:-target}/$1/edgewire"
}

# start_screen DISPLAY: a throwaway home, so no saved settings or recovery file changes the
# picture, and an Xvfb screen; both go away on exit, with the app.
start_screen() {
    SANDBOX="$(mktemp -d)"
    export HOME="$SANDBOX" XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data" XDG_CACHE_HOME="$SANDBOX/cache"
    mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"

    Xvfb "$1" -screen 0 "${SCREEN_W}x${SCREEN_H}x24" -nolisten tcp &
    XVFB_PID=$!
    APP_PID=""
    trap cleanup EXIT
    export DISPLAY="$1"
    unset WAYLAND_DISPLAY
    sleep 1
}

cleanup() {
    [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
    kill "$XVFB_PID" 2>/dev/null || true
    rm -rf "$SANDBOX"
}

# start_edgewire dark|light [FILE]: starts the app (APP_PID) on the reference example or on
# FILE, waits for its window (WID) and makes it fill the screen.
start_edgewire() {
    EDGEWIRE_THEME="$1" "$BIN" ${2:+"$2"} &
    APP_PID=$!
    for _ in $(seq 1 60); do
        if WID="$(xdotool search --name 'Edgewire' 2>/dev/null | head -n1)" && [ -n "$WID" ]; then
            break
        fi
        sleep 0.5
    done
    [ -n "${WID:-}" ] || { echo "the Edgewire window did not appear" >&2; exit 1; }
    xdotool windowmove "$WID" 0 0 windowsize "$WID" "$SCREEN_W" "$SCREEN_H"
}

# start_engine_url: clicks the menu bar's Run button and waits for the engine's port; sets
# URL (exits when it does not start, with a picture of the screen in /tmp).
start_engine_url() {
    xdotool mousemove 189 13 click 1
    local port=""
    for _ in $(seq 1 60); do
        port="$(ss -ltnp 2>/dev/null | grep "pid=$APP_PID," | grep -o '127.0.0.1:[0-9]*' | head -n1 | cut -d: -f2 || true)"
        [ -n "$port" ] && break
        sleep 0.5
    done
    [ -n "$port" ] || { import -window root /tmp/engine-debug.png; echo "the engine did not start" >&2; exit 1; }
    URL="http://127.0.0.1:$port"
}

# stop_engine: the Run button again; waits until the engine (and its PostgreSQL) has stopped.
stop_engine() {
    xdotool mousemove 189 13 click 1
    for _ in $(seq 1 40); do
        ss -ltn 2>/dev/null | grep -q "${URL#http://} " || break
        sleep 0.5
    done
}
