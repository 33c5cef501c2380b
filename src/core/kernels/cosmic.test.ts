import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCosmicRays, type CosmicOptions } from './cosmic';

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
    // The same variant (full 5x5 medians, medmask) as the one run: measured
    // all 151 astroscrappy pixels found and no extra one, so the mask must
    // be identical; any pixel of difference is a change in the algorithm.
    expect(ref.astroscrappyFull.length).toBe(151);
    expect(shared).toBe(ref.astroscrappyFull.length);
    expect(res.nFound).toBe(shared);
    // Its default (separable medians) is another median: measured 150 of
    // its 154 pixels shared. One pixel of slack, no more.
    const sharedDefault = ref.astroscrappyDefault.filter((i) => res.mask[i]).length;
    expect(ref.astroscrappyDefault.length).toBe(154);
    expect(sharedDefault).toBeGreaterThanOrEqual(149);
  });

  it('finds every injected cosmic-ray pixel (measured 132 of 132)', () => {
    const found = ref.truthCr.filter((i) => res.mask[i]).length;
    expect(found).toBe(ref.truthCr.length);
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

  it('given VAR, takes the noise beyond the counts from it: the read noise\'s VAR gives astroscrappy\'s mask', () => {
    // VAR in data units as addVariance makes it: (rn^2 + max(I, 0)) / g^2, stored as float32.
    const g = ref.gain, rn2 = ref.readnoise ** 2;
    const variance = Float32Array.from(frameData, (x) => (rn2 + Math.max(x * g, 0)) / (g * g));
    const withVar = detectCosmicRays(frameData, w, h, { gain: g, readnoise: ref.readnoise, variance });
    expect(Array.from(withVar.mask)).toEqual(Array.from(res.mask));
    // Twice the read noise's variance beyond the counts: measured 150 pixels instead of 151, every
    // injected one still among them (the hits are far above the noise; an edge pixel went).
    const noisier = Float32Array.from(variance, (v) => v + rn2 / (g * g));
    const r2 = detectCosmicRays(frameData, w, h, { gain: g, readnoise: ref.readnoise, variance: noisier });
    expect(r2.nFound).toBe(150);
    expect(ref.truthCr.filter((i) => r2.mask[i]).length).toBe(ref.truthCr.length);
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

});

describe('detectCosmicRays results are locked', () => {
  // Digests of the mask and cleaned values that the straightforward implementation
  // (every filter evaluated at every pixel; before the lazy evaluation and the
  // branch-free median networks) gave on these frames. The fast path must give
  // the same results bit for bit, over several passes, saturation, input masks,
  // non-finite pixels and zeros of both signs.
  function lcg(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  }
  function frame(w: number, h: number, seed: number, sky: number, sigma: number, nStars: number, nHits: number, extra?: (d: Float32Array, r: () => number) => void): Float32Array {
    const r = lcg(seed);
    const d = new Float32Array(w * h);
    for (let i = 0; i < d.length; i++) d[i] = sky + sigma * (r() + r() + r() + r() - 2) * 1.7;
    for (let k = 0; k < nStars; k++) {
      const x0 = 4 + r() * (w - 8), y0 = 4 + r() * (h - 8), peak = 10 ** (2 + r() * 2.5), s2 = 2 * (0.9 + 0.6 * r()) ** 2;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] += peak * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / s2);
    }
    for (let k = 0; k < nHits; k++) {
      let p = Math.floor(r() * d.length);
      const len = 1 + Math.floor(r() * 5);
      for (let j = 0; j < len && p < d.length; j++) { d[p] += 200 + 4000 * r(); p += [1, w, w + 1, w - 1][Math.floor(r() * 4)]; }
    }
    extra?.(d, r);
    return d;
  }
  /** FNV-1a over the mask bytes and the cleaned values' float32 bits (every NaN as one pattern). */
  function digest(mask: Uint8Array, cleaned?: Float32Array): string {
    let hsh = 0x811c9dc5;
    const eat = (b: number) => { hsh = Math.imul(hsh ^ (b & 0xff), 0x01000193) >>> 0; };
    for (const b of mask) eat(b);
    if (cleaned) {
      const bits = new Uint32Array(cleaned.buffer, cleaned.byteOffset, cleaned.length);
      for (let i = 0; i < cleaned.length; i++) {
        const v = Number.isNaN(cleaned[i]) ? 0x7fc00000 : bits[i];
        eat(v); eat(v >>> 8); eat(v >>> 16); eat(v >>> 24);
      }
    }
    return hsh.toString(16).padStart(8, '0');
  }
  const inputMask = (n: number): Uint8Array => {
    const r = lcg(99);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (r() < 0.03) m[i] = 1;
    return m;
  };
  const cases: Array<{ name: string; w: number; h: number; data: () => Float32Array; opts: CosmicOptions & { mask?: Uint8Array }; nFound: number; digest: string }> = [
    { name: 'sky and stars, defaults', w: 96, h: 80, data: () => frame(96, 80, 1, 200, 15, 6, 40), opts: { readnoise: 6.5 }, nFound: 126, digest: '33abc35e' },
    { name: 'crowded hits, six passes', w: 64, h: 64, data: () => frame(64, 64, 2, 100, 10, 3, 300), opts: { readnoise: 5, niter: 6 }, nFound: 762, digest: '77583930' },
    {
      name: 'gain, saturation and an input mask', w: 80, h: 72,
      data: () => frame(80, 72, 3, 300, 20, 8, 60, (d) => { d[36 * 80 + 40] = 9000; d[36 * 80 + 41] = 8000; }),
      opts: { gain: 1.7, readnoise: 4, satlevel: 2500, mask: inputMask(80 * 72) }, nFound: 168, digest: 'c4c1502a',
    },
    {
      name: 'non-finite pixels and zeros of both signs', w: 70, h: 50,
      data: () => frame(70, 50, 4, 0, 8, 4, 50, (d, r) => { for (let k = 0; k < 12; k++) d[Math.floor(r() * d.length)] = [NaN, Infinity, -Infinity, 0, -0][k % 5]; }),
      opts: { readnoise: 8, sigclip: 4, objlim: 3 }, nFound: 176, digest: '5e39dfb4',
    },
    { name: 'low thresholds, no cleaned output', w: 60, h: 60, data: () => frame(60, 60, 5, 1000, 30, 5, 80), opts: { readnoise: 10, sigclip: 3, sigfrac: 0.5, objlim: 1.5, clean: false }, nFound: 246, digest: '301f4c9d' },
    { name: 'odd sizes', w: 37, h: 29, data: () => frame(37, 29, 6, 50, 7, 2, 30), opts: { readnoise: 3 }, nFound: 66, digest: 'ed033d67' },
  ];
  // The astroscrappy fixture: sparse enough that S is computed pixel by pixel.
  for (const [opts, nFound, dig] of [
    [{ readnoise: 6.5 }, 151, '39b18746'],
    [{ readnoise: 6.5, sigclip: 3.5, objlim: 2 }, 241, '49ff87a4'],
    [{ gain: 2, readnoise: 3, satlevel: 3000 }, 586, '33c3b601'],
    [{ readnoise: 6.5, niter: 10, sigfrac: 0.1 }, 251, '44a3c65f'],
  ] as const) {
    cases.push({ name: `fixture ${JSON.stringify(opts)}`, w: 256, h: 256, data: () => frameData, opts, nFound, digest: dig });
  }
  for (const c of cases) {
    it(c.name, () => {
      const res = detectCosmicRays(c.data(), c.w, c.h, c.opts);
      expect(res.nFound).toBe(c.nFound);
      expect(digest(res.mask, res.cleaned)).toBe(c.digest);
    });
  }
});
