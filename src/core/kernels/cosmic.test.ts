import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCosmicRays, flagCosmicRays } from './cosmic';
import { DQ } from './dq';
import type { Frame } from './frame';

// Fixture from reference/make_part2.py: 256x256 sky + stars (FWHM 3) + 50 cosmic-ray hits,
// with astroscrappy 1.1's mask (sepmed=False, cleantype='medmask': the variant implemented here).
const dir = join(__dirname, 'reference');
const ref = JSON.parse(readFileSync(join(dir, 'cosmic_ref.json'), 'utf8')) as {
  width: number; height: number; gain: number; readnoise: number;
  stars: Array<{ x: number; y: number; peak: number }>;
  truthCr: number[]; astroscrappyFull: number[]; astroscrappyDefault: number[];
};
const bin = readFileSync(join(dir, 'cosmic_frame.bin'));
const frameData = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));

describe('detectCosmicRays on the astroscrappy fixture', () => {
  const { width: w, height: h } = ref;
  const res = detectCosmicRays(frameData, w, h, { gain: ref.gain, readnoise: ref.readnoise });

  it('agrees with astroscrappy', () => {
    const shared = ref.astroscrappyFull.filter((i) => res.mask[i]).length;
    // Measured: all 151 astroscrappy pixels found, no extra ones.
    expect(shared / ref.astroscrappyFull.length).toBeGreaterThanOrEqual(0.85);
    expect(res.nFound - shared).toBeLessThanOrEqual(0.1 * ref.astroscrappyFull.length);
    // Its default (separable medians) differs slightly; still mostly shared.
    const sharedDefault = ref.astroscrappyDefault.filter((i) => res.mask[i]).length;
    expect(sharedDefault / ref.astroscrappyDefault.length).toBeGreaterThanOrEqual(0.85);
  });

  it('finds at least 90% of the injected cosmic-ray pixels', () => {
    const found = ref.truthCr.filter((i) => res.mask[i]).length;
    expect(found / ref.truthCr.length).toBeGreaterThanOrEqual(0.9);
  });

  it('eats no star', () => {
    for (const s of ref.stars) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          expect(res.mask[(Math.round(s.y) + dy) * w + Math.round(s.x) + dx]).toBe(0);
        }
      }
    }
  });

  it('counts what it masks and cleans only masked pixels, down to sky level', () => {
    let n = 0, touched = 0;
    for (let i = 0; i < w * h; i++) {
      if (res.mask[i]) n++;
      else if (res.cleaned![i] !== frameData[i]) touched++;
    }
    expect(n).toBe(res.nFound);
    expect(touched).toBe(0);
    for (const i of ref.truthCr) expect(Math.abs(res.cleaned![i] - 200)).toBeLessThan(40);
  });

  it('respects an input mask', () => {
    const mask = new Uint8Array(w * h);
    for (const i of ref.truthCr.slice(0, 10)) mask[i] = 1;
    const r2 = detectCosmicRays(frameData, w, h, { gain: ref.gain, readnoise: ref.readnoise, mask, clean: false });
    for (const i of ref.truthCr.slice(0, 10)) expect(r2.mask[i]).toBe(0);
    expect(r2.cleaned).toBeUndefined();
  });
});

describe('detectCosmicRays on small synthetic cases', () => {
  const w = 48, h = 48;
  function sky(seed: number): Float32Array {
    let s = seed;
    const a = new Float32Array(w * h);
    for (let i = 0; i < a.length; i++) {
      // Sum of uniforms: roughly gaussian with sigma ~ 10 around 100.
      let v = 0;
      for (let k = 0; k < 4; k++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v += s / 4294967296 - 0.5; }
      a[i] = 100 + v * 17;
    }
    return a;
  }

  it('finds a single hot pixel and nothing on flat noise', () => {
    const a = sky(3);
    const clean = detectCosmicRays(a, w, h, { readnoise: 10 });
    expect(clean.nFound).toBe(0);
    a[20 * w + 25] += 2000;
    const r = detectCosmicRays(a, w, h, { readnoise: 10 });
    expect(r.mask[20 * w + 25]).toBe(1);
    expect(r.nFound).toBeLessThanOrEqual(3);
    expect(Math.abs(r.cleaned![20 * w + 25] - 100)).toBeLessThan(20);
  });

  it('survives NaN pixels and ignores no-data borders', () => {
    const a = sky(13);
    a[30 * w + 30] = NaN;
    a[5 * w + 40] += 2500;
    const r = detectCosmicRays(a, w, h, { readnoise: 10 });
    expect(r.mask[30 * w + 30]).toBe(0);
    expect(r.mask[5 * w + 40]).toBe(1);
    expect(r.nFound).toBeLessThanOrEqual(3);
    // A resampled frame: SCI 0 with DQ noData along the left 6 columns.
    const b = sky(17);
    const dq = new Uint16Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < 6; x++) { b[y * w + x] = 0; dq[y * w + x] = DQ.noData; }
    const frame: Frame = { width: w, height: h, sci: b, dq };
    expect(flagCosmicRays(frame, { readnoise: 10, replace: true })).toBe(0);
    expect(frame.sci[0]).toBe(0);
  });

  it('leaves a saturated star alone', () => {
    const a = sky(5);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r2 = (x - 24) ** 2 + (y - 24) ** 2;
        a[y * w + x] = Math.min(60000, a[y * w + x] + 1e6 * Math.exp(-r2 / (2 * 0.8 * 0.8)));
      }
    }
    const r = detectCosmicRays(a, w, h, { readnoise: 10, satlevel: 60000 });
    expect(r.mask[24 * w + 24]).toBe(0);
    const unsat = detectCosmicRays(a, w, h, { readnoise: 10, satlevel: 1e9, objlim: 0.5 });
    expect(unsat.mask[24 * w + 24]).toBe(1); // the sharp core would be taken without the saturation guard
  });

  it('flagCosmicRays sets DQ bit 8, keeps other bits and replaces SCI on request', () => {
    const a = sky(9);
    a[10 * w + 10] += 3000;
    const frame = { width: w, height: h, sci: a.slice(), dq: new Uint16Array(w * h) };
    frame.dq[10 * w + 11] = DQ.nonLinear;
    const n = flagCosmicRays(frame, { readnoise: 10, replace: true });
    expect(n).toBeGreaterThan(0);
    expect(frame.dq[10 * w + 10] & DQ.cosmicRay).toBe(DQ.cosmicRay);
    expect(frame.dq[10 * w + 11] & DQ.nonLinear).toBe(DQ.nonLinear);
    expect(frame.sci[10 * w + 10]).toBeLessThan(200);
    const f2: Frame = { width: w, height: h, sci: a.slice() };
    flagCosmicRays(f2, { readnoise: 10 });
    expect(f2.dq![10 * w + 10]).toBe(DQ.cosmicRay);
    expect(f2.sci[10 * w + 10]).toBe(a[10 * w + 10]);
  });
});
