/**
 * flagCosmicRays: L.A.Cosmic (van Dokkum 2001) on each extension, as
 * astroscrappy does (kernels/cosmic.ts). Hits are flagged DQ 8 and, by
 * default, replaced by the median of their good neighbours, so the reduced
 * frame is clean for any reader (ccdproc cleans too; DRAGONS only flags).
 */
import { DQ } from '../../kernels/dq';
import type { Frame } from '../../kernels/frame';
import { borrow, give, take, takeZeroed } from '../../kernels/scratch';
import { LATTICES, blockMeans, latticeOf, latticePlane } from '../../kernels/lattice';
import { globalBackground } from '../../kernels/background';
import { detectSources as detect } from '../../kernels/sources';
import { cfaPattern } from './cfa';
import { detectCosmicRays } from '../../kernels/cosmic';
import { medianInPlace } from '../../kernels/select';
import { sampleStride } from '../../kernels/stats';
import { setCard } from '../cards';
import { dqMask } from './masks';
import { bool, num, optNum, param, type FramePrimitive } from '../primitive';
import type { StepValues } from '../params';
import { readNoiseOf } from './electrons';
import { measuredGainOf } from './gain';
import { scale, toElectrons } from '../../kernels/arith';

/** Pixels never taken for cosmic rays or used to clean them: bad, no data, unilluminated, and saturated grown by 2 px. */
function exclusionMask(dq: Uint16Array | undefined, w: number, h: number): Uint8Array | undefined {
  return dq && dqMask(dq, w, h, DQ.bad | DQ.noData | DQ.unilluminated, 2, takeZeroed(Uint8Array, w * h));
}

/**
 * Values that are not measurements would poison the medians and the
 * Laplacian around them: fill values (0 where a division or resampling had
 * nothing to give) and bad pixels (a dead column reads ~0, and the columns
 * beside it then look like sharp peaks). The kernel fills them from their
 * neighbours. Undefined when there is none.
 */
function unusablePixels(dq: Uint16Array | undefined): Uint8Array | undefined {
  if (!dq) return undefined;
  let out: Uint8Array | undefined;
  for (let i = 0; i < dq.length; i++) {
    if (!(dq[i] & (DQ.noData | DQ.unilluminated | DQ.bad))) continue;
    out ??= takeZeroed(Uint8Array, dq.length);
    out[i] = 1;
  }
  return out;
}

/**
 * The variance a frame's VAR holds beyond the Poisson term of its counts, in
 * electrons squared: read noise, the shot noise of the dark current a dark
 * took out, the noise of the master calibrations. L.A.Cosmic's noise model
 * (med5 of the counts + rn^2) knows only the read noise; on a cooled CCD's
 * 300 s frame with 1 e-/s of dark current the true noise is 1.5 times the
 * model, and a 4.5-sigma test then flags ~0.4% of pure sky. The median over
 * the frame of VAR - max(sci, 0) (good pixels, a regular sample) gives that
 * term once, whatever a hit adds (a hit's counts are in both). NaN when no
 * pixel gives it.
 */
export function varianceBeyondCounts(sci: Float32Array, v: Float32Array, width: number, dq?: Uint16Array): number {
  const stride = sampleStride(sci.length, width, 200_000);
  // The sample (1.6 MB of a 2k frame) is the scratch pool's.
  return borrow(Float64Array, Math.ceil(sci.length / stride), (buf) => {
    let n = 0;
    for (let i = 0; i < sci.length; i += stride) {
      const x = sci[i], e = v[i] - (x > 0 ? x : 0);
      if (e - e === 0 && (!dq || dq[i] === 0)) buf[n++] = e;
    }
    return n ? medianInPlace(buf, n) : NaN;
  });
}

/** Groups at least this many pixels wide and tall, filling at least half of their box, are not hits. */
const COMPACT_SIDE = 4;

/** A group's box, inclusive. */
export interface Box { x0: number; x1: number; y0: number; y1: number }

