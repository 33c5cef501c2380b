/**
 * The steps of a science stack after detectSources (DRAGONS' stackScience:
 * adjustWCSToReference, resampleToCommonFrame, scaleByIntensity, stackFrames):
 * selectFrames leaves out frames past quality limits, adjustOffsets
 * registers every frame to the reference, scaleToReference brings them to
 * the reference's flux and sky and weights them, resample sets the sub-pixel
 * shift the stack applies while it reads, and stackFrames combines.
 * All but stackFrames work on what was measured, not on pixels (registration
 * reads pixels only for its cross-correlation fallback).
 */
import { offsetFromCrossCorrelation, offsetFromStars, matchPairs } from '../../kernels/registration';
import type { ResampleKernel } from '../../kernels/resample';
import { median } from '../../kernels/stats';
import { DQ } from '../../kernels/dq';
import { activeMembers, choice, num, optNum, param, type GroupPrimitive, type Member, type StackPrimitive } from '../primitive';
import type { Star } from './sources';
import { cfaPattern } from './cfa';

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '?');

export const selectFrames: GroupPrimitive = {
  kind: 'group',
  name: 'selectFrames',
  doc: 'Leaves out of the stack the frames whose image quality is past the limits, each with its reason.',
  params: [
    param('fwhmFactor', 'number', 2, 'Leave out frames whose FWHM exceeds this many times the median FWHM of the set; empty = no limit', { nullable: true, min: 1 }),
    param('maxFwhm', 'number', null, 'Leave out frames whose FWHM exceeds this, pixels; empty = no limit', { nullable: true, min: 0 }),
    param('maxEllipticity', 'number', 0.5, 'Leave out frames whose stars are more elongated than this (trailing, wind shake); empty = no limit', { nullable: true, min: 0, max: 1 }),
    param('noiseFactor', 'number', null, 'Leave out frames whose sky noise exceeds this many times the median of the set; empty = no limit', { nullable: true, min: 1 }),
  ],
  run(members, p, ctx) {
    const act = activeMembers(members);
    const q = (m: Member) => m.meta.quality;
    const medOf = (f: (m: Member) => number | undefined) => {
      const v = act.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
      return v.length ? median(Float64Array.from(v)) : NaN;
    };
    const medFwhm = medOf((m) => q(m)?.fwhm);
    const medNoise = medOf((m) => q(m)?.skyNoise);
    const fwhmFactor = optNum(p, 'fwhmFactor'), maxFwhm = optNum(p, 'maxFwhm');
    const maxEll = optNum(p, 'maxEllipticity'), noiseFactor = optNum(p, 'noiseFactor');
    for (const m of act) {
      const fw = q(m)?.fwhm ?? NaN, ell = q(m)?.ellipticity ?? NaN, noise = q(m)?.skyNoise ?? NaN;
      let why: string | undefined;
      if (maxFwhm !== undefined && fw > maxFwhm) why = `FWHM ${fmt(fw)} px > ${maxFwhm} px`;
      else if (fwhmFactor !== undefined && fw > fwhmFactor * medFwhm) why = `FWHM ${fmt(fw)} px > ${fwhmFactor} x the median ${fmt(medFwhm)} px`;
      else if (maxEll !== undefined && ell > maxEll) why = `ellipticity ${fmt(ell)} > ${maxEll}`;
      else if (noiseFactor !== undefined && noise > noiseFactor * medNoise) why = `sky noise ${fmt(noise)} > ${noiseFactor} x the median ${fmt(medNoise)}`;
      if (why) {
        m.leftOut = why;
        ctx.log(`${m.ref.name} left out: ${why}`);
      }
    }
    const kept = activeMembers(members).length;
    ctx.log(`${kept} of ${act.length} frames kept (median FWHM ${fmt(medFwhm)} px)`);
    if (kept === 0) throw new Error('every frame was left out by the quality limits');
  },
};

/**
 * Extensions not tiled into one image (no DETSEC) still move together with
 * the telescope: their stars are matched all at once, each extension's placed
 * this far from the others so that only stars of the same extension can pair.
 */
const EXTENSION_SPACING = 1e6;

/** The member's stars on one plane (extension k moved by k x EXTENSION_SPACING in x). */
function starPlane(m: Member): Star[] {
  return (m.meta.stars ?? []).map((s) => (s.ext ? { ...s, x: s.x + s.ext * EXTENSION_SPACING } : s));
}

