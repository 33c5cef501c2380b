"""Writes ../colormapTables.ts: matplotlib's perceptually uniform colormaps
(viridis, inferno, magma, plasma; 256 entries, the BIDS tables) as hex
strings, so the page carries them without matplotlib.

Run with Debian's python: /usr/bin/python3 make_colormaps.py
"""
import os
import matplotlib

NAMES = ["viridis", "inferno", "magma", "plasma"]
here = os.path.dirname(os.path.abspath(__file__))
lines = [
    "/**",
    " * matplotlib's perceptually uniform colormaps, 256 RGB entries each as hex",
    " * (written by reference/make_colormaps.py from matplotlib "
    + matplotlib.__version__ + "; do not edit).",
    " */",
    "export const TABLES: Record<string, string> = {",
]
for name in NAMES:
    cmap = matplotlib.colormaps[name]
    hexes = "".join("%02x%02x%02x" % tuple(int(round(c * 255)) for c in cmap(i / 255)[:3]) for i in range(256))
    lines.append("  %s:" % name)
    for k in range(0, len(hexes), 96):
        sep = " +" if k + 96 < len(hexes) else ","
        lines.append("    '%s'%s" % (hexes[k:k + 96], sep))
lines.append("};")
with open(os.path.join(here, "..", "colormapTables.ts"), "w") as f:
    f.write("\n".join(lines) + "\n")
