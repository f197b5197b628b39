#!/usr/bin/env bash
# Validation speed before and after a change, in one run on this machine: builds the
# `validate` criterion bench of BASE (a git revision) and of the working tree, runs them in
# turn (base, head, base, head) and prints each benchmark's median and the head/base ratio.
# The "baseline: clone the 10k-node design" row measures the machine's load: its ratio
# should stay near 1.
# Usage: bench/compare-validate.sh BASE [MEASUREMENT_SECS]; HEAD_REV=REV compares BASE with
# that revision instead of the working tree.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:?usage: bench/compare-validate.sh BASE [MEASUREMENT_SECS]}"
SECS="${2:-5}"
CACHE="${EDGEWIRE_BENCH_CACHE:-$HOME/.cache/edgewire}"
WORK="$(mktemp -d)"
trap 'git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true; git worktree remove --force "$WORK/head" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git worktree add --detach "$WORK/base" "$BASE" >/dev/null
HEAD_TREE="$PWD"
if [ -n "${HEAD_REV:-}" ]; then
    git worktree add --detach "$WORK/head" "$HEAD_REV" >/dev/null
    HEAD_TREE="$WORK/head"
fi

# Separate build folders: the two trees have the same crates, which would overwrite each
# other's artifacts in one folder.
build() { (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench -p edgewire-engine --bench validate --no-run >/dev/null 2>&1); }
run() {
    (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench -p edgewire-engine --bench validate -- \
        --measurement-time "$SECS" --warm-up-time 1 --noplot 2>/dev/null)
}
echo "building $BASE and ${HEAD_REV:-the working tree}..."
build "$WORK/base" "$CACHE/target-bench-base"
build "$HEAD_TREE" "$CACHE/target-bench-head"
for round in 1 2; do
    run "$WORK/base" "$CACHE/target-bench-base" > "$WORK/base-$round.txt"
    run "$HEAD_TREE" "$CACHE/target-bench-head" > "$WORK/head-$round.txt"
done
python3 - "$WORK" "$BASE" <<'PY'
import collections, glob, os, re, sys
unit = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
rows = collections.defaultdict(lambda: {"base": [], "head": []})
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*-*.txt"))):
    side = os.path.basename(path).split("-")[0]
    name = None
    for line in open(path):
        m = re.match(r"^(\S.*?)\s*time:\s+\[\S+ \S+ (\S+) (\S+)", line)
        if m:
            label = m.group(1).strip() or name
            rows[label][side].append(float(m.group(2)) * unit[m.group(3)])
        elif line.strip() and not line.startswith((" ", "Benchmarking", "Found", "change", "Performance", "No change")):
            name = line.strip()
        m = re.match(r"^\s+time:\s+\[\S+ \S+ (\S+) (\S+)", line)
        if m and name:
            rows[name][side].append(float(m.group(1)) * unit[m.group(2)])
print(f"{'benchmark':42} {'base ms':>10} {'head ms':>10} {'head/base':>10}   (base = {sys.argv[2]}, best of 2 rounds)")
for name, sides in rows.items():
    if sides["base"] and sides["head"]:
        b, h = min(sides["base"]), min(sides["head"])
        print(f"{name:42} {b:10.3f} {h:10.3f} {h / b:10.2f}")
PY
