#!/usr/bin/env python3
"""Make assets/map/land-110m.txt, the Simulation tab's world map, from Natural Earth.

Input: `land-110m.json` of the npm package `world-atlas` 2.0.2 (Natural Earth 4.1.0 land,
1:110m, as TopoJSON; ISC licence for the packaging, Natural Earth itself is public domain).
Get it with the ordinary npm client, then run this script once:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/make-world-map.py package/land-110m.json > assets/map/land-110m.txt

What it does: decodes the TopoJSON arcs (quantized, delta-encoded), joins them into the land
polygons' rings, drops Antarctica (south of 60 S, below the map's frame), rounds each point to
0.1 degree (about 11 km, under a pixel on the map) and drops repeated points. The output is
text: `#` comment lines, then one closed ring per line as `lon lat lon lat ...` in degrees.
Only the Python standard library is needed.
"""

import json
import sys


def decode_arcs(topology):
    """The arcs in degrees: undo the quantization's delta encoding and transform."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indices):
    """One ring from its arc indices (a negative index ~i is arc i reversed)."""
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their end point.
        points.extend(arc if not points else arc[1:])
    return points


def rings(topology):
    arcs = decode_arcs(topology)
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indices in polygon:
                yield ring(arcs, indices)


def rounded(points):
    out = []
    for lon, lat in points:
        point = (round(lon, 1), round(lat, 1))
        if not out or out[-1] != point:
            out.append(point)
    return out


def number(x):
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        topology = json.load(file)
    lines = []
    total = 0
    for points in rings(topology):
        if max(lat for _, lat in points) < -60.0:
            continue
        points = rounded(points)
        if len(points) < 4:
            continue
        total += len(points)
        lines.append(" ".join(f"{number(lon)} {number(lat)}" for lon, lat in points))
    print("# Land of the world: Natural Earth 4.1.0, 1:110m physical vectors (land), public domain")
    print("# (https://www.naturalearthdata.com/), as TopoJSON in the npm package world-atlas 2.0.2")
    print("# (ISC). Made by scripts/make-world-map.py: Antarctica dropped, points rounded to 0.1 deg.")
    print(f"# {len(lines)} rings, {total} points; one closed ring per line: lon lat lon lat ...")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
