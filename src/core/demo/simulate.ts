/**
 * Pixels of the simulated night as raw uint16 frames (image area + overscan).
 *
 * Each raw pixel (ADU) is
 *   rowBias(y) + biasStructure(x,y) + [Poisson(expected e-) + N(0, readNoise)] / gain
 * rounded and clipped to 0..65535, where expected e- is
 *   bias:    0
 *   flat:    level * gain * flat(x,y)
 *   science: (sky + stars) * flat(x,y) + cosmic-ray charge.
 * Overscan columns get rowBias(y) + read noise only, except the first one,
 * which also catches a CTI trail of the last image column (left out of BIASSEC).
 */
import { biasStructure, detectorDefects, flatPatterns } from './detector';
import { DETECTOR, resolveOptions, type DemoOptions, type ResolvedOptions } from './options';
import { planNight, rowBias, type FramePlan } from './plan';
import { streamRng } from './random';
import { renderStars, starField, type FieldStar } from './stars';

export interface RawFrame {
  plan: FramePlan;
  /** (width + overscan) * height, row-major, x fastest. */
  pixels: Uint16Array;
  /** width + overscan. */
  naxis1: number;
  naxis2: number;
}

/**
 * Simulates the night frame by frame in time order, handing each raw frame to
 * `visit` before making the next, so a caller that writes files never holds
 * more than one frame of pixels.
 */
export function simulateNight(opts: DemoOptions, visit: (frame: RawFrame, o: ResolvedOptions, total: number) => void): void {
  const o = resolveOptions(opts);
  const plan = planNight(o);
  const defects = detectorDefects(o);
  const struct = biasStructure(o, defects);
  const flats = flatPatterns(o, defects);
  const fields = new Map<number, FieldStar[]>();
  for (const f of plan) {
    if (f.kind === 'science' && !fields.has(f.target)) fields.set(f.target, starField(o, f.target));
    const pixels = renderRaw(o, f, struct, expectedElectrons(o, f, flats, fields));
    visit({ plan: f, pixels, naxis1: o.width + DETECTOR.overscan, naxis2: o.height }, o, plan.length);
  }
}

/** Mean photo-electrons per image pixel (null for a bias: no light at all). */
function expectedElectrons(
  o: ResolvedOptions,
  f: FramePlan,
  flats: Map<string, Float32Array>,
  fields: Map<number, FieldStar[]>,
): Float32Array | null {
  if (f.kind === 'bias') return null;
  const flat = flats.get(f.filter);
  if (!flat) throw new Error(`demo night: no flat pattern for filter ${f.filter}`);
  const n = o.width * o.height;
  const img = new Float32Array(n);
  if (f.kind === 'flat') {
    const e = f.flatLevelAdu * DETECTOR.gain;
    for (let i = 0; i < n; i++) img[i] = e * flat[i];
    return img;
  }
  img.fill(f.skyElectrons);
  renderStars(img, o.width, o.height, fields.get(f.target) ?? [], f);
  for (let i = 0; i < n; i++) img[i] *= flat[i];
  // Cosmic rays deposit charge in the silicon: the flat (optics) does not touch it.
  for (const c of f.cosmics) img[c.y * o.width + c.x] += c.electrons;
  return img;
}

function renderRaw(o: ResolvedOptions, f: FramePlan, struct: Float32Array, expected: Float32Array | null): Uint16Array {
  const { width: w, height: h } = o;
  const nx = w + DETECTOR.overscan;
  const out = new Uint16Array(nx * h);
  const rng = streamRng(o.seed, `noise:${f.index}`);
  const g = 1 / DETECTOR.gain;
  const rn = DETECTOR.readNoise;
  const sat = DETECTOR.saturate;
  const put = (i: number, adu: number) => {
    const v = Math.round(adu);
    out[i] = v < 0 ? 0 : v > sat ? sat : v;
  };
  for (let y = 0; y < h; y++) {
    const rb = rowBias(f.bias, y, h);
    const row = y * w;
    const orow = y * nx;
    let lastCharge = 0;
    for (let x = 0; x < w; x++) {
      const lam = expected === null ? 0 : expected[row + x];
      const charge = lam > 0 ? rng.poisson(lam) : 0;
      lastCharge = charge;
      put(orow + x, rb + struct[row + x] + (charge + rn * rng.normal()) * g);
    }
    for (let x = w; x < nx; x++) {
      const trail = x === w ? DETECTOR.ctiTrail * lastCharge : 0;
      put(orow + x, rb + (trail + rn * rng.normal()) * g);
    }
  }
  return out;
}