/** The extension with the most stars in the reference: the one cross-correlation looks at. */
function registrationExt(ref: Member): number {
  const counts = new Map<number, number>();
  for (const s of ref.meta.stars ?? []) counts.set(s.ext, (counts.get(s.ext) ?? 0) + 1);
  let best = 0, n = -1;
  for (const [e, c] of counts) if (c > n) { best = e; n = c; }
  return best;
}

export const adjustOffsets: GroupPrimitive = {
  kind: 'group',
  name: 'adjustOffsets',
  doc: 'Finds each frame\'s offset to the reference frame by matching stars; falls back to cross-correlation when too few stars match.',
  params: [
    param('reference', 'choice', 'first', 'Reference frame, whose pixel grid the stack takes: the first in time, or the one with the smallest FWHM', { choices: ['first', 'sharpest'] }),
    param('tolerance', 'number', 2, 'Star matching radius, pixels', { min: 0.1 }),
    param('maxShift', 'number', null, 'Largest offset searched, pixels; empty = any', { nullable: true, min: 1 }),
    param('minMatches', 'integer', 3, 'Fewest matched stars to trust star matching', { min: 1 }),
    // Noise against a field correlates at 0.1-0.15 in small cutouts; a real match at 0.9 and more.
    param('minPeak', 'number', 0.3, 'Cross-correlation: lowest normalized peak accepted', { min: 0, max: 1 }),
  ],
  async run(members, p, ctx) {
    const act = activeMembers(members);
    const ref = choice<'first' | 'sharpest'>(p, 'reference') === 'sharpest'
      ? act.reduce((a, b) => ((b.meta.quality?.fwhm ?? Infinity) < (a.meta.quality?.fwhm ?? Infinity) ? b : a))
      : act[0];
    // The reference goes first: the stack's header and pixel grid are its own.
    members.splice(members.indexOf(ref), 1);
    members.unshift(ref);
    ref.offset = { dx: 0, dy: 0, method: 'reference', nMatched: 0 };
    const ext = registrationExt(ref);
    const refStars = starPlane(ref);
    const opts = { tolerance: num(p, 'tolerance'), maxShift: Math.min(optNum(p, 'maxShift') ?? Infinity, EXTENSION_SPACING / 2), maxStars: 50 };
    let refPixels: Float32Array | undefined;
    for (const m of act) {
      if (m === ref) continue;
      const s = offsetFromStars(refStars, starPlane(m), opts);
      if (s && s.nMatched >= num(p, 'minMatches')) {
        m.offset = { dx: s.dx, dy: s.dy, method: 'stars', nMatched: s.nMatched };
        ctx.log(`${m.ref.name}: offset (${fmt(s.dx, 3)}, ${fmt(s.dy, 3)}) px from ${s.nMatched} stars, rms ${fmt(s.rms, 3)} px`);
        continue;
      }
      // Too few stars: cross-correlate the central part of the frames.
      refPixels ??= (await ctx.readFrame(ref)).exts[ext].data.sci;
      const target = (await ctx.readFrame(m)).exts[ext].data;
      const c = offsetFromCrossCorrelation(refPixels, target.sci, target.width, target.height);
      const maxShift = optNum(p, 'maxShift') ?? Infinity;
      if (!(c.peak >= num(p, 'minPeak')) || Math.abs(c.dx) > maxShift || Math.abs(c.dy) > maxShift) {
        m.leftOut = `not registered: ${s?.nMatched ?? 0} stars matched, cross-correlation peak ${fmt(c.peak)}`;
        // The product lists it with the reason (leftOut); the log says it as it happens.
        ctx.log(`${m.ref.name} left out: ${m.leftOut}`);
        continue;
      }
      m.offset = { dx: c.dx, dy: c.dy, method: 'xcorr', nMatched: s?.nMatched ?? 0 };
      ctx.log(`${m.ref.name}: offset (${fmt(c.dx, 3)}, ${fmt(c.dy, 3)}) px by cross-correlation (peak ${fmt(c.peak)}; ${s?.nMatched ?? 0} stars matched)`);
    }
  },
};

