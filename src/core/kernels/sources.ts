/**
 * Source detection and measurement on a background-subtracted image.
 *
 * Detection: pixels more than threshold*sigma above the background are
 * grouped into 8-connected segments (iterative flood fill with an explicit
 * stack, so a huge segment cannot overflow the call stack); segments
 * smaller than minArea pixels are dropped. No deblending.
 *
 * Measurement per segment:
 *  - isophotal flux (sum above background over the segment), peak, area;
 *  - centroid and shape from adaptive Gaussian-weighted moments: starting
 *    from the segment's first and second moments, the source is weighted by
 *    an elliptical Gaussian window W of the current shape estimate C. For a
 *    Gaussian source the weighted moments M satisfy M^-1 = C^-1 + W^-1, and
 *    the weighted centroid is pulled towards the window centre in the same
 *    way, so both are corrected back exactly; iterating converges on the
 *    source's own centroid and covariance (SExtractor's XWIN, HSM-style
 *    adaptive moments). This reaches ~0.01 px on bright stars, where the
 *    segment's first moments are biased by where the isophote cuts pixels.
 *  - FWHM = 2.3548 sqrt((sxx + syy) / 2), ellipticity 1 - b/a, position angle.
 * If the adaptive iteration fails (too faint, wild shape), the segment
 * moments are kept and the `momentsFallback` flag is set.
 *
 * Coordinates are 0-based with pixel centres at integers (FITS is 1-based:
 * add 1 to compare with DS9).
 */
import { give, take, takeZeroed } from './scratch';

export const SourceFlag = {
  /** A pixel of the segment is at or above the saturation level. */
  saturated: 1,
  /** The segment touches the image border (or the measurement window leaves the image). */
  edge: 2,
  /** Adaptive moments did not converge; centroid and shape are segment moments. */
  momentsFallback: 4,
} as const;

export interface Source {
  x: number;
  y: number;
  /** Sum above background over the segment. */
  flux: number;
  /** Highest value above background in the segment. */
  peak: number;
  /** Pixels in the segment. */
  area: number;
  fwhm: number;
  /** 1 - b/a. */
  ellipticity: number;
  /** Position angle of the major axis, radians from +x towards +y. */
  theta: number;
  /** Second moments (px^2). */
  sxx: number;
  syy: number;
  sxy: number;
  /** Bit set of SourceFlag. */
  flags: number;
}

