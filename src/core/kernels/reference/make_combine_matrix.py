"""Every combine method x rejection pair of combine.ts against outside references.

Run with Debian's python (it has ccdproc):  /usr/bin/python3 make_combine_matrix.py
Writes combine_matrix.json next to this file; combine-matrix.test.ts reads it
(the test never runs python).

Stacks: seeded stacks of float32 frames (9 x 16x16, 7 x 16x16, 13 x 8x12,
and 70 x 4x6: more frames than combine.ts sorts with its network, so its
one-pixel-at-a-time Shell sort path is compared too), each with a VAR
plane and planted outliers of many sizes, so that one pass of clipping and
clipping iterated to convergence reject different values (checked below, for every clipping rejection and stack).
Another is the first one again with a DQ plane: 9% of its values masked
(bad, saturated), 11% flagged nonLinear, which dqMask lets through, so the
output DQ (the OR over the values that survive rejection) is compared too.

Which reference makes which number (combine.ts's module comment defines ours):
- rejection masks
  - minmax:      ccdproc Combiner.clip_extrema(nlow, nhigh) where nothing is
    masked; with masks, numpy (minmax_keep: IRAF scales nlow/nhigh by nGood/N,
    ccdproc does not)
  - sigclip:     astropy sigma_clip(cenfunc='median', stdfunc='std', maxiters=1)
    (on the masked array: astropy keeps the input masks)
  - madclip:     astropy sigma_clip(cenfunc='median', stdfunc='mad_std', maxiters=1)
    (strict limits, as combine.ts). Iterated (maxiters 10) our definition
    legitimately differs: astropy's final mask is the original data against
    the last pass's bounds, so it can restore a value an earlier pass
    clipped; ours (IRAF's) never does. The iterated references are numpy
    loops of our definition (clip_keep), checked here to equal astropy's
    sigma_clip at every pixel except those where astropy restored a value
    (counted in 'astropy_restored').
  - winsorized, varclip: no outside library has them (ccdproc has neither,
    DRAGONS is not installable here); plain numpy below, written from the
    definitions in combine-reject.ts, not from its code.
  - varclip without VAR planes is sigclip (as DRAGONS); the test checks that.
- combined values over the surviving values
  - mean, median, sum: ccdproc Combiner average/median/sum_combine with the
    mask above; mean VAR without VAR planes is ccdproc's uncertainty^2
    (np.ma.std ddof 0 / n), sum's ccdproc's uncertainty^2 (n * std^2).
  - the median's VAR is our own definition ((pi/2) std^2/n for n >= 3, std^2/n
    below; ccdproc uses mad_std^2/n instead): numpy.
  - VAR from VAR planes (mean sum/n^2, median (pi/2) sum/n^2 for n >= 3,
    sum sum(VAR)) and wmean (sum(x/VAR)/sum(1/VAR), VAR 1/sum(1/VAR)): numpy.
References are written with 9 significant digits (at most 5e-9 relative):
well below the float32 output's own rounding (2^-24 = 6e-8), which the test
allows.
"""
import json
import os

import numpy as np
from astropy.nddata import CCDData
from astropy.stats import sigma_clip
import ccdproc

LS, HS = 2.5, 3.0
NLOW, NHIGH = 1, 2
ITERS = [1, 10]
# combine.ts's winsorized constants (combine-reject.ts): clamp at c +- 1.5 s,
# correction 1.134, settle at 0.0005 relative change, at most 50 steps.
W_CLAMP, W_CORR, W_TOL, W_STEPS = 1.5, 1.134, 0.0005, 50
# dq.ts's bits; the masked stack's dqMask excludes bad and saturated values
# and lets nonLinear ones through, to reach the output DQ.
DQ_BAD, DQ_NONLINEAR, DQ_SATURATED = 1, 2, 4
DQ_MASK = 0xffff & ~DQ_NONLINEAR