/**
 * Clears from `mask` the connected groups of flagged pixels (8-connected)
 * that are compact blobs at least COMPACT_SIDE pixels on each side, fill at
 * least half of their bounding box and, when `isStar` is given, pass it:
 * cosmic rays are small spots or thin tracks, such a blob is the core of a
 * star (or a galaxy). L.A.Cosmic can eat one: near a bright neighbour the
 * fine-structure median is raised, the objlim test passes on a flank, and
 * each pass's cleaning carves the next pass's candidates out of the core
 * (30-36 pixels of the brighter star of a close pair in three frames of the
 * sample night; astroscrappy does the same). Returns how many pixels and
 * groups were cleared.
 */
export function clearCompactGroups(
  mask: Uint8Array, w: number, h: number, isStar?: (members: readonly number[], box: Box) => boolean,
): { pixels: number; groups: number } {
  let seen: Uint8Array | undefined; // made at the first flag: most of a frame has none
  const stack: number[] = [];
  const members: number[] = [];
  let pixels = 0, groups = 0;
  for (let q = 0; q < mask.length; q++) {
    if (!mask[q]) continue;
    seen ??= takeZeroed(Uint8Array, mask.length);
    if (seen[q]) continue;
    members.length = 0;
    stack.push(q);
    seen[q] = 1;
    let x0 = w, x1 = -1, y0 = h, y1 = -1;
    while (stack.length) {
      const i = stack.pop()!;
      members.push(i);
      const x = i % w, y = (i / w) | 0;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
          const j = yy * w + xx;
          if (mask[j] && !seen[j]) { seen[j] = 1; stack.push(j); }
        }
      }
    }
    const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    if (bw >= COMPACT_SIDE && bh >= COMPACT_SIDE && members.length * 2 >= bw * bh && (!isStar || isStar(members, { x0, x1, y0, y1 }))) {
      for (const i of members) mask[i] = 0;
      pixels += members.length;
      groups++;
    }
  }
  give(seen);
  return { pixels, groups };
}

/** How far above the sky (in its noise) the ring around a blob must sit for the blob to be a star's core. */
const WING_SIGMA = 5;

/**
 * A star has wings: the pixels just outside a blob of flags on its core sit
 * well above the sky around it. A hit has sharp edges (the growth steps
 * already took its brighter neighbours): just outside, the sky. The ring is
 * the group's 8-neighbours; the sky, the square 4 px outside its box; the
 * noise, sqrt(sky + rn^2) in electrons.
 */
function hasWings(sci: Float32Array, mask: Uint8Array, w: number, h: number, members: readonly number[], box: Box, readNoise: number): boolean {
  const ring: number[] = [];
  const seen = new Set<number>();
  for (const i of members) {
    const x = i % w, y = (i / w) | 0;
    for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
      for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
        const j = yy * w + xx;
        if (!mask[j] && !seen.has(j)) { seen.add(j); ring.push(sci[j]); }
      }
    }
  }
  const sky: number[] = [];
  const d = 4, X0 = box.x0 - d, X1 = box.x1 + d, Y0 = box.y0 - d, Y1 = box.y1 + d;
  for (let y = Math.max(0, Y0); y <= Math.min(h - 1, Y1); y++) {
    for (let x = Math.max(0, X0); x <= Math.min(w - 1, X1); x++) {
      if ((x === X0 || x === X1 || y === Y0 || y === Y1) && !mask[y * w + x]) sky.push(sci[y * w + x]);
    }
  }
  if (!ring.length || !sky.length) return false;
  const median = (a: number[]) => medianInPlace(Float64Array.from(a.filter((v) => v === v)));
  const bg = median(sky);
  return median(ring) - bg > WING_SIGMA * Math.sqrt(Math.max(bg, 0) + readNoise * readNoise);
}

/**
 * A replaced pixel's value is the median of its good 5x5 neighbours (the
 * kernel's cleaning): its VAR becomes theirs (their median), not the hit's,
 * which described a value no longer there. The same neighbours: neither hits
 * nor excluded.
 */
