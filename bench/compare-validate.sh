#!/usr/bin/env bash
# Validation speed before and after a change, in one run on this machine: builds the
# `validate` criterion bench of BASE (a git revision) and of the working tree, runs them in
# turn (base, head, base, head) and prints each benchmark's median and the head/base ratio.
# The "baseline: clone the 10k-node design" row measures the machine's load: its ratio
# should stay near 1.
# Usage: bench/compare-validate.sh BASE [MEASUREMENT_SECS]
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:?usage: bench/compare-validate.sh BASE [MEASUREMENT_SECS]}"
SECS="${2:-5}"
CACHE="${EDGEWIRE_BENCH_CACHE:-$HOME/.cache/edgewire}"
WORK="$(mktemp -d)"
trap 'git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git worktree add --detach "$WORK/base" "$BASE" >/dev/null

# Separate build folders: the two trees have the same crates, which would overwrite each
# other's artifacts in one folder.
build() { (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench -p edgewire-engine --bench validate --no-run >/dev/null 2>&1); }
run() {
    (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench -p edgewire-engine --bench validate -- \
        --measurement-time "$SECS" --warm-up-time 1 --noplot 2>/dev/null) |
        awk '/^[a-z].*/ && !/^(Benchmarking|Found|Performance|change|time:)/ {name=$0}
             /time:/ {gsub(/\[|\]/, ""); print name "\t" $4 " " $5}'
}
echo "building $BASE and the working tree..."
build "$WORK/base" "$CACHE/target-bench-base"
build "$PWD" "$CACHE/target-bench-head"
for round in 1 2; do
    run "$WORK/base" "$CACHE/target-bench-base" | sed "s/^/base\t/" >> "$WORK/results"
    run "$PWD" "$CACHE/target-bench-head" | sed "s/^/head\t/" >> "$WORK/results"
done
python3 - "$WORK/results" "$BASE" <<'PY'
import sys, collections
unit = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
rows = collections.defaultdict(lambda: {"base": [], "head": []})
for line in open(sys.argv[1]):
    side, name, value = line.rstrip("\n").split("\t")
    number, u = value.split()
    rows[name.strip()][side].append(float(number) * unit[u])
print(f"{'benchmark':42} {'base ms':>10} {'head ms':>10} {'head/base':>10}   (base = {sys.argv[2]}, best of 2 rounds)")
for name, sides in rows.items():
    if sides["base"] and sides["head"]:
        b, h = min(sides["base"]), min(sides["head"])
        print(f"{name:42} {b:10.3f} {h:10.3f} {h / b:10.2f}")
PY