def make_stack(seed, nf, h, w):
    rng = np.random.default_rng(seed)
    sky = 1000.0 + 4.0 * np.arange(w)[None, :] + 2.0 * np.arange(h)[:, None]
    var = rng.uniform(40.0, 250.0, (nf, h, w)).astype(np.float32)
    data = sky[None] + rng.normal(0.0, 1.0, (nf, h, w)) * np.sqrt(var.astype(np.float64))
    # Outliers from 3 to 300 sigma, mostly high (cosmic rays), some low: a
    # big one hides a middling one from the first pass only.
    hit = rng.random((nf, h, w)) < 0.12
    amp = np.exp(rng.uniform(np.log(30.0), np.log(3000.0), (nf, h, w)))
    sign = np.where(rng.random((nf, h, w)) < 0.8, 1.0, -1.0)
    data = data + hit * amp * sign
    return data.astype(np.float32), var


def winsor_keep(x, good, iters):
    keep = good.copy()
    for _ in range(iters):
        v = x[keep]
        if len(v) < 3:
            break
        c = np.median(v)
        s = np.std(v)
        for _ in range(W_STEPS):
            s_new = W_CORR * np.std(np.clip(v, c - W_CLAMP * s, c + W_CLAMP * s))
            settled = abs(s_new - s) <= W_TOL * s
            s = s_new
            if settled:
                break
        new = keep & (x >= c - LS * s) & (x <= c + HS * s)
        if new.sum() in (keep.sum(), 0):
            break
        keep = new
    return keep


def clip_keep(x, good, iters, std):
    # sigclip / madclip as combine-reject.ts defines them: centre the median,
    # sigma the population std or 1.4826 * MAD (astropy's mad_std), strict
    # limits, the kept set only shrinks, stop when nothing changes.
    keep = good.copy()
    for _ in range(iters):
        v = x[keep]
        if len(v) < 2:
            break
        c = np.median(v)
        s = np.std(v) if std == 'std' else 1.482602218505602 * np.median(np.abs(v - c))
        new = keep & (x >= c - LS * s) & (x <= c + HS * s)
        if new.sum() in (keep.sum(), 0):
            break
        keep = new
    return keep


def minmax_keep(x, good):
    # IRAF imcombine / DRAGONS (combine-reject.ts rejectMinmax): drop the
    # nlow lowest and nhigh highest good values, the counts scaled by
    # nGood/N where some inputs are masked. ccdproc's clip_extrema does not
    # scale them, so it is used (and this checked against it) only where
    # nothing is masked.
    g, nf = int(good.sum()), len(x)
    dl, dh = (NLOW, NHIGH) if g == nf else (int(np.floor(g * NLOW / nf + 0.001)), int(np.floor(g * NHIGH / nf + 0.001)))
    order = np.argsort(np.where(good, x, np.inf), kind='stable')[:g]
    keep = np.zeros(nf, dtype=bool)
    keep[order[dl:max(dl, g - dh)]] = True
    return keep


def varclip_keep(x, var, good, iters):
    keep = good.copy()
    sd = np.sqrt(var)
    for _ in range(iters):
        if keep.sum() < 2:
            break
        d = x - np.median(x[keep])
        new = keep & ~((d > HS * sd) | (-d > LS * sd))
        if new.sum() in (keep.sum(), 0):
            break
        keep = new
    return keep


def per_pixel(fn, data, *extra):
    nf, h, w = data.shape
    rej = np.zeros(data.shape, dtype=bool)
    for y in range(h):
        for x in range(w):
            rej[:, y, x] = ~fn(data[:, y, x], *[e[:, y, x] for e in extra])
    return rej


def combiner(data, rejected):
    c = ccdproc.Combiner([CCDData(data[i], unit='adu') for i in range(len(data))])
    c.data_arr.mask = rejected.copy()
    return c


def flat(a):
    return [float('%.9g' % x) for x in np.asarray(a, dtype=np.float64).ravel()]