export interface DetectOptions {
  /** Background level: a number or a per-pixel map. Default: 0. */
  background?: number | Float32Array;
  /** Background noise: a number or a per-pixel map. Required. */
  sigma: number | Float32Array;
  /** Detection threshold in sigmas. Default 5. */
  threshold?: number;
  /** Minimum connected pixels. Default 5. */
  minArea?: number;
  /** Raw values at or above this are saturated. Default Infinity. */
  saturation?: number;
  /** Non-zero pixels are never part of a source. */
  mask?: Uint8Array;
  /** Keep at most this many sources (the brightest). Default: all. */
  maxSources?: number;
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

interface Moments { x: number; y: number; sxx: number; syy: number; sxy: number }

/** Adaptive Gaussian-weighted moments; null when they do not converge to something sensible. */
function adaptiveMoments(
  img: (k: number) => number, w: number, h: number, start: Moments,
): { m: Moments; touchesEdge: boolean } | null {
  let { x, y, sxx, syy, sxy } = start;
  let touchesEdge = false;
  for (let iter = 0; iter < 30; iter++) {
    const det = sxx * syy - sxy * sxy;
    if (!(det > 0) || sxx <= 0 || syy <= 0) return null;
    // Window inverse covariance.
    const ixx = syy / det, iyy = sxx / det, ixy = -sxy / det;
    const rad = Math.ceil(4 * Math.sqrt(Math.max(sxx, syy)));
    if (rad > 50) return null;
    const x0 = Math.round(x) - rad, x1 = Math.round(x) + rad, y0 = Math.round(y) - rad, y1 = Math.round(y) + rad;
    touchesEdge = x0 < 0 || y0 < 0 || x1 >= w || y1 >= h;
    let s0 = 0, s1x = 0, s1y = 0, s2xx = 0, s2yy = 0, s2xy = 0;
    for (let yy = Math.max(0, y0); yy <= Math.min(h - 1, y1); yy++) {
      const dy = yy - y;
      for (let xx = Math.max(0, x0); xx <= Math.min(w - 1, x1); xx++) {
        const dx = xx - x;
        const q = ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy;
        if (q > 16) continue;
        const v = img(yy * w + xx) * Math.exp(-0.5 * q);
        s0 += v; s1x += v * dx; s1y += v * dy;
        s2xx += v * dx * dx; s2yy += v * dy * dy; s2xy += v * dx * dy;
      }
    }
    if (!(s0 > 0)) return null;
    const mx = s1x / s0, my = s1y / s0;
    const mxx = s2xx / s0 - mx * mx, myy = s2yy / s0 - my * my, mxy = s2xy / s0 - mx * my;
    const mdet = mxx * myy - mxy * mxy;
    if (!(mdet > 0)) return null;
    // Source inverse covariance = M^-1 - W^-1.
    const jxx = myy / mdet - ixx, jyy = mxx / mdet - iyy, jxy = -mxy / mdet - ixy;
    const jdet = jxx * jyy - jxy * jxy;
    if (!(jdet > 0) || jxx <= 0) return null;
    const nxx = jyy / jdet, nyy = jxx / jdet, nxy = -jxy / jdet;
    // Weighted mean offset m (relative to the window centre) = M C^-1 (mu - xc), so mu - xc = C M^-1 m.
    const ax = (myy * mx - mxy * my) / mdet, ay = (mxx * my - mxy * mx) / mdet;
    const ddx = nxx * ax + nxy * ay, ddy = nxy * ax + nyy * ay;
    if (Math.abs(ddx) > rad || Math.abs(ddy) > rad) return null;
    x += ddx; y += ddy;
    const change = Math.abs(ddx) + Math.abs(ddy) + Math.abs(nxx - sxx) + Math.abs(nyy - syy);
    sxx = nxx; syy = nyy; sxy = nxy;
    if (change < 1e-6) break;
  }
  if (!(sxx > 0 && syy > 0) || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  return { m: { x, y, sxx, syy, sxy }, touchesEdge };
}

function shape(sxx: number, syy: number, sxy: number): { fwhm: number; ellipticity: number; theta: number } {
  const half = (sxx + syy) / 2;
  const d = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
  const a2 = half + d, b2 = Math.max(0, half - d);
  return {
    fwhm: FWHM_PER_SIGMA * Math.sqrt(half),
    ellipticity: a2 > 0 ? 1 - Math.sqrt(b2 / a2) : 0,
    theta: 0.5 * Math.atan2(2 * sxy, sxx - syy),
  };
}

export function detectSources(data: Float32Array, width: number, height: number, opts: DetectOptions): Source[] {
  const w = width, h = height, n = w * h;
  if (data.length !== n) throw new Error('detectSources: data size differs from width*height');
  const { background = 0, sigma, threshold = 5, minArea = 5, saturation = Infinity, mask, maxSources } = opts;
  const bkgAt = typeof background === 'number' ? () => background : (k: number) => background[k];
  const sigAt = typeof sigma === 'number' ? () => sigma : (k: number) => sigma[k];
  const above = (k: number): number => data[k] - bkgAt(k);

  // Whole-frame scratch from the pool (./scratch.ts), given back below.
  const label = takeZeroed(Int32Array, n); // 0 = not yet visited
  const stack = take(Int32Array, n);
  const members: number[] = [];
  const sources: Source[] = [];
  let nextLabel = 1;

  // With one sky level and noise for the whole frame, the scan for seeds is a plain comparison.
  const flat = typeof background === 'number' && typeof sigma === 'number';
  const bkg0 = flat ? background : 0, above0 = flat ? threshold * sigma : 0;
  for (let seed = 0; seed < n; seed++) {
    if (flat) {
      // Skip, without touching the labels, everything below the limit (nearly the whole frame).
      // The same expression as the test below, so the same pixels pass.
      while (seed < n && !(data[seed] - bkg0 > above0)) seed++;
      if (seed >= n) break;
    }
    if (label[seed] !== 0) continue;
    const v0 = data[seed];
    if (!(v0 - bkgAt(seed) > threshold * sigAt(seed)) || (mask && mask[seed])) { label[seed] = -1; continue; }
    const id = nextLabel++;
    members.length = 0;
    let sp = 0;
    stack[sp++] = seed;
    label[seed] = id;
    while (sp > 0) {
      const k = stack[--sp];
      members.push(k);
      const kx = k % w, ky = (k / w) | 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = ky + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = kx + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (label[q] !== 0) continue;
          if (data[q] - bkgAt(q) > threshold * sigAt(q) && !(mask && mask[q])) { label[q] = id; stack[sp++] = q; }
          else label[q] = -1;
        }
      }
    }
    // A pixel marked -1 as a neighbour may be a seed of nothing, but a pixel below threshold
    // never joins a segment, so marking it early is safe.
    if (members.length < minArea) continue;

    let flags = 0;
    let s0 = 0, sx = 0, sy = 0, peak = -Infinity;
    for (const k of members) {
      const v = above(k);
      const kx = k % w, ky = (k / w) | 0;
      if (data[k] >= saturation) flags |= SourceFlag.saturated;
      if (kx === 0 || ky === 0 || kx === w - 1 || ky === h - 1) flags |= SourceFlag.edge;
      if (v > peak) peak = v;
      s0 += v; sx += v * kx; sy += v * ky;
    }
    const cx = sx / s0, cy = sy / s0;
    let sxx = 0, syy = 0, sxy = 0;
    for (const k of members) {
      const v = above(k);
      const dx = (k % w) - cx, dy = ((k / w) | 0) - cy;
      sxx += v * dx * dx; syy += v * dy * dy; sxy += v * dx * dy;
    }
    // Floor the start shape: a 1-pixel-wide segment has zero second moment along one axis.
    const seg: Moments = { x: cx, y: cy, sxx: Math.max(sxx / s0, 0.25), syy: Math.max(syy / s0, 0.25), sxy: sxy / s0 };
    if (seg.sxy * seg.sxy >= seg.sxx * seg.syy) seg.sxy = 0;
    const ad = flags & SourceFlag.saturated ? null : adaptiveMoments(above, w, h, seg);
    let m = seg;
    if (ad && Math.hypot(ad.m.x - cx, ad.m.y - cy) < 2) {
      m = ad.m;
      if (ad.touchesEdge) flags |= SourceFlag.edge;
    } else {
      flags |= SourceFlag.momentsFallback;
    }
    const sh = shape(m.sxx, m.syy, m.sxy);
    sources.push({
      x: m.x, y: m.y, flux: s0, peak, area: members.length,
      fwhm: sh.fwhm, ellipticity: sh.ellipticity, theta: sh.theta,
      sxx: m.sxx, syy: m.syy, sxy: m.sxy, flags,
    });
  }
  sources.sort((a, b) => b.flux - a.flux);
  give(label, stack);
  return maxSources !== undefined ? sources.slice(0, maxSources) : sources;
}
