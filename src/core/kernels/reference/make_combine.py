"""Reference numbers for combine.ts from astropy/ccdproc and numpy.

Run with Debian's python (it has ccdproc):  /usr/bin/python3 make_combine.py
Writes combine.json next to this file: a small seeded stack (9 frames of
16x16, float32, with planted outliers, a VAR plane and a few masked pixels)
and what ccdproc.Combiner / numpy make of it.

Equivalences with combine.ts (the tests use these options):
- ccdproc median_combine                      -> method 'median', reject 'none'
- ccdproc average_combine                     -> method 'mean', reject 'none'
- sigma_clipping(l, h, func=np.ma.median, dev_func=mad_std), one pass
                                              -> reject 'madclip', maxIters 1
- sigma_clipping(l, h, func=np.ma.median, dev_func=np.ma.std), one pass
                                              -> reject 'sigclip', maxIters 1
- clip_extrema(nlow, nhigh)                   -> reject 'minmax' (identical where
  no input is masked; combine.ts scales nlow/nhigh by nGood/N at masked
  pixels as IRAF/DRAGONS do, ccdproc does not)
- minmax_clipping(min_clip, max_clip)         -> lthreshold / hthreshold
- ccdproc's average_combine uncertainty is np.ma.std/sqrt(n) (ddof 0) over
  the unclipped values: combine.ts VAR without input VAR is std^2/n, the
  same. (Its median uncertainty is mad_std/sqrt(n); combine.ts uses
  (pi/2) std^2/n instead, so that one is not compared.)
- weighted mean with weights 1/VAR and VAR 1/sum(1/VAR) is plain numpy.
- per-frame weights (option `weights`, method 'mean') after DQ masking and
  astropy's sigma_clip, with and without scale/zero, with and without VAR
  planes: plain numpy (see the end of this script).
ccdproc 2.4's sigma_clipping forgets the input masks (see below), so its
references are made from the unmasked stack.
All-masked pixels are left out of the stack here because ccdproc masks the
output there, while combine.ts combines them anyway (DRAGONS).
"""
import json
import os

import numpy as np
from astropy.nddata import CCDData
from astropy.stats import mad_std
import ccdproc

rng = np.random.default_rng(20261121)
NF, H, W = 9, 16, 16
sky = 1000.0 + 5.0 * np.arange(W)[None, :] + 3.0 * np.arange(H)[:, None]
data = (sky[None] + rng.normal(0.0, 10.0, (NF, H, W))).astype(np.float32)
# Planted outliers: cosmic-ray-like highs and a few lows.
for k in range(40):
    f, y, x = rng.integers(0, NF), rng.integers(0, H), rng.integers(0, W)
    data[f, y, x] += np.float32(rng.choice([500.0, 2000.0, -300.0]))
var = (rng.uniform(80.0, 120.0, (NF, H, W))).astype(np.float32)
mask = np.zeros((NF, H, W), dtype=bool)
for k in range(12):
    mask[rng.integers(0, NF), rng.integers(0, H), rng.integers(0, W)] = True

LS, HS = 2.5, 3.0
NLOW, NHIGH = 1, 2
LTHR, HTHR = 900.0, 1500.0


def combiner(masked=True):
    ccds = [CCDData(data[i].astype(np.float64), mask=mask[i].copy() if masked else None, unit='adu')
            for i in range(NF)]
    return ccdproc.Combiner(ccds)


def flat(a, digits=10):
    # 10 significant digits (5e-10): far below the test's tolerance of one float32 ulp (2^-23), keeps the JSON small.
    # (float32 data round-trips exactly with 9.)
    return [None if not np.isfinite(x) else float('%.*g' % (digits, x))
            for x in np.asarray(a, dtype=np.float64).ravel()]


out = {
    'nFrames': NF, 'width': W, 'height': H,
    'data': flat(data, 9), 'var': flat(var, 9),
    'mask': [int(x) for x in mask.ravel()],
    'lsigma': LS, 'hsigma': HS, 'nlow': NLOW, 'nhigh': NHIGH,
    'lthreshold': LTHR, 'hthreshold': HTHR,
}

c = combiner()
r = c.median_combine()
out['median'] = flat(r.data)
c = combiner()
r = c.average_combine()
out['mean'] = flat(r.data)
out['mean_var'] = flat(r.uncertainty.array ** 2)

# ccdproc 2.4's sigma_clipping runs astropy's sigma_clip on the raw data and
# REPLACES the mask, forgetting the input masks; so the clipping references
# are made without masks (the tests pass no DQ for them).
c = combiner(masked=False)
c.sigma_clipping(low_thresh=LS, high_thresh=HS, func=np.ma.median, dev_func=mad_std)
out['madclip_mask_count'] = int(c.data_arr.mask.sum())
r = c.average_combine()
out['mean_madclip'] = flat(r.data)
out['mean_madclip_var'] = flat(r.uncertainty.array ** 2)

c = combiner(masked=False)
c.sigma_clipping(low_thresh=LS, high_thresh=HS, func=np.ma.median, dev_func=np.ma.std)
out['sigclip_mask_count'] = int(c.data_arr.mask.sum())
r = c.average_combine()
out['mean_sigclip'] = flat(r.data)
out['mean_sigclip_var'] = flat(r.uncertainty.array ** 2)
r = c.median_combine()
out['median_sigclip'] = flat(r.data)

