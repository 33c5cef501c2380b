"""Reference answers for the part-1 kernels (stats, histogram, zscale,
overscan, flat/bias arithmetic), computed with numpy / astropy / ccdproc.

Run with Debian's python:  /usr/bin/python3 make_part1.py
Writes part1.json next to this file. Every input array is stored as float32
values (exactly representable in a JS Float32Array); NaN is written as null.
The reference numbers are computed on those float32 values promoted to float64
so that numpy's own float32 accumulation does not blur the comparison.
"""
import json
import os
import warnings

import numpy as np
from astropy.stats import sigma_clipped_stats, mad_std
from astropy.visualization import ZScaleInterval
from astropy.modeling import models
from astropy.nddata import CCDData, StdDevUncertainty
import ccdproc

warnings.simplefilter("ignore")


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def tolist(a):
    return [None if not np.isfinite(v) else float(v) for v in np.ravel(a)]


def num(v):
    v = float(v)
    return None if not np.isfinite(v) else v


rng = np.random.default_rng(20260121)

arrays = {}
arrays["normal500"] = f32(rng.normal(100.0, 5.0, 500))
stars = rng.normal(1000.0, 12.0, 480)
stars[rng.choice(480, 25, replace=False)] += rng.uniform(200, 5000, 25)
arrays["stars480"] = f32(stars)
withnan = rng.normal(-3.0, 2.0, 300)
withnan[rng.choice(300, 17, replace=False)] = np.nan
withnan[:3] = [40.0, -30.0, 25.0]
arrays["withnan300"] = f32(withnan)
arrays["constant100"] = f32(np.full(100, 7.25))
arrays["skewed600"] = f32(rng.gamma(2.0, 30.0, 600))
arrays["ramp101"] = f32(np.arange(101) * 0.5 - 10)

SIGMA_CASES = [
    {"sigma": 3.0, "maxiters": 5},
    {"sigma": 2.5, "maxiters": None},
    {"sigma_lower": 2.0, "sigma_upper": 4.0, "maxiters": 10},
    {"sigma": 1.5, "maxiters": 1},
]
PCTS = [0, 1, 2.5, 25, 33.3, 50, 75, 97.5, 99, 100]

stats = {}
for name, a in arrays.items():
    good = a[np.isfinite(a)]
    entry = {
        "data": tolist(a),
        "mean": num(np.mean(good)),
        "median": num(np.median(good)),
        "std": num(np.std(good)),
        "min": num(good.min()),
        "max": num(good.max()),
        "mad": num(np.median(np.abs(good - np.median(good)))),
        "mad_std": num(mad_std(good)),
        "percentiles": {"q": PCTS, "values": [num(v) for v in np.percentile(good, PCTS)]},
        "sigma_clipped": [],
    }
    for case in SIGMA_CASES:
        kw = dict(case)
        mean, med, std = sigma_clipped_stats(a, **kw)
        entry["sigma_clipped"].append({"args": case, "mean": num(mean), "median": num(med), "std": num(std)})
    counts, edges = np.histogram(good, bins=20, range=(good.min(), good.max()))
    entry["histogram20"] = {"counts": counts.tolist(), "edges": [float(e) for e in edges]}
    counts, edges = np.histogram(good, bins=7, range=(float(np.median(good)) - 3, float(np.median(good)) + 3))
    entry["histogram7_centered"] = {
        "range": [float(edges[0]), float(edges[-1])],
        "counts": counts.tolist(),
    }
    z = ZScaleInterval(n_samples=600).get_limits(a)
    entry["zscale600"] = [float(z[0]), float(z[1])]
    stats[name] = entry

# Masked sigma clipping: mask every 7th value plus the stars' outliers.
a = arrays["stars480"]
mask = np.zeros(a.size, bool)
mask[::7] = True
mean, med, std = sigma_clipped_stats(a, mask=mask, sigma=3.0, maxiters=5)
masked = {"name": "stars480", "mask_every": 7, "mean": num(mean), "median": num(med), "std": num(std),
          "median_plain": num(np.median(a[~mask])), "mean_plain": num(np.mean(a[~mask]))}

# zscale on a 2-D 20x25 image with a star and a NaN (500 pixels: every pixel is the sample).
img = rng.normal(300.0, 8.0, (20, 25))
yy, xx = np.mgrid[0:20, 0:25]
img += 4000.0 * np.exp(-((xx - 12.3) ** 2 + (yy - 9.6) ** 2) / (2 * 1.4 ** 2))
img[3, 4] = np.nan
img = f32(img)
zimg = ZScaleInterval(n_samples=600).get_limits(img)
zscale2d = {"width": 25, "height": 20, "data": tolist(img), "limits": [float(zimg[0]), float(zimg[1])]}