function neighbourVariance(v: Float32Array, hits: Uint8Array, excluded: Uint8Array | undefined, w: number, h: number): Map<number, number> {
  const out = new Map<number, number>();
  const buf = new Float64Array(25);
  for (let q = 0; q < hits.length; q++) {
    if (!hits[q]) continue;
    const x = q % w, y = (q / w) | 0;
    let n = 0;
    for (let yy = Math.max(0, y - 2); yy <= Math.min(h - 1, y + 2); yy++) {
      for (let xx = Math.max(0, x - 2); xx <= Math.min(w - 1, x + 2); xx++) {
        const i = yy * w + xx;
        if (!hits[i] && !(excluded && excluded[i])) buf[n++] = v[i];
      }
    }
    if (n) out.set(q, medianInPlace(buf, n));
  }
  return out;
}

/**
 * The noise (e-) besides the counts' own in L.A.Cosmic's model: the read
 * noise, or with `fromVar` what VAR holds beyond the counts, pixel by pixel
 * (the kernel's `variance`: a hot pixel's dark current, which the dark took
 * out, keeps it from being taken for a hit); `typical` is its median over the
 * frame (varianceBeyondCounts), for the star test and the CRNOISE card.
 */
function noiseNotInCounts(f: Frame, rn: number, fromVar: boolean): { typical: number; variance?: Float32Array } {
  if (!fromVar || !f.var) return { typical: rn };
  const e = varianceBeyondCounts(f.sci, f.var, f.width, f.dq);
  return { typical: e > 0 ? Math.sqrt(e) : rn, variance: f.var };
}

export const flagCosmicRays: FramePrimitive = {
  kind: 'frame',
  name: 'flagCosmicRays',
  doc: 'Finds cosmic-ray hits with L.A.Cosmic, flags them DQ 8 and (by default) replaces them by the median of their good neighbours.',
  params: [
    param('sigclip', 'number', 4.5, 'Laplacian-to-noise limit for a cosmic-ray pixel', { min: 0.1 }),
    param('sigfrac', 'number', 0.3, 'Fraction of sigclip for the pixels around a hit', { min: 0.01, max: 1 }),
    param('objlim', 'number', 5, 'Contrast limit between a hit and the fine structure of stars', { min: 0.1 }),
    param('niter', 'integer', 4, 'Detect-and-clean passes', { min: 1, max: 10 }),
    param('readNoise', 'number', null, 'Read noise in electrons, where the noise model does not come from VAR (noiseFromVar off, or no VAR); empty = from the header', { nullable: true, min: 0 }),
    param('noiseFromVar', 'boolean', true, 'Take the noise the counts do not explain (read noise, dark current, the calibrations) from VAR where the frame has one, in place of the read noise alone'),
    param('replace', 'boolean', true, 'Replace the hits in SCI (off: only flag them in DQ)'),
  ],
  run(frame, p, ctx) {
    // A frame left in ADU with a gain measured on its flats (gain.ts) is searched in electrons through
    // that gain, and put back in ADU after: at an assumed 1 e-/ADU, a camera of 0.25 had 1700-1900
    // pixels a frame flagged where about 20 were hits.
    const gains = frame.bunit === 'adu' ? frame.exts.map((_, k) => measuredGainOf(frame, k, ctx)?.gain) : [];
    if (frame.bunit !== 'electron' && !(gains.length && gains.every((g) => g !== undefined))) {
      ctx.warn('flagCosmicRays runs best on frames in electrons (its noise model assumes it); this frame is in ADU');
    }
    let total = 0;
    frame.exts.forEach((ext, k) => {
      const f = ext.data;
      const gain = gains[k];
      if (gain !== undefined) {
        toElectrons(f, gain, f);
        ctx.log(`ext ${ext.extver}: searched in electrons through the measured gain, ${gain} e-/ADU`);
      }
      const rn = readNoiseOf(frame, k, optNum(p, 'readNoise'), ctx);
      const fromVar = bool(p, 'noiseFromVar') && (frame.bunit === 'electron' || gain !== undefined);
      const pattern = cfaPattern(frame.primary, ext.header);
      let found: Flagged;
      if (pattern) {
        const m = flagMosaic(f, rn, fromVar, p);
        found = m.found;
        ctx.log(`ext ${ext.extver}: a colour mosaic (${pattern}): each colour's pixels searched on their own, the cores of ${m.guarded} star${m.guarded === 1 ? '' : 's'} found on its 2 x 2 block means left out`);
      } else {
        found = flagPlane(f, rn, fromVar, p);
      }
      if (found.fromVar) ctx.log(`ext ${ext.extver}: noise model med5 + VAR beyond the counts, typically ${found.noise.toPrecision(4)}^2 e^2 (read noise ${rn}, dark current, calibrations)`);
      setCard(ext.header, 'NCOSMIC', found.nFound, 'pixels flagged as cosmic rays');
      const how = !found.fromVar ? '' : pattern ? ' (the colours\' medians, largest)' : ' (median)';
      setCard(ext.header, 'CRNOISE', Number(found.noise.toPrecision(4)), `e-, noise besides the counts' in the CR model${how}`);
      total += found.nFound;
      if (gain !== undefined) scale(f, 1 / gain, f);
      const { spared } = found;
      const sparedText = spared.groups ? `; ${spared.pixels} pixels in ${spared.groups} compact group${spared.groups === 1 ? '' : 's'} left alone (a star's core, not a hit)` : '';
      ctx.log(`ext ${ext.extver}: ${found.nFound} cosmic-ray pixels${bool(p, 'replace') ? ' flagged and replaced' : ' flagged'}${sparedText}`);
    });
    setCard(frame.primary, 'NCOSMIC', total, 'pixels flagged as cosmic rays (all extensions)');
  },
};