/** Median flux ratio reference / frame over the stars both have. */
function fluxRatio(ref: Member, m: Member, tolerance: number): { ratio: number; n: number } {
  const r = starPlane(ref), t = starPlane(m);
  const off = m.offset ?? { dx: 0, dy: 0 };
  const pairs = matchPairs(r, t, off.dx, off.dy, tolerance);
  const ratios: number[] = [];
  for (const [i, j] of pairs) {
    const a = r[i].flux, b = t[j].flux;
    if (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b)) ratios.push(a / b);
  }
  return { ratio: ratios.length ? median(Float64Array.from(ratios)) : NaN, n: ratios.length };
}

export const scaleToReference: GroupPrimitive = {
  kind: 'group',
  name: 'scaleToReference',
  doc: 'Scales each frame to the reference\'s flux (matched star fluxes, or exposure time), offsets it to the reference\'s sky, and weights it.',
  params: [
    param('scale', 'choice', 'stars', 'Multiplicative scale: from the fluxes of matched stars, from exposure times, or none', { choices: ['stars', 'exposure', 'none'] }),
    param('zero', 'choice', 'sky', 'Additive offset: bring each frame\'s sky level to the reference\'s, or none', { choices: ['sky', 'none'] }),
    param('weight', 'choice', 'noise', 'Frame weights in the mean: none, inverse sky variance (after scaling), or that divided by FWHM squared (favours sharp frames)', { choices: ['none', 'noise', 'quality'] }),
    param('minStars', 'integer', 3, 'Fewest matched stars for a star-flux scale; fewer falls back to exposure time', { min: 1 }),
    param('tolerance', 'number', 2, 'Matching radius for the stars whose fluxes are compared, pixels (after the offsets found)', { min: 0.1 }),
  ],
  run(members, p, ctx) {
    const act = activeMembers(members);
    const ref = act[0];
    const how = choice<'stars' | 'exposure' | 'none'>(p, 'scale');
    for (const m of act) {
      let scale = 1;
      let note = '';
      if (m !== ref && how === 'stars') {
        const fr = fluxRatio(ref, m, num(p, 'tolerance'));
        if (fr.n >= num(p, 'minStars') && fr.ratio > 0) {
          scale = fr.ratio;
          note = `from ${fr.n} stars`;
        } else {
          const te = m.meta.exptime, tr = ref.meta.exptime;
          scale = te && tr ? tr / te : 1;
          ctx.warn(`${m.ref.name}: only ${fr.n} star${fr.n === 1 ? '' : 's'} to scale by; ${te && tr ? 'exposure time ratio used' : 'not scaled'}`);
          note = 'by exposure';
        }
      } else if (m !== ref && how === 'exposure') {
        const te = m.meta.exptime, tr = ref.meta.exptime;
        if (te && tr) scale = tr / te;
        else ctx.warn(`${m.ref.name}: exposure time unknown, not scaled`);
        note = 'by exposure';
      }
      m.scale = scale;
      const sky = m.meta.quality?.sky, refSky = ref.meta.quality?.sky;
      m.zero = choice(p, 'zero') === 'sky' && sky !== undefined && refSky !== undefined && Number.isFinite(sky) && Number.isFinite(refSky)
        ? refSky - scale * sky
        : 0;
      const noise = (m.meta.quality?.skyNoise ?? NaN) * scale;
      const fw = m.meta.quality?.fwhm ?? NaN;
      const w = choice(p, 'weight');
      m.weight = w === 'none' || !(noise > 0) ? 1 : w === 'noise' || !(fw > 0) ? 1 / (noise * noise) : 1 / (noise * noise * fw * fw);
      if (m !== ref) ctx.log(`${m.ref.name}: scale ${scale.toFixed(4)}${note ? ` (${note})` : ''}, zero ${m.zero.toFixed(2)} (added after scaling, in the frames' unit)`);
    }
    // Weights relative to the largest, for a readable record. Weights within 2% of each other
    // would change the noise of the mean by less than 0.01%: they are made equal, and the
    // combine takes its faster unweighted path.
    const wmax = Math.max(...act.map((m) => m.weight));
    const wmin = Math.min(...act.map((m) => m.weight));
    for (const m of act) m.weight = wmax > 0 && wmin / wmax >= 0.98 ? 1 : m.weight / wmax;
    if (choice(p, 'weight') !== 'none') ctx.log(`weights ${act.map((m) => `${m.ref.name} ${m.weight.toFixed(3)}`).join(', ')}`);
  },
};

