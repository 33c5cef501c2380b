/**
 * Flat-field steps: refusing unsuitable flats, normalizing the master, and
 * the bad pixels the master flat reveals.
 */
import { DQ } from '../../kernels/dq';
import { flatLevel } from '../../kernels/flat';
import { scale } from '../../kernels/arith';
import { meshBackground } from '../../kernels/background';
import { median } from '../../kernels/stats';
import { deleteCards, setCard } from '../cards';
import { READNOISE_KEYS } from '../../classify/descriptors';
import { bool, choice, num, param, type FramePrimitive } from '../primitive';
import { cfaPattern, mosaicOf } from './cfa';
import { LATTICES, latticeOf } from '../../kernels/lattice';
import type { Frame } from '../../kernels/frame';
import { give, take, takeZeroed } from '../../kernels/scratch';
import { FLAT_LEVEL_CHECK, saturationLevel } from './dq';
import { judgeFlatLevel } from '../flatLevel';

/**
 * photopipe's check, on the raw levels addDQ measured (before any
 * correction): a flat whose median is too close to saturation is non-linear
 * or clipped, one too faint is noise-dominated and may carry scattered
 * light; either spoils the master.
 */
export const checkFlatLevel: FramePrimitive = {
  kind: 'frame',
  name: FLAT_LEVEL_CHECK,
  doc: 'Refuses flats whose raw median lies outside [low, high] of saturation, or that are mostly saturated (a colour flat: its brightest colour, its most saturated colour); each refusal is listed with its reason.',
  params: [
    param('low', 'number', 0.2, 'Lowest median allowed, as a fraction of the saturation level', { min: 0, max: 1 }),
    param('high', 'number', 0.8, 'Highest median allowed, as a fraction of the saturation level', { min: 0, max: 1 }),
    param('maxSaturated', 'number', 0.5, 'Largest fraction of saturated pixels allowed', { min: 0, max: 1 }),
  ],
  run(frame, p, ctx) {
    // A colour flat is judged by its brightest colour's median and its most saturated colour (addDQ).
    const verdict = judgeFlatLevel({
      median: frame.meta.rawMedian,
      saturatedFraction: frame.meta.saturatedFraction,
      saturation: frame.meta.saturation ?? saturationLevel(frame, 0).level,
      colours: frame.meta.rawColours,
    }, { low: num(p, 'low'), high: num(p, 'high'), maxSaturated: num(p, 'maxSaturated') });
    if ('refused' in verdict) return { refused: verdict.refused };
    ctx.log('ok' in verdict ? verdict.ok : `level not checked: ${verdict.unjudged}`);
    return 'unchanged';
  },
};

export const normalizeFlat: FramePrimitive = {
  kind: 'frame',
  name: 'normalizeFlat',
  doc: 'Divides the master flat by its median (or mode) so its level is 1; a colour (Bayer) flat each colour by its own.',
  params: [
    param('method', 'choice', 'median', 'Statistic that becomes 1', { choices: ['median', 'mode'] }),
    param('statsec', 'string', null, 'Region the statistic is measured in, FITS form; empty = the whole frame', { nullable: true }),
    param('eachColour', 'boolean', true, 'A colour (Bayer) flat: each colour brought to 1 on its own, so that the flat lamp does not tint the frames (Siril\'s equalize_cfa); off: one level for all'),
  ],
  run(frame, p, ctx) {
    // One level for every extension: their relative response must survive (DRAGONS normalizes a mosaic as a whole).
    const opts = { method: choice<'median' | 'mode'>(p, 'method'), statsec: (p.statsec as string | null) ?? undefined };
    const mosaic = bool(p, 'eachColour') ? mosaicOf(frame) : undefined;
    const levelOf = (lattice?: readonly [number, number]) => {
      const levels = frame.exts.map((ext) => flatLevel(ext.data, { ...opts, lattice }));
      return levels.length === 1 ? levels[0] : median(Float64Array.from(levels));
    };
    if (mosaic) {
      // The flat's colours differ by the lamp's colour and the filters' response: each is divided by
      // its own level, and the frames keep the colour the camera gave them.
      const { pattern, colours } = mosaic;
      const norms = LATTICES.map((at) => levelOf(at));
      for (const ext of frame.exts) scaleLattices(ext.data, norms.map((n) => 1 / n));
      LATTICES.forEach(([x, y], k) => {
        // FITS numbering (from 1): the sub-lattice (0, 0) is columns and rows 1, 3, ...
        setCard(frame.primary, `FLATNRM${k + 1}`, norms[k], `level of the ${colours[k]} pixels (x=${x + 1},${x + 3},.. y=${y + 1},${y + 3},..)`);
      });
      const overall = median(Float64Array.from(norms));
      setCard(frame.primary, 'FLATNORM', overall, 'median of the colours\' levels (FLATNRMn)');
      ctx.log(`each colour of the ${pattern} mosaic normalized by its own ${choice(p, 'method')}: ${colours.map((c, k) => `${c} ${norms[k].toPrecision(6)}`).join(', ')}`);
    } else {
      const norm = levelOf();
      for (const ext of frame.exts) scale(ext.data, 1 / norm, ext.data);
      setCard(frame.primary, 'FLATNORM', norm, 'level the master flat was divided by');
      ctx.log(`normalized by ${norm.toPrecision(7)} (${choice(p, 'method')})`);
    }
    for (const ext of frame.exts) {
      // A ratio now: no saturation level, no gain, no unit, no read noise. (GAIN or EGAIN stay: beside
      // OFFSET they say what a CMOS camera's GAIN card means, which associates the flat with its frames.)
      deleteCards(ext.header, ['SATURATE', 'GAINORIG', 'BUNIT', ...READNOISE_KEYS]);
    }
    deleteCards(frame.primary, ['SATURATE', 'BUNIT', ...READNOISE_KEYS]);
    frame.bunit = 'none';
  },
};