c = combiner()
c.clip_extrema(nlow=NLOW, nhigh=NHIGH)
r = c.average_combine()
out['mean_minmax'] = flat(r.data)

c = combiner()
c.minmax_clipping(min_clip=LTHR, max_clip=HTHR)
r = c.average_combine()
out['mean_threshold'] = flat(r.data)

# Plain numpy over the unmasked values.
md = np.ma.masked_array(data.astype(np.float64), mask=mask)
mv = np.ma.masked_array(var.astype(np.float64), mask=mask)
out['np_mean'] = flat(np.ma.mean(md, axis=0).filled(np.nan))
out['np_median'] = flat(np.ma.median(md, axis=0).filled(np.nan))
wsum = np.ma.sum(1.0 / mv, axis=0)
out['wmean'] = flat((np.ma.sum(md / mv, axis=0) / wsum).filled(np.nan))
out['wmean_var'] = flat((1.0 / wsum).filled(np.nan))
n = np.ma.count(md, axis=0)
out['mean_var_from_var'] = flat(np.ma.sum(mv, axis=0) / n ** 2)
out['sum'] = flat(np.ma.sum(md, axis=0))
out['sum_var'] = flat(np.ma.sum(mv, axis=0))

# Per-frame weights (combine.ts option `weights`, method 'mean'): masking
# and rejection unweighted, then over the surviving values x_i with frame
# weights a_i: mean sum(a x)/sum(a); VAR sum(a^2 VAR)/sum(a)^2 with VAR
# planes; without, s2 sum(a^2)/sum(a)^2 with s2 = sum(a (x - mean)^2)/sum(a).
# Frame 8 weighs 0. Sigma clipping here is astropy's sigma_clip (median
# centre, std ddof 0, strict limits, iterated to convergence as combine.ts
# with maxIters 10), which, unlike ccdproc 2.4's Combiner, keeps the input
# masks (DQ in the tests). With scale/zero the scaled values are rounded to
# float32 as combine.ts does, and VAR is scaled by scale^2 (not rounded).
# These come after every random draw above, so they change no other number.
WEIGHTS = np.array([1.0, 0.5, 2.0, 1.5, 0.25, 3.0, 1.0, 0.75, 0.0])
SCALE = np.array([1.0, 1.02, 0.97, 1.05, 0.99, 1.01, 0.95, 1.03, 1.0])
ZERO = np.array([0.0, -15.0, 30.0, -50.0, 5.0, 0.0, 60.0, -25.0, 10.0])
from astropy.stats import sigma_clip


def weighted(md, mv):
    a = np.ma.masked_array(np.broadcast_to(WEIGHTS[:, None, None], md.shape), mask=np.ma.getmaskarray(md))
    sa = np.ma.sum(a, axis=0)
    m = np.ma.sum(a * md, axis=0) / sa
    var_planes = np.ma.sum(a * a * mv, axis=0) / sa ** 2
    s2 = np.ma.sum(a * (md - m[None]) ** 2, axis=0) / sa
    var_scatter = s2 * np.ma.sum(a * a, axis=0) / sa ** 2
    return m, var_planes, var_scatter


def put(prefix, md, mv):
    m, vp, vs = weighted(md, mv)
    out[prefix] = flat(m)
    out[prefix + '_var'] = flat(vp)
    out[prefix + '_novar_var'] = flat(vs)
    out[prefix + '_used'] = int(np.ma.count(md))


out['weights'] = WEIGHTS.tolist()
out['wscale'] = SCALE.tolist()
out['wzero'] = ZERO.tolist()
put('wt_mean', md, mv)
clipped = sigma_clip(md, sigma_lower=LS, sigma_upper=HS, maxiters=10, cenfunc='median', stdfunc='std', axis=0)
put('wt_mean_sigclip', clipped, np.ma.masked_array(mv.data, mask=np.ma.getmaskarray(clipped)))
scaled = (data.astype(np.float64) * SCALE[:, None, None] + ZERO[:, None, None]).astype(np.float32).astype(np.float64)
svar = var.astype(np.float64) * (SCALE ** 2)[:, None, None]
sclipped = sigma_clip(np.ma.masked_array(scaled, mask=mask), sigma_lower=LS, sigma_upper=HS, maxiters=10,
                      cenfunc='median', stdfunc='std', axis=0)
put('wt_mean_scaled_sigclip', sclipped, np.ma.masked_array(svar, mask=np.ma.getmaskarray(sclipped)))

# Unweighted mean after the same clipping, with VAR planes: sum of the used
# VARs / n^2 (combine.ts sums them over the block as it gathers it where
# nothing is rejected, frame by frame where something is).
n_clip = np.ma.count(clipped, axis=0)
out['mean_sigclip_iter'] = flat(np.ma.mean(clipped, axis=0))
out['mean_sigclip_iter_var'] = flat(np.ma.sum(np.ma.masked_array(mv.data, mask=np.ma.getmaskarray(clipped)), axis=0) / n_clip ** 2)

out['versions'] = {'numpy': np.__version__, 'ccdproc': ccdproc.__version__}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'combine.json')
with open(path, 'w') as fh:
    json.dump(out, fh, separators=(',', ':'))
print('wrote', path, os.path.getsize(path), 'bytes')