export const resample: GroupPrimitive = {
  kind: 'group',
  name: 'resample',
  doc: 'Shifts every frame onto the reference\'s pixel grid by sub-pixel interpolation (flux-conserving; VAR and DQ carried); done strip by strip while stacking.',
  params: [
    param('kernel', 'choice', 'lanczos3', 'Interpolation kernel: lanczos3 (sharpest), bicubic, bilinear (smoothest); a colour mosaic (BAYERPAT) is shifted by whole even pixels instead', { choices: ['lanczos3', 'bicubic', 'bilinear'] }),
  ],
  run(members, p, ctx) {
    const kernel = choice<ResampleKernel>(p, 'kernel');
    const patternOf = (m: Member) => cfaPattern(m.stored.primary, m.stored.exts[0]?.header);
    // A colour mosaic must not be interpolated (cfa.ts): whole even pixels keep each pixel on its colour.
    const pattern = activeMembers(members).length ? patternOf(activeMembers(members)[0]) : undefined;
    const say = (p: string | undefined) => (p ? `a colour mosaic (${p})` : 'not a colour mosaic');
    for (const m of activeMembers(members).slice(1)) {
      if (patternOf(m) === pattern) continue;
      m.leftOut = `${say(patternOf(m))} where the reference is ${say(pattern)}: their pixels are not of the same colours`;
      ctx.log(`${m.ref.name} left out: ${m.leftOut}`);
    }
    const act = activeMembers(members);
    const even = (v: number) => 2 * Math.round(v / 2) + 0; // + 0: no -0
    for (const m of act) {
      if (!m.offset) throw new Error(`${m.ref.name} has no offset: adjustOffsets must come before resample`);
      if (m.offset.method === 'reference') continue;
      m.shift = pattern
        ? { dx: even(-m.offset.dx), dy: even(-m.offset.dy), kernel }
        : { dx: -m.offset.dx, dy: -m.offset.dy, kernel };
    }
    if (pattern) {
      const worst = Math.max(0, ...act.filter((m) => m.shift).map((m) => Math.max(Math.abs(m.shift!.dx + m.offset!.dx), Math.abs(m.shift!.dy + m.offset!.dy))));
      ctx.log(`a colour mosaic (${pattern}): shifted by whole even pixels onto the grid of ${act[0].ref.name}, not interpolated, so that every pixel stays on a pixel of its colour (${fmt(worst, 2)} px from the measured offsets at most)`);
      return;
    }
    ctx.log(`${kernel} resampling onto the grid of ${act[0].ref.name}`);
  },
};

/** DQ bits that keep a value out of the combine: bad, saturated, cosmic ray, no data, unilluminated. */
export const DEFAULT_DQ_MASK = DQ.bad | DQ.saturated | DQ.cosmicRay | DQ.noData | DQ.unilluminated;

export const stackFrames: StackPrimitive = {
  kind: 'stack',
  name: 'stackFrames',
  doc: 'Combines the frames pixel by pixel with rejection, streaming them strip by strip; VAR and DQ propagate.',
  params: [
    param('operation', 'choice', 'mean', 'mean, median, sum, or wmean (weights 1/VAR per pixel)', { choices: ['mean', 'median', 'sum', 'wmean'] }),
    param('reject', 'choice', 'sigclip', 'Rejection of outlying values at each pixel', { choices: ['none', 'minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'] }),
    param('lsigma', 'number', 3, 'Lower clipping limit, sigmas', { min: 0 }),
    param('hsigma', 'number', 3, 'Upper clipping limit, sigmas', { min: 0 }),
    param('maxIters', 'integer', 10, 'Clipping iterations at most', { min: 1, max: 100 }),
    param('nlow', 'integer', 1, 'minmax: lowest values dropped', { min: 0 }),
    param('nhigh', 'integer', 1, 'minmax: highest values dropped', { min: 0 }),
    param('scale', 'choice', 'none', 'Frame scaling before combining: none, each frame by its inverse median (flats), or as scaleToReference decided', { choices: ['none', 'median', 'reference'] }),
    param('dqMask', 'integer', DEFAULT_DQ_MASK, 'DQ bits that keep a value out (default: bad, saturated, cosmic ray, no data, unilluminated)', { min: 0, max: 65535 }),
  ],
};