/** Multiplies each of a mosaic's four sub-lattices (LATTICES order) by its own factor: SCI by k, VAR by k^2. */
function scaleLattices(f: Frame, k: readonly number[]): void {
  for (let y = 0; y < f.height; y++) {
    const row = y * f.width;
    for (let x = 0; x < f.width; x++) {
      const c = k[((y & 1) << 1) | (x & 1)];
      f.sci[row + x] *= c;
      if (f.var) f.var[row + x] *= c * c;
    }
  }
}

/**
 * Pixels whose response differs from their surroundings by more than the
 * limits (dead or hot columns, dust too dark to correct) are bad pixels: the
 * master flat's DQ marks them (bit 1), and flatCorrect hands that on to every
 * frame it divides. "Surroundings" is a background mesh of the flat, so
 * vignetting and illumination gradients are not taken for defects.
 */
/**
 * The flat's local level: a background mesh (clipped medians in boxes,
 * interpolated) of the flat averaged in b x b blocks, brought back to full
 * resolution. The level varies over tens of pixels, so computing it on 1/16
 * of the pixels costs 1/16 and loses nothing; a defect a pixel wide is
 * diluted in its block and then clipped in its box. The result may be an
 * array of the scratch pool (16 MB of a 2k flat): give it back when done.
 */
export function localLevel(sci: Float32Array, w: number, h: number, box: number): Float32Array {
  const b = box >= 16 && w >= 64 && h >= 64 ? 4 : 1;
  if (b === 1) return meshBackground(sci, w, h, { boxSize: box }).background;
  const bw = Math.ceil(w / b), bh = Math.ceil(h / b);
  const small = takeZeroed(Float32Array, bw * bh);
  const count = takeZeroed(Uint16Array, bw * bh);
  for (let y = 0; y < h; y++) {
    const row = y * w, brow = ((y / b) | 0) * bw;
    for (let x = 0; x < w; x++) {
      const v = sci[row + x];
      if (v - v !== 0) continue;
      const k = brow + ((x / b) | 0);
      small[k] += v;
      count[k]++;
    }
  }
  for (let k = 0; k < small.length; k++) small[k] = count[k] ? small[k] / count[k] : NaN;
  const level = meshBackground(small, bw, bh, { boxSize: Math.max(2, Math.round(box / b)) }).background;
  give(small, count);
  // Bilinear back to full size; block centres sit at (i + 0.5) b - 0.5.
  const out = take(Float32Array, w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) / b - 0.5));
    const j0 = Math.min(bh - 2, Math.floor(fy)), ty = bh > 1 ? fy - j0 : 0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) / b - 0.5));
      const i0 = Math.min(bw - 2, Math.floor(fx)), tx = bw > 1 ? fx - i0 : 0;
      const a = level[j0 * bw + i0], c = level[j0 * bw + i0 + 1], d = level[(j0 + 1) * bw + i0], e = level[(j0 + 1) * bw + i0 + 1];
      out[y * w + x] = (a * (1 - tx) + c * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
    }
  }
  return out;
}

export const flagFlatBadPixels: FramePrimitive = {
  kind: 'frame',
  name: 'flagFlatBadPixels',
  doc: 'Flags as bad (DQ 1) the pixels whose response is below low or above high times the local level of the master flat (of a colour flat: of its pixels of the same colour).',
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
      const dq = (f.dq ??= new Uint16Array(f.sci.length));
      let n = 0;
      const judge = (i: number, level: number) => {
        const r = f.sci[i] / level;
        if (r < lo || r > hi || r - r !== 0) {
          if (!(dq[i] & DQ.bad)) n++;
          dq[i] |= DQ.bad;
        }
      };
      const box = Math.min(num(p, 'boxSize'), f.width, f.height);
      const pattern = cfaPattern(frame.primary, ext.header);
      if (pattern) {
        // A colour flat: each colour against the local level of its own pixels. Its neighbours are of
        // other colours, whose response differs by the lamp's colour and the filters' (a red pixel of a
        // bluish lamp's flat at 0.4 of a 2 x 2 block's mean is no defect).
        for (const [x0, y0] of LATTICES) {
          const sub = latticeOf({ width: f.width, height: f.height, sci: f.sci }, x0, y0);
          const bg = localLevel(sub.sci, sub.width, sub.height, Math.max(2, Math.min(Math.round(box / 2), sub.width, sub.height)));
          for (let y = 0; y < sub.height; y++) {
            for (let x = 0; x < sub.width; x++) judge((y0 + 2 * y) * f.width + x0 + 2 * x, bg[y * sub.width + x]);
          }
          give(sub.sci, bg);
        }
      } else {
        const bg = localLevel(f.sci, f.width, f.height, box);
        for (let i = 0; i < f.sci.length; i++) judge(i, bg[i]);
        give(bg);
      }
      total += n;
      ctx.log(`ext ${ext.extver}: ${n} pixels flagged bad (response outside ${lo}-${hi} of the local level${pattern ? ` of the ${pattern} mosaic's pixels of the same colour` : ''})`);
    }
    setCard(frame.primary, 'NBADPIX', total, 'pixels flagged bad from the flat');
  },
};
