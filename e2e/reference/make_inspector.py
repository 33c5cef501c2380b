"""Writes inspector_expected.json, the outside reference of e2e/inspector.spec.ts:
what astropy, numpy and truth.json say about ../../../shared/sample-night/raw0020.fits
(pixel values, a row and a column, a 64-bin histogram from min to max, the
statistics of a box, a bright isolated star and its true FWHM), and a small
frame with a celestial WCS (wcs_tan.fits, written here) with RA/Dec of a
pixel by astropy.wcs.
Run with Debian's python: /usr/bin/python3 make_inspector.py
"""
import json, os
import numpy as np
from astropy.io import fits
from astropy.stats import mad_std
from astropy.wcs import WCS

here = os.path.dirname(os.path.abspath(__file__))
night = os.path.join(here, "..", "..", "..", "shared", "sample-night")
name = "raw0020.fits"
data = fits.getdata(os.path.join(night, name)).astype(np.float64)  # BZERO applied: uint16 values
h, w = data.shape
truth = json.load(open(os.path.join(night, "truth.json")))
sci = next(s for s in truth["science"] if s["file"] == name)
stars = np.load(os.path.join(night, "truth.npz"))["stars"]

out = {"file": name, "width": w, "height": h}
points = [(100, 120), (1, 1), (288, 256), (77, 30), (150, 200)]
out["pixels"] = [{"x": x, "y": y, "value": float(data[y - 1, x - 1])} for x, y in points]
out["row"] = {"y": 120, "values": data[119, :].tolist()}
out["column"] = {"x": 100, "values": data[:, 99].tolist()}
counts, edges = np.histogram(data, bins=64)
out["histogram_minmax_64"] = {"counts": counts.tolist(), "edges": edges.tolist()}
x1, x2, y1, y2 = 50, 100, 60, 120
box = data[y1 - 1:y2, x1 - 1:x2]
out["region"] = {"section": f"[{x1}:{x2},{y1}:{y2}]", "npix": int(box.size), "mean": float(box.mean()), "median": float(np.median(box)),
                 "std": float(box.std()), "robustSigma": float(mad_std(box)), "min": float(box.min()), "max": float(box.max()), "sum": float(box.sum())}

# A bright star alone (no other within 15 px), clear of the edges, the overscan and the dead column.
best = None
for x, y, f in stars:
    X, Y = x + sci["dx"], y + sci["dy"]
    if not (20 < X < 236 and 20 < Y < 236) or abs(X - truth["deadcol"]) < 12 or not (3e4 < f < 1.5e5):
        continue
    if np.sum(np.hypot(stars[:, 0] + sci["dx"] - X, stars[:, 1] + sci["dy"] - Y) < 15) > 1:
        continue
    if best is None or f > best[2]:
        best = (X, Y, f)
out["star"] = {"x": best[0] + 1, "y": best[1] + 1, "flux": best[2], "fwhm": sci["fwhm"]}

# A small frame with a rotated TAN WCS.
wcs_file = os.path.join(here, "wcs_tan.fits")
img = (np.arange(48 * 64).reshape(48, 64) % 500).astype(np.int16)
hdr = fits.Header()
hdr.update(CTYPE1="RA---TAN", CTYPE2="DEC--TAN", CRPIX1=32.5, CRPIX2=24.5, CRVAL1=132.8458, CRVAL2=11.8139,
           CD1_1=-1.2e-4, CD1_2=3.0e-5, CD2_1=3.0e-5, CD2_2=1.2e-4, RADESYS="ICRS", OBJECT="M67", IMAGETYP="Light Frame")
fits.PrimaryHDU(img, hdr).writeto(wcs_file, overwrite=True)
wcs = WCS(fits.getheader(wcs_file))
ra, dec = wcs.all_pix2world([[20, 30]], 1)[0]
out["wcs"] = {"file": "wcs_tan.fits", "x": 20, "y": 30, "ra": float(ra), "dec": float(dec), "value": int(img[29, 19])}

with open(os.path.join(here, "inspector_expected.json"), "w") as f:
    json.dump(out, f)
print(out["star"], out["region"]["median"], out["wcs"])
