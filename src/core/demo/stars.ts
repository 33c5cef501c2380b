/**
 * Star fields of the two targets and their rendering with a Moffat PSF.
 *
 * A field is a fixed list of stars in "field pixels" (the first frame of the
 * target); a frame sees them shifted by its dither. Fluxes follow a power law
 * (N(>F) ~ F^-0.7, like faint galactic counts), with the few brightest set
 * near saturation so the saturation flagging has something to do.
 */
import { DETECTOR, filterModel, type ResolvedOptions } from './options';
import { DITHER_MAX, type FramePlan } from './plan';
import { streamRng } from './random';

export interface FieldStar {
  /** Position in field pixels (0-based, pixel centres at integers). */
  x: number;
  y: number;
  /** e- collected in a 100 s V exposure at airmass 1, before the flat-field pattern. */
  fluxV100: number;
  /** Colour index V-R, magnitudes. */
  vr: number;
}

/** Moffat index: with beta = 3 the profile needs no Math.pow. */
export const MOFFAT_BETA = 3;
const POWER_LAW_INDEX = 0.7;
const FAINTEST = 2500;
const BRIGHTEST_REGULAR = 4e5;

/** Moffat alpha (px) for a FWHM (px). */
export function moffatAlpha(fwhm: number): number {
  return fwhm / (2 * Math.sqrt(Math.pow(2, 1 / MOFFAT_BETA) - 1));
}

/** Peak surface brightness (e- per px at the centre) of a star of total flux F. */
export function moffatPeak(flux: number, fwhm: number): number {
  const a = moffatAlpha(fwhm);
  return (flux * (MOFFAT_BETA - 1)) / (Math.PI * a * a);
}

export function starField(o: ResolvedOptions, target: number): FieldStar[] {
  const rng = streamRng(o.seed, `stars:${target}`);
  const m = DITHER_MAX + 4;
  const fw = o.width + 2 * m;
  const fh = o.height + 2 * m;
  // ~70 stars over a 560x560 field: ~60 land in a 512x512 frame.
  const density = (target === 0 ? 70 : 62) / (560 * 560);
  const n = Math.max(8, Math.round(density * fw * fh));
  const stars: FieldStar[] = [];
  const q = Math.pow(FAINTEST / BRIGHTEST_REGULAR, POWER_LAW_INDEX);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    stars.push({
      x: rng.range(-m, o.width + m),
      y: rng.range(-m, o.height + m),
      // Inverse CDF of a power law truncated at both ends.
      fluxV100: FAINTEST * Math.pow(1 - u * (1 - q), -1 / POWER_LAW_INDEX),
      vr: rng.range(0.2, 1.2),
    });
  }
  // Three stars inside the frame become bright: peaks at 0.6, 0.9 and 1.4 of
  // saturation in V (so redder filters saturate a few more).
  const satE = (DETECTOR.saturate - DETECTOR.biasLevel - 400) * DETECTOR.gain;
  // A V exposure collects exptime/100 of fluxV100; the peak is for a 3 px FWHM.
  const vScale = filterModel('V').exptime / 100;
  const inside = stars.filter((s) => s.x > 8 && s.y > 8 && s.x < o.width - 8 && s.y < o.height - 8);
  [0.6, 0.9, 1.4].forEach((f, k) => {
    const s = inside[k];
    if (s) s.fluxV100 = (f * satE * Math.PI * moffatAlpha(3) ** 2) / (MOFFAT_BETA - 1) / vScale;
  });
  return stars;
}

/** Total e- of a field star in a frame (filter, colour, exposure time, extinction), before the flat pattern. */
export function starFluxInFrame(s: FieldStar, f: FramePlan): number {
  const fm = filterModel(f.filter);
  const colour = Math.pow(10, 0.4 * fm.colourTerm * s.vr);
  const ext = Math.pow(10, -0.4 * fm.extinction * (f.airmass - 1));
  return s.fluxV100 * fm.throughput * colour * (f.exptime / 100) * ext;
}

export interface FrameStar {
  /** Position in the frame's image area (0-based, pixel centres at integers). */
  x: number;
  y: number;
  /** Total e- before the flat-field pattern (the stamp is normalized to exactly this). */
  flux: number;
  /** Peak e-/px of the PSF at its centre. */
  peak: number;
}

/** The stars of a science frame whose centres fall on its image area. */
export function frameStars(field: FieldStar[], f: FramePlan, width: number, height: number): FrameStar[] {
  const out: FrameStar[] = [];
  for (const s of field) {
    const x = s.x + f.dx;
    const y = s.y + f.dy;
    if (x < -0.5 || y < -0.5 || x >= width - 0.5 || y >= height - 0.5) continue;
    const flux = starFluxInFrame(s, f);
    out.push({ x, y, flux, peak: moffatPeak(flux, f.fwhm) });
  }
  return out;
}

/**
 * Adds the stars of a frame (all field stars, including those centred just
 * outside whose wings reach in) to `img` (e- per pixel, width*height).
 * Each PSF stamp is normalized to the star's flux over a radius of 5 alpha
 * (Moffat beta=3 leaves <0.2% beyond), sampled 4x4 per pixel near the core
 * where the profile curves fast and at the pixel centre further out.
 */
export function renderStars(img: Float32Array, width: number, height: number, field: FieldStar[], f: FramePlan): void {
  const a = moffatAlpha(f.fwhm);
  const ia2 = 1 / (a * a);
  const rad = Math.ceil(5 * a);
  const core2 = (1.5 * a) ** 2;
  const side = 2 * rad + 1;
  const stamp = new Float64Array(side * side);
  const prof = (dx: number, dy: number) => {
    const t = 1 + (dx * dx + dy * dy) * ia2;
    return 1 / (t * t * t);
  };
  for (const s of field) {
    const cx = s.x + f.dx;
    const cy = s.y + f.dy;
    const x0 = Math.round(cx) - rad;
    const y0 = Math.round(cy) - rad;
    if (x0 + side <= 0 || y0 + side <= 0 || x0 >= width || y0 >= height) continue;
    let sum = 0;
    for (let j = 0; j < side; j++) {
      const dy = y0 + j - cy;
      for (let i = 0; i < side; i++) {
        const dx = x0 + i - cx;
        let v: number;
        if (dx * dx + dy * dy < core2) {
          v = 0;
          for (let sj = 0; sj < 4; sj++) for (let si = 0; si < 4; si++) v += prof(dx + (si - 1.5) / 4, dy + (sj - 1.5) / 4);
          v /= 16;
        } else v = prof(dx, dy);
        stamp[j * side + i] = v;
        sum += v;
      }
    }
    const scale = starFluxInFrame(s, f) / sum;
    for (let j = 0; j < side; j++) {
      const y = y0 + j;
      if (y < 0 || y >= height) continue;
      for (let i = 0; i < side; i++) {
        const x = x0 + i;
        if (x >= 0 && x < width) img[y * width + x] += stamp[j * side + i] * scale;
      }
    }
  }
}
