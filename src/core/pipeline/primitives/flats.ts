/**
 * Flat-field steps: refusing unsuitable flats, normalizing the master, and
 * the bad pixels the master flat reveals.
 */
import { DQ } from '../../kernels/dq';
import { flatLevel } from '../../kernels/flat';
import { scale } from '../../kernels/arith';
import { meshBackground } from '../../kernels/background';
import { median } from '../../kernels/stats';
import { setCard } from '../cards';
import { choice, num, param, type FramePrimitive } from '../primitive';
import { saturationLevel } from './dq';

/**
 * photopipe's check, on the raw levels addDQ measured (before any
 * correction): a flat whose median is too close to saturation is non-linear
 * or clipped, one too faint is noise-dominated and may carry scattered
 * light; either spoils the master.
 */
export const checkFlatLevel: FramePrimitive = {
  kind: 'frame',
  name: 'checkFlatLevel',
  doc: 'Refuses flats whose raw median lies outside [low, high] of saturation, or that are mostly saturated; each refusal is listed with its reason.',
  params: [
    param('low', 'number', 0.2, 'Lowest median allowed, as a fraction of the saturation level', { min: 0, max: 1 }),
    param('high', 'number', 0.8, 'Highest median allowed, as a fraction of the saturation level', { min: 0, max: 1 }),
    param('maxSaturated', 'number', 0.5, 'Largest fraction of saturated pixels allowed', { min: 0, max: 1 }),
  ],
  run(frame, p, ctx) {
    const med = frame.meta.rawMedian;
    const sat = frame.meta.saturation ?? saturationLevel(frame, 0).level;
    const satFrac = frame.meta.saturatedFraction ?? 0;
    if (satFrac > num(p, 'maxSaturated')) {
      return { refused: `${(100 * satFrac).toFixed(0)}% of pixels saturated (more than ${(100 * num(p, 'maxSaturated')).toFixed(0)}% allowed)` };
    }
    if (med === undefined || sat === undefined || !(sat > 0)) {
      ctx.log(`level not checked: ${sat === undefined ? 'no saturation level known' : 'no median measured'}`);
      return 'unchanged';
    }
    const frac = med / sat;
    const lo = num(p, 'low'), hi = num(p, 'high');
    if (frac < lo || frac > hi) {
      return { refused: `median ${med.toFixed(0)} ADU is ${frac.toFixed(2)} of saturation ${sat} (allowed ${lo}-${hi})` };
    }
    ctx.log(`median ${med.toFixed(0)} ADU = ${frac.toFixed(2)} of saturation: usable`);
    return 'unchanged';
  },
};

export const normalizeFlat: FramePrimitive = {
  kind: 'frame',
  name: 'normalizeFlat',
  doc: 'Divides the master flat by its median (or mode) so its level is 1.',
  params: [
    param('method', 'choice', 'median', 'Statistic that becomes 1', { choices: ['median', 'mode'] }),
    param('statsec', 'string', null, 'Region the statistic is measured in, FITS form; empty = the whole frame', { nullable: true }),
  ],
  run(frame, p, ctx) {
    // One level for every extension: their relative response must survive (DRAGONS normalizes a mosaic as a whole).
    const opts = { method: choice<'median' | 'mode'>(p, 'method'), statsec: (p.statsec as string | null) ?? undefined };
    const levels = frame.exts.map((ext) => flatLevel(ext.data, opts));
    const norm = levels.length === 1 ? levels[0] : median(Float64Array.from(levels));
    for (const ext of frame.exts) scale(ext.data, 1 / norm, ext.data);
    setCard(frame.primary, 'FLATNORM', norm, 'level the master flat was divided by');
    ctx.log(`normalized by ${norm.toPrecision(7)} (${choice(p, 'method')})`);
  },
};

/**
 * Pixels whose response differs from their surroundings by more than the
 * limits (dead or hot columns, dust too dark to correct) are bad pixels: the
 * master flat's DQ marks them (bit 1), and flatCorrect hands that on to every
 * frame it divides. "Surroundings" is a background mesh of the flat, so
 * vignetting and illumination gradients are not taken for defects.
 */
export const flagFlatBadPixels: FramePrimitive = {
  kind: 'frame',
  name: 'flagFlatBadPixels',
  doc: 'Flags as bad (DQ 1) the pixels whose response is below low or above high times the local level of the master flat.',
  params: [
    param('low', 'number', 0.5, 'Response below this fraction of the local level is bad', { min: 0, max: 1 }),
    param('high', 'number', 1.5, 'Response above this multiple of the local level is bad', { min: 1 }),
    param('boxSize', 'integer', 32, 'Box of the local level, pixels', { min: 4 }),
  ],
  run(frame, p, ctx) {
    const lo = num(p, 'low'), hi = num(p, 'high');
    let total = 0;
    for (const ext of frame.exts) {
      const f = ext.data;
      const bg = meshBackground(f.sci, f.width, f.height, { boxSize: Math.min(num(p, 'boxSize'), f.width, f.height) }).background;
      f.dq ??= new Uint16Array(f.sci.length);
      let n = 0;
      for (let i = 0; i < f.sci.length; i++) {
        const r = f.sci[i] / bg[i];
        if (r < lo || r > hi || r - r !== 0) {
          if (!(f.dq[i] & DQ.bad)) n++;
          f.dq[i] |= DQ.bad;
        }
      }
      total += n;
      ctx.log(`ext ${ext.extver}: ${n} pixels flagged bad (response outside ${lo}-${hi} of the local level)`);
    }
    setCard(frame.primary, 'NBADPIX', total, 'pixels flagged bad from the flat');
  },
};
