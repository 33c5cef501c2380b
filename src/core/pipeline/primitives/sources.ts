/**
 * detectSources: stars and image quality of a frame (DRAGONS' detectSources
 * + measureIQ). Finds sources above the sky, keeps the clean point-like ones
 * (unsaturated, unflagged, not at an edge, moments converged), and measures:
 *   FWHM and ellipticity: medians over those stars (adaptive moments);
 *   sky level and noise: clipped median and robust sigma of the frame;
 *   aperture flux of every star in a radius of `apertureFwhm` x the frame's
 *   FWHM, with the sky of an annulus around it: an aperture that scales with
 *   the seeing holds the same fraction of every star's light in every frame,
 *   so flux ratios between frames (the stack's scaling) are unbiased by seeing.
 * The star list (brightest first) is what registration matches.
 */
import { DQ } from '../../kernels/dq';
import { globalBackground } from '../../kernels/background';
import { detectSources as detect, type Source } from '../../kernels/sources';
import { median } from '../../kernels/stats';
import type { Frame } from '../../kernels/frame';
import { setCard } from '../cards';
import { dqMask } from './masks';
import { give, takeZeroed } from '../../kernels/scratch';
import { blockMeans } from '../../kernels/lattice';
import { cfaPattern } from './cfa';
import type { QualityFigures, Star } from '../products';
import { canonicalJson } from '../signature';
import { num, param, type FramePrimitive } from '../primitive';

export type { Star };

export interface MeasureOptions {
  threshold: number;
  minArea: number;
  /** Stars with peak / sky noise below this are not used for FWHM and ellipticity. */
  minPeakSnr: number;
  maxStars: number;
  apertureFwhm: number;
}

/** Pixels no source may use: bad, saturated (grown by 2 px), cosmic rays, no data. */
function sourceMask(f: Frame): { mask?: Uint8Array; saturated?: Uint8Array } {
  if (!f.dq) return {};
  const { width: w, height: h, dq } = f;
  // From the scratch pool: measureFrame gives them back.
  const mask = dqMask(dq, w, h, DQ.bad | DQ.noData | DQ.unilluminated | DQ.cosmicRay, 0, takeZeroed(Uint8Array, w * h));
  const saturated = dqMask(dq, w, h, 0, 2, takeZeroed(Uint8Array, w * h));
  return { mask, saturated };
}

/** Sum above the annulus sky within radius r of (x, y); NaN when the aperture leaves the frame or meets a masked pixel. */
export function apertureFlux(f: Frame, x: number, y: number, r: number, mask?: Uint8Array): number {
  const { width: w, height: h, sci } = f;
  const rIn = r + 2, rOut = r + 6;
  const x0 = Math.floor(x - rOut), x1 = Math.ceil(x + rOut), y0 = Math.floor(y - rOut), y1 = Math.ceil(y + rOut);
  if (x0 < 0 || y0 < 0 || x1 >= w || y1 >= h) return NaN;
  const sky: number[] = [];
  let sum = 0, npix = 0;
  for (let yy = y0; yy <= y1; yy++) {
    for (let xx = x0; xx <= x1; xx++) {
      const d = Math.hypot(xx - x, yy - y);
      const k = yy * w + xx;
      if (d <= r) {
        if (mask && mask[k]) return NaN;
        sum += sci[k];
        npix++;
      } else if (d >= rIn && d <= rOut && !(mask && mask[k])) {
        sky.push(sci[k]);
      }
    }
  }
  if (sky.length < 8) return NaN;
  return sum - npix * median(Float64Array.from(sky));
}

/** Stars and quality figures of one extension. */
export function measureFrame(f: Frame, ext: number, opts: MeasureOptions): { stars: Star[]; sky: number; skyNoise: number; fwhms: number[]; ells: number[] } {
  const { mask, saturated } = sourceMask(f);
  // A quarter of a million pixels set the sky to a tiny fraction of its noise.
  const bg = globalBackground(f.sci, { mask, maxSamples: 262_144 });
  if (!(bg.sigma > 0)) {
    give(mask, saturated);
    return { stars: [], sky: bg.median, skyNoise: bg.sigma, fwhms: [], ells: [] };
  }
  const sources = detect(f.sci, f.width, f.height, {
    background: bg.median,
    sigma: bg.sigma,
    threshold: opts.threshold,
    minArea: opts.minArea,
    mask,
    maxSources: 4 * opts.maxStars,
  });
  const clean = (s: Source) => {
    if (s.flags !== 0 || !(s.fwhm > 0.5)) return false;
    if (saturated && saturated[Math.round(s.y) * f.width + Math.round(s.x)]) return false;
    return true;
  };
  const good = sources.filter(clean);
  // Image quality from stars well above the noise, so faint blends and noise peaks do not widen it.
  const bright = good.filter((s) => s.peak > opts.minPeakSnr * bg.sigma);
  const fwhms = bright.map((s) => s.fwhm);
  const ells = bright.map((s) => s.ellipticity);
  const fwhm = fwhms.length ? median(Float64Array.from(fwhms)) : NaN;
  const r = Math.max(3, opts.apertureFwhm * (Number.isFinite(fwhm) ? fwhm : 3));
  const stars: Star[] = [];
  for (const s of good.slice(0, opts.maxStars)) {
    stars.push({ x: s.x, y: s.y, flux: apertureFlux(f, s.x, s.y, r, mask), fwhm: s.fwhm, ellipticity: s.ellipticity, peak: s.peak, ext });
  }
  give(mask, saturated);
  return { stars, sky: bg.median, skyNoise: bg.sigma, fwhms, ells };
}