# Overscan: 64 rows x 24 columns; columns 17..24 (1-based) are the overscan strip.
ny, nx = 64, 24
rows = np.arange(ny)
level = 500.0 + 12.0 * np.sin(rows / 17.0) + 0.05 * rows
raw = np.empty((ny, nx))
raw[:, :16] = rng.normal(1500.0, 20.0, (ny, 16)) + level[:, None]
raw[:, 16:] = rng.normal(0.0, 3.0, (ny, 8)) + level[:, None]
raw = f32(raw)
ccd = CCDData(raw, unit="adu")
oscan = {"width": nx, "height": ny, "biassec": "[17:24,1:64]", "data": tolist(raw)}
res = ccdproc.subtract_overscan(ccd, fits_section="[17:24, :]", median=True, overscan_axis=1)
oscan["median_levels"] = tolist(raw[:, 0] - res.data[:, 0])
res = ccdproc.subtract_overscan(ccd, fits_section="[17:24, :]", median=False, overscan_axis=1)
oscan["mean_levels"] = tolist(raw[:, 0] - res.data[:, 0])
res = ccdproc.subtract_overscan(ccd, fits_section="[17:24, :]", median=True, overscan_axis=1,
                                model=models.Chebyshev1D(6))
oscan["cheb6_median_levels"] = tolist(raw[:, 0] - res.data[:, 0])
res = ccdproc.subtract_overscan(ccd, fits_section="[17:24, :]", median=False, overscan_axis=1,
                                model=models.Polynomial1D(3))
oscan["poly3_mean_levels"] = tolist(raw[:, 0] - res.data[:, 0])
oscan["corrected_cheb6_row10"] = tolist(ccdproc.subtract_overscan(
    ccd, fits_section="[17:24, :]", median=True, overscan_axis=1, model=models.Chebyshev1D(6)).data[10])

# Overscan rows: a horizontal strip (rows 29..32 of a 32x20 image) -> one level per column.
ny2, nx2 = 32, 20
cols = np.arange(nx2)
lev2 = 200.0 + 0.8 * cols
raw2 = rng.normal(800.0, 10.0, (ny2, nx2)) + lev2[None, :]
raw2[28:, :] = rng.normal(0.0, 2.0, (4, nx2)) + lev2[None, :]
raw2 = f32(raw2)
res2 = ccdproc.subtract_overscan(CCDData(raw2, unit="adu"), fits_section="[:, 29:32]", median=True,
                                 overscan_axis=0)
oscan_rows = {"width": nx2, "height": ny2, "biassec": "[1:20,29:32]", "data": tolist(raw2),
              "median_levels": tolist(raw2[0] - res2.data[0])}

# Flat correction and bias subtraction on 16x16 frames with uncertainties.
sci = f32(rng.normal(2000.0, 40.0, (16, 16)))
sci_err = f32(np.sqrt(np.abs(sci)) + 3.0)
flat = f32(rng.normal(1.0, 0.05, (16, 16)) * 15000.0)
flat[2, 3] = 10.0
flat[7, 7] = -5.0
flat_err = f32(np.sqrt(np.abs(flat)) + 1.0)
bias = f32(rng.normal(300.0, 4.0, (16, 16)))
bias_err = f32(np.full((16, 16), 1.5))
sci_c = CCDData(sci, unit="adu", uncertainty=StdDevUncertainty(sci_err))
flat_c = CCDData(flat, unit="adu", uncertainty=StdDevUncertainty(flat_err))
bias_c = CCDData(bias, unit="adu", uncertainty=StdDevUncertainty(bias_err))
fc = ccdproc.flat_correct(sci_c, flat_c, min_value=100.0)
fc_norm = ccdproc.flat_correct(sci_c, flat_c, min_value=100.0, norm_value=14000.0)
bc = ccdproc.subtract_bias(sci_c, bias_c)
flatcase = {
    "width": 16, "height": 16,
    "sci": tolist(sci), "sci_err": tolist(sci_err),
    "flat": tolist(flat), "flat_err": tolist(flat_err),
    "bias": tolist(bias), "bias_err": tolist(bias_err),
    "min_value": 100.0,
    "flat_corrected": tolist(fc.data), "flat_corrected_err": tolist(fc.uncertainty.array),
    "flat_corrected_norm14000": tolist(fc_norm.data),
    "bias_subtracted": tolist(bc.data), "bias_subtracted_err": tolist(bc.uncertainty.array),
}

out = {
    "generator": "make_part1.py",
    "versions": {"numpy": np.__version__, "astropy": __import__("astropy").__version__,
                 "ccdproc": ccdproc.__version__},
    "stats": stats,
    "masked": masked,
    "zscale2d": zscale2d,
    "overscan": oscan,
    "overscan_rows": oscan_rows,
    "flat": flatcase,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "part1.json")
with open(path, "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
print("wrote", path, os.path.getsize(path), "bytes")