/**
 * L.A.Cosmic on a colour mosaic (cfa.ts). A pixel's neighbours are of other
 * colours and differ by the scene's colour: on an orange sky the mosaic as
 * a whole read as hits (13 thousand pixels of a 640 x 480 frame), and with
 * its colours brought to one level, stars of colours other than the sky's
 * still did (their checkerboard). So each colour's pixels are searched on
 * their own; at half the sampling a sharp star (2.6 px FWHM) reads as hits
 * there (up to 283 of its pixels a frame, none left to measure), so the
 * stars are found first on the mosaic's 2 x 2 block means, at its own
 * sampling, and their cores kept out of the search (starGuard): a hit on a
 * star is left to the stack's rejection.
 */
function flagMosaic(f: Frame, readNoise: number, fromVar: boolean, p: StepValues): { found: Flagged; guarded: number } {
  const guard = starGuard(f);
  const parts = LATTICES.map(([x0, y0]) => {
    const sub = latticeOf(f, x0, y0);
    const subGuard = guard && latticePlane(guard.mask, f.width, f.height, x0, y0, take(Uint8Array, sub.width * sub.height));
    const r = flagPlane(sub, readNoise, fromVar, p, subGuard);
    putBack(f, sub, x0, y0, bool(p, 'replace'));
    give(sub.sci, sub.var, sub.dq, subGuard);
    return r;
  });
  give(guard?.mask);
  return {
    found: {
      nFound: parts.reduce((n, r) => n + r.nFound, 0),
      spared: { pixels: parts.reduce((n, r) => n + r.spared.pixels, 0), groups: parts.reduce((n, r) => n + r.spared.groups, 0) },
      noise: Math.max(...parts.map((r) => r.noise)),
      fromVar: parts.some((r) => r.fromVar),
    },
    guarded: guard?.stars ?? 0,
  };
}

/**
 * The cores of the stars of a mosaic (within 1.5 FWHM of each), found on its
 * 2 x 2 block means (5 sigma, 5 pixels). A hit is no star there: one pixel
 * spread over a 2 x 2 block has a FWHM of ~1.4 px and a track is elongated,
 * where a star of 2.6 px FWHM measures 2.85 px; only round sources wider than
 * 2 px are guarded.
 */
