"""Fixture for cosmic.test.ts: a seeded 256x256 frame with stars and cosmic rays,
and what astroscrappy (L.A.Cosmic in C) flags on it.

Run with Debian's python: /usr/bin/python3 make_part2.py
Writes cosmic_frame.bin (float32 little-endian, row-major, 256x256) and
cosmic_ref.json (truth CR pixels, star positions, astroscrappy mask indices).
"""
import json
import os

import numpy as np
import astroscrappy

HERE = os.path.dirname(os.path.abspath(__file__))
W = H = 256
SKY = 200.0
GAIN = 1.0
RN = 6.5

rng = np.random.default_rng(20261121)
yy, xx = np.mgrid[0:H, 0:W]
model = np.full((H, W), SKY)

# Stars: FWHM ~3 px, well inside the frame, not overlapping each other.
sigma = 3.0 / 2.3548
stars = []
while len(stars) < 30:
    x = rng.uniform(12, W - 12)
    y = rng.uniform(12, H - 12)
    if any((x - s["x"]) ** 2 + (y - s["y"]) ** 2 < 15 ** 2 for s in stars):
        continue
    peak = float(10 ** rng.uniform(2.5, 4.3))
    stars.append({"x": x, "y": y, "peak": peak})
    model += peak * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma ** 2))

data = rng.poisson(model * GAIN) / GAIN + rng.normal(0, RN / GAIN, (H, W))

# Cosmic rays: 1-4 sharp pixels each, away from stars, not touching each other.
cr_pixels = set()
hits = 0
while hits < 50:
    x = int(rng.integers(3, W - 7))
    y = int(rng.integers(3, H - 7))
    if any((x - s["x"]) ** 2 + (y - s["y"]) ** 2 < 8 ** 2 for s in stars):
        continue
    n = int(rng.integers(1, 5))
    px = [(x, y)]
    while len(px) < n:
        dx, dy = [(1, 0), (0, 1), (1, 1), (-1, 1)][int(rng.integers(0, 4))]
        lx, ly = px[-1]
        px.append((lx + dx, ly + dy))
    near = any(abs(a - c) <= 2 and abs(b - d) <= 2 for (a, b) in px for (c, d) in cr_pixels)
    if near:
        continue
    for (a, b) in px:
        data[b, a] += rng.uniform(300, 5000)
        cr_pixels.add((a, b))
    hits += 1

data = data.astype(np.float32)
data.tofile(os.path.join(HERE, "cosmic_frame.bin"))

# Full (non-separable) medians and a masked median clean: the variant cosmic.ts implements.
mask_full, _ = astroscrappy.detect_cosmics(data, sigclip=4.5, sigfrac=0.3, objlim=5.0, gain=GAIN,
                                           readnoise=RN, satlevel=65536.0, niter=4,
                                           sepmed=False, cleantype="medmask")
mask_sep, _ = astroscrappy.detect_cosmics(data, gain=GAIN, readnoise=RN)

truth = sorted(int(b) * W + int(a) for (a, b) in cr_pixels)
out = {
    "width": W,
    "height": H,
    "gain": GAIN,
    "readnoise": RN,
    "sky": SKY,
    "stars": [{"x": round(s["x"], 4), "y": round(s["y"], 4), "peak": round(s["peak"], 2)} for s in stars],
    "truthCr": truth,
    "astroscrappyFull": [int(i) for i in np.flatnonzero(mask_full)],
    "astroscrappyDefault": [int(i) for i in np.flatnonzero(mask_sep)],
}
with open(os.path.join(HERE, "cosmic_ref.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("truth", len(truth), "full", int(mask_full.sum()), "sep", int(mask_sep.sum()),
      "truth found full", len(set(truth) & set(out["astroscrappyFull"])))
