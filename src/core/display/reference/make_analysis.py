"""Writes analysis_expected.json, the outside reference of the inspector's
analysis kernels (cuts.ts, regionStats.ts, radial.ts, ranks.ts):
 - a 40 x 30 frame with NaNs: line cuts by scipy.ndimage.map_coordinates
   (order 1), box statistics by numpy (nanmean, nanmedian, nanstd, ddof 0)
   and astropy's mad_std, percentiles by numpy.percentile;
 - a noisy Moffat star and a noisy Gaussian star fitted by
   astropy.modeling (LevMarLSQFitter) over the pixels within 12 px of the
   true centre, with their FWHM.
Run with Debian's python: /usr/bin/python3 make_analysis.py
"""
import json, os, warnings
import numpy as np
from scipy.ndimage import map_coordinates
from astropy.stats import mad_std
from astropy.modeling import models, fitting

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)
W, H = 40, 30
frame = (1000 + 50 * rng.standard_normal((H, W))).astype(np.float32)
frame[5, 7] = np.nan
frame[20, 33] = np.nan
frame[12, 12] = 65000.0  # a hot pixel
out = {"width": W, "height": H, "frame": [None if np.isnan(v) else float(v) for v in frame.ravel()]}

lines = [(2.0, 3.0, 30.0, 25.5), (35.2, 1.1, 4.7, 27.9), (0.0, 0.0, 39.0, 0.0), (10.0, 28.0, 10.0, 2.0)]
out["lines"] = []
for x0, y0, x1, y1 in lines:
    L = np.hypot(x1 - x0, y1 - y0)
    n = int(np.floor(L)) + 1
    t = np.arange(n)
    xs = x0 + (x1 - x0) / L * t
    ys = y0 + (y1 - y0) / L * t
    vals = map_coordinates(frame.astype(np.float64), [ys, xs], order=1, mode="nearest")
    out["lines"].append({"line": [x0, y0, x1, y1], "values": [None if np.isnan(v) else float(v) for v in vals]})

boxes = [(0, 0, 39, 29), (3, 2, 17, 11), (30, 15, 36, 25), (12, 12, 12, 12)]
out["boxes"] = []
for x0, y0, x1, y1 in boxes:
    cut = frame[y0:y1 + 1, x0:x1 + 1].astype(np.float64)
    good = cut[np.isfinite(cut)]
    out["boxes"].append({
        "box": [x0, y0, x1, y1], "npix": int(good.size), "sum": float(good.sum()), "mean": float(good.mean()),
        "median": float(np.median(good)), "std": float(good.std()), "robustSigma": float(mad_std(good)),
        "min": float(good.min()), "max": float(good.max()),
    })

good = frame[np.isfinite(frame)].astype(np.float64)
ps = [0.25, 99.75, 0.5, 99.5, 1, 99, 2.5, 97.5, 5, 95, 50]
out["percentiles"] = {"p": ps, "values": [float(v) for v in np.percentile(good, ps)]}

def star(model_kind, seed):
    r = np.random.default_rng(seed)
    n = 61
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    x0, y0 = 30.37, 29.62
    if model_kind == "moffat":
        truth = models.Moffat2D(amplitude=5000.0, x_0=x0, y_0=y0, gamma=2.2, alpha=3.0)
        fwhm = truth.fwhm
    else:
        truth = models.Gaussian2D(amplitude=5000.0, x_mean=x0, y_mean=y0, x_stddev=1.6, y_stddev=1.6)
        fwhm = 2 * np.sqrt(2 * np.log(2)) * 1.6
    img = 100.0 + truth(xx, yy) + 8.0 * r.standard_normal((n, n))
    sel = np.hypot(xx - x0, yy - y0) <= 12
    if model_kind == "moffat":
        init = models.Moffat2D(amplitude=4000.0, x_0=30, y_0=30, gamma=2.0, alpha=2.5) + models.Const2D(90.0)
    else:
        init = models.Gaussian2D(amplitude=4000.0, x_mean=30, y_mean=30, x_stddev=1.5, y_stddev=1.5) + models.Const2D(90.0)
        init.y_stddev_0.tied = lambda m: m.x_stddev_0
        init.theta_0.fixed = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fitting.LevMarLSQFitter()(init, xx[sel], yy[sel], img[sel], maxiter=2000)
    if model_kind == "moffat":
        ffwhm, fx, fy = float(fit[0].fwhm), float(fit.x_0_0.value), float(fit.y_0_0.value)
    else:
        ffwhm = float(2 * np.sqrt(2 * np.log(2)) * abs(fit.x_stddev_0.value))
        fx, fy = float(fit.x_mean_0.value), float(fit.y_mean_0.value)
    return {"width": n, "height": n, "pixels": [float(v) for v in img.ravel()], "truth": {"x": x0, "y": y0, "fwhm": float(fwhm)},
            "astropy": {"x": fx, "y": fy, "fwhm": ffwhm, "background": float(fit[1].amplitude.value)}}

out["moffat"] = star("moffat", 7)
out["gaussian"] = star("gaussian", 9)
with open(os.path.join(here, "analysis_expected.json"), "w") as f:
    json.dump(out, f)
print("moffat", out["moffat"]["truth"], out["moffat"]["astropy"])
print("gaussian", out["gaussian"]["truth"], out["gaussian"]["astropy"])