function starGuard(f: Frame): { mask: Uint8Array; stars: number } | undefined {
  const b = blockMeans(f);
  const bg = globalBackground(b.sci, { maxSamples: 262_144 });
  const sources = bg.sigma > 0 ? detect(b.sci, b.width, b.height, { background: bg.median, sigma: bg.sigma, threshold: 5, minArea: 5, maxSources: 5000 }) : [];
  give(b.sci, b.dq);
  const stars = sources.filter((s) => s.fwhm > 2 && s.ellipticity < 0.5);
  if (!stars.length) return undefined;
  const w = f.width, h = f.height;
  const mask = takeZeroed(Uint8Array, w * h);
  for (const s of stars) {
    const cx = s.x + 0.5, cy = s.y + 0.5, r = 1.5 * s.fwhm;
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(h - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
        if (Math.hypot(x - cx, y - cy) <= r) mask[y * w + x] = 1;
      }
    }
  }
  return { mask, stars: stars.length };
}

/** A searched sub-lattice's flags (and, when the hits were replaced, their values and VAR) back into the mosaic. */
function putBack(f: Frame, sub: Frame, x0: number, y0: number, replaced: boolean): void {
  const w = f.width;
  f.dq ??= takeZeroed(Uint16Array, w * f.height);
  for (let y = 0; y < sub.height; y++) {
    for (let x = 0; x < sub.width; x++) {
      const j = y * sub.width + x;
      if (!(sub.dq![j] & DQ.cosmicRay)) continue;
      const i = (y0 + 2 * y) * w + x0 + 2 * x;
      f.dq[i] |= DQ.cosmicRay;
      if (!replaced) continue;
      f.sci[i] = sub.sci[j];
      if (f.var && sub.var) f.var[i] = sub.var[j];
    }
  }
}

interface Flagged {
  nFound: number;
  spared: { pixels: number; groups: number };
  /** The noise besides the counts' the model used (its median over the plane when from VAR), e-. */
  noise: number;
  fromVar: boolean;
}

/** L.A.Cosmic on one plane (an extension, or one colour of a mosaic): flags DQ 8, replaces the hits when asked. */
function flagPlane(f: Frame, readNoise: number, fromVar: boolean, p: StepValues, guard?: Uint8Array): Flagged {
  const noise = noiseNotInCounts(f, readNoise, fromVar);
  const rn = noise.typical;
  // Pixels kept out (a mosaic's star cores) are excluded like bad ones: never flagged, never used to clean.
  let mask = exclusionMask(f.dq, f.width, f.height);
  if (guard) {
    mask ??= takeZeroed(Uint8Array, f.width * f.height);
    for (let i = 0; i < guard.length; i++) if (guard[i]) mask[i] = 1;
  }
  const unusable = unusablePixels(f.dq);
  const res = detectCosmicRays(f.sci, f.width, f.height, {
    unusable,
    sigclip: num(p, 'sigclip'),
    sigfrac: num(p, 'sigfrac'),
    objlim: num(p, 'objlim'),
    niter: num(p, 'niter'),
    readnoise: rn,
    variance: noise.variance,
    gain: 1,
    // Saturated stars are already out through the mask.
    satlevel: Infinity,
    mask,
    clean: bool(p, 'replace'),
  });
  const spared = clearCompactGroups(res.mask, f.width, f.height, (members, box) => hasWings(f.sci, res.mask, f.width, f.height, members, box, rn));
  f.dq ??= new Uint16Array(f.width * f.height);
  // VAR of a replaced pixel: read before any is replaced, from the same neighbours the value came from.
  const cleanedVar = res.cleaned && f.var ? neighbourVariance(f.var, res.mask, mask, f.width, f.height) : undefined;
  for (let i = 0; i < f.sci.length; i++) {
    if (!res.mask[i]) continue;
    f.dq[i] |= DQ.cosmicRay;
    if (res.cleaned) f.sci[i] = res.cleaned[i];
  }
  if (cleanedVar) for (const [i, v] of cleanedVar) f.var![i] = v;
  // Every whole-frame mask here is this step's own: back to the scratch pool for the next frame.
  give(mask, unusable, res.mask, res.cleaned);
  return { nFound: res.nFound - spared.pixels, spared, noise: rn, fromVar: noise.variance !== undefined };
}