def f32_list(a):
    # 9 significant digits give every float32 back exactly.
    return [float('%.9g' % x) for x in a.ravel()]


def stack_cases(seed, nf, h, w, with_dq=False):
    f32, var32 = make_stack(seed, nf, h, w)
    data, var = f32.astype(np.float64), var32.astype(np.float64)
    dq = np.zeros(data.shape, dtype=np.uint16)
    if with_dq:
        # Drawn after the stack, so the data are those of the same seed unmasked.
        rng = np.random.default_rng(seed + 1)
        u = rng.random(data.shape)
        dq[u < 0.07] = DQ_BAD
        dq[(u >= 0.07) & (u < 0.09)] = DQ_SATURATED
        dq[(u >= 0.09) & (u < 0.2)] = DQ_NONLINEAR
    good = (dq & DQ_MASK) == 0
    # Every pixel keeps 3 good values: combine.ts's all-masked fallback
    # (DRAGONS) has no ccdproc counterpart and is tested in combine.test.ts.
    assert good.sum(axis=0).min() >= 3
    masks = {('none', 1): ~good}
    mm = per_pixel(minmax_keep, data, good)
    if not with_dq:
        c = combiner(data, masks[('none', 1)])
        c.clip_extrema(nlow=NLOW, nhigh=NHIGH)
        assert (np.asarray(c.data_arr.mask) == mm).all()
    masks[('minmax', 1)] = mm
    masked_data = np.ma.masked_array(data, mask=~good)
    restored = {}
    for it in ITERS:
        for name, std in (('sigclip', 'std'), ('madclip', 'mad_std')):
            astro = np.ma.getmaskarray(sigma_clip(
                masked_data, sigma_lower=LS, sigma_upper=HS, maxiters=it, cenfunc='median', stdfunc=std, axis=0))
            if it == 1:
                masks[(name, it)] = astro
                continue
            # Iterated: astropy takes its final mask from the ORIGINAL data and
            # the last pass's bounds, so a value clipped in an earlier pass
            # comes back when the final bounds hold it; combine.ts (as IRAF
            # imcombine) never brings a rejected value back. So the reference
            # is the numpy loop of our definition, and it must equal astropy
            # at every pixel but those where astropy restored values.
            ours = per_pixel(lambda x, g, n=it, f=std: clip_keep(x, g, n, f), data, good)
            diff = (astro != ours).any(axis=0)
            assert not (astro & ~ours).any(), f'{name}: astropy rejects a value our definition keeps'
            restored[name] = int(diff.sum())
            masks[(name, it)] = ours
        masks[('winsorized', it)] = per_pixel(lambda x, g, n=it: winsor_keep(x, g, n), data, good)
        masks[('varclip', it)] = per_pixel(lambda x, v, g, n=it: varclip_keep(x, v, g, n), data, var, good)
    # The point of ITERS: one pass and iterated clipping must differ here.
    differ = {}
    for name in ('sigclip', 'madclip', 'winsorized', 'varclip'):
        npix = int((masks[(name, 1)] != masks[(name, 10)]).any(axis=0).sum())
        assert npix >= 2, f'stack {seed}: {name} one pass == iterated'
        differ[name] = npix
    print(f'stack seed {seed} {nf}x{h}x{w}: pixels where one pass and iterated differ: {differ}; '
          f'where astropy restores values (iterated): {restored}')

    if with_dq:
        # The output DQ check means something only if rejection removes
        # flagged values: count the pixels where it changes the OR.
        dq_all = np.bitwise_or.reduce(np.where(good, dq, 0), axis=0)
        dropped = {f'{r}/{i}': int((np.bitwise_or.reduce(np.where(m, 0, dq), axis=0) != dq_all).sum())
                   for (r, i), m in masks.items() if r != 'none'}
        assert min(dropped.values()) >= 2, dropped
        print(f'  pixels whose output DQ loses a flag to rejection: {dropped}')

    cases = {}
    for (rej, it), m in masks.items():
        keep = ~m
        n = keep.sum(axis=0)
        assert n.min() >= 1
        md = np.ma.masked_array(data, mask=m)
        mv = np.ma.masked_array(var, mask=m)
        cc = combiner(data, m)
        mean = cc.average_combine()
        med = cc.median_combine()
        sm = cc.sum_combine()
        # ccdproc's results checked against plain numpy, so a ccdproc quirk
        # cannot hide in the fixture.
        assert np.allclose(mean.data, np.ma.mean(md, axis=0), rtol=1e-14, atol=0)
        assert np.allclose(med.data, np.ma.median(md, axis=0), rtol=1e-14, atol=0)
        assert np.allclose(sm.data, np.ma.sum(md, axis=0), rtol=1e-14, atol=0)
        s2 = np.ma.var(md, axis=0).filled(np.nan)
        assert np.allclose(mean.uncertainty.array ** 2, s2 / n, rtol=1e-12, atol=0)
        half_pi = np.where(n > 2, np.pi / 2, 1.0)
        sum_v = np.ma.sum(mv, axis=0).filled(np.nan)
        wsum = np.ma.sum(1.0 / mv, axis=0).filled(np.nan)
        key = f'{rej}/{it}'
        used = int(n.sum())
        # Output DQ: the OR of the DQ of the values combined (bits outside
        # the mask, here nonLinear, on values that survived rejection).
        out_dq = np.bitwise_or.reduce(np.where(m, 0, dq), axis=0)
        if rej != 'varclip':
            # Without VAR planes (varclip then is sigclip, not stored again).
            cases[f'{key}/novar'] = {
                'used': used,
                'mean': flat(mean.data), 'mean_var': flat(mean.uncertainty.array ** 2),
                'median': flat(med.data), 'median_var': flat(half_pi * s2 / n),
                'sum': flat(sm.data), 'sum_var': flat(sm.uncertainty.array ** 2),
            }
            if with_dq:
                cases[f'{key}/novar']['dq'] = [int(d) for d in out_dq.ravel()]
        withvar = {
            'used': used,
            'mean_var': flat(sum_v / n ** 2), 'median_var': flat(half_pi * sum_v / n ** 2), 'sum_var': flat(sum_v),
            'wmean': flat(np.ma.sum(md / mv, axis=0).filled(np.nan) / wsum), 'wmean_var': flat(1.0 / wsum),
        }
        if rej == 'varclip':
            # Only varclip's mask depends on the VAR planes; the other
            # rejections' mean/median/sum are the novar case's.
            withvar.update(mean=flat(mean.data), median=flat(med.data), sum=flat(sm.data))
            if with_dq:
                withvar['dq'] = [int(d) for d in out_dq.ravel()]
        cases[f'{key}/var'] = withvar
    return {
        'seed': seed, 'nFrames': nf, 'height': h, 'width': w,
        'data': f32_list(f32), 'var': f32_list(var32),
        'dq': [int(d) for d in dq.ravel()] if with_dq else None, 'dqMask': DQ_MASK,
        'differ': differ, 'astropy_restored': restored, 'cases': cases,
    }


out = {
    'lsigma': LS, 'hsigma': HS, 'nlow': NLOW, 'nhigh': NHIGH, 'iters': ITERS,
    'stacks': [stack_cases(20261129, 9, 16, 16), stack_cases(7, 7, 16, 16), stack_cases(13, 13, 8, 12),
               stack_cases(20261129, 9, 16, 16, with_dq=True), stack_cases(70, 70, 4, 6)],
    'versions': {'numpy': np.__version__, 'ccdproc': ccdproc.__version__},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'combine_matrix.json')
with open(path, 'w') as fh:
    json.dump(out, fh, separators=(',', ':'))
print('wrote', path, os.path.getsize(path), 'bytes')