/**
 * measureFrame for a colour mosaic (cfa.ts): a pixel's neighbours are of
 * other colours, so the sky's colour reads as noise (on an orange sky 3
 * times the real one, which raised the detection limit as much) and a
 * star's profile as a checkerboard. It is measured on the means of the
 * mosaic's 2 x 2 blocks instead (one pixel of each colour, at the mosaic's
 * own sampling: 2 x 2 superpixels, at half of it, lost the stars of a
 * 3.2 px FWHM), and the figures given for the mosaic: positions + 0.5, the
 * sky per pixel, its noise that of one pixel (2 x the blocks', their four
 * pixels' noise alike), the FWHM less what the 2-pixel box adds
 * (mosaicFwhm). Fluxes are the same (every pixel is in four blocks, each a
 * quarter of it); a star's peak is the blocks'.
 */
function measureMosaic(f: Frame, ext: number, opts: MeasureOptions): ReturnType<typeof measureFrame> {
  const b = blockMeans(f);
  const m = measureFrame(b, ext, opts);
  give(b.sci, b.dq);
  return {
    stars: m.stars.map((t) => ({ ...t, x: t.x + 0.5, y: t.y + 0.5, fwhm: mosaicFwhm(t.fwhm) })),
    sky: m.sky,
    skyNoise: 2 * m.skyNoise,
    fwhms: m.fwhms.map(mosaicFwhm),
    ells: m.ells,
  };
}

/**
 * A FWHM measured on 2 x 2 block means, in the mosaic's pixels: less the
 * variance the 2-pixel box adds (two taps of 1/2 one pixel apart: 0.25
 * px^2, i.e. 8 ln 2 x 0.25 in FWHM^2).
 */
export function mosaicFwhm(blockFwhm: number): number {
  const f2 = blockFwhm * blockFwhm - 8 * Math.LN2 * 0.25;
  return f2 > 0 ? Math.sqrt(f2) : blockFwhm;
}

export const detectSources: FramePrimitive = {
  kind: 'frame',
  name: 'detectSources',
  doc: 'Finds the stars and measures image quality: FWHM, ellipticity, sky level, sky noise, number of stars.',
  params: [
    param('threshold', 'number', 5, 'Detection limit, in sky-noise sigmas above the sky', { min: 0.5 }),
    param('minArea', 'integer', 5, 'Fewest connected pixels of a source', { min: 1 }),
    param('minPeakSnr', 'number', 20, 'Stars used for FWHM and ellipticity peak at least this many sigmas above the sky', { min: 1 }),
    param('maxStars', 'integer', 200, 'Brightest stars kept for registration and scaling', { min: 3 }),
    param('apertureFwhm', 'number', 2.5, 'Aperture radius for star fluxes, in FWHMs', { min: 0.5, max: 10 }),
  ],
  // A reduced frame measured with the same values need not be measured again (the stack's first step).
  satisfiedBy: (m, p) => !!(m.meta.quality && m.meta.stars && m.meta.measuredWith && canonicalJson(m.meta.measuredWith) === canonicalJson(p)),
  run(frame, p, ctx) {
    const opts: MeasureOptions = {
      threshold: num(p, 'threshold'),
      minArea: num(p, 'minArea'),
      minPeakSnr: num(p, 'minPeakSnr'),
      maxStars: num(p, 'maxStars'),
      apertureFwhm: num(p, 'apertureFwhm'),
    };
    const per = frame.exts.map((ext, k) => (cfaPattern(frame.primary, ext.header) ? measureMosaic : measureFrame)(ext.data, k, opts));
    const fwhms = per.flatMap((m) => m.fwhms);
    const ells = per.flatMap((m) => m.ells);
    const med = (a: number[]) => (a.length ? median(Float64Array.from(a)) : NaN);
    const quality: QualityFigures = {
      fwhm: med(fwhms),
      ellipticity: med(ells),
      sky: med(per.map((m) => m.sky)),
      skyNoise: med(per.map((m) => m.skyNoise)),
      nStars: fwhms.length,
    };
    frame.meta.quality = quality;
    frame.meta.measuredWith = { ...p };
    frame.meta.stars = per.flatMap((m) => m.stars).sort((a, b) => b.flux - a.flux || b.peak - a.peak);
    const q = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : 'NaN');
    if (Number.isFinite(quality.fwhm)) setCard(frame.primary, 'FWHM', q(quality.fwhm, 3), 'median star FWHM, pixels');
    if (Number.isFinite(quality.ellipticity)) setCard(frame.primary, 'ELLIPTIC', q(quality.ellipticity, 3), 'median star ellipticity 1-b/a');
    setCard(frame.primary, 'SKYLEVEL', q(quality.sky, 3), `sky level, ${frame.bunit}`);
    setCard(frame.primary, 'SKYNOISE', q(quality.skyNoise, 3), `sky noise (robust sigma), ${frame.bunit}`);
    setCard(frame.primary, 'NSTARS', quality.nStars, 'stars used for FWHM and ellipticity');
    ctx.log(`FWHM ${Number.isFinite(quality.fwhm) ? quality.fwhm.toFixed(2) : '?'} px, ellipticity ${Number.isFinite(quality.ellipticity) ? quality.ellipticity.toFixed(3) : '?'}, sky ${quality.sky.toFixed(1)} +- ${quality.skyNoise.toFixed(2)} ${frame.bunit}, ${quality.nStars} stars measured for FWHM and ellipticity, ${frame.meta.stars.length} detected and kept for registration`);
    if (quality.nStars === 0) ctx.warn(`no star bright enough to measure FWHM (peak > ${opts.minPeakSnr} sigma)`);
    return 'unchanged';
  },
};
