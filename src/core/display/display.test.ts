/** Scales, colormaps, the lookup table, rendering, the viewport and limits. */
import { describe, expect, it } from 'vitest';
import { SCALE_NAMES, scaleForward, scaleInverse } from './scale';
import { COLORMAP_NAMES, COLORMAP_SIZE, colormap } from './colormaps';
import { LUT_SIZE, buildLut, colourAt, lutMapping, packRGBA, unpackRGBA, type DisplayParams } from './lut';
import { histequCdf, histequInverse } from './histequ';
import { overlayMask, paintValues, renderView, viewMeans } from './render';
import { fitView, imageToScreen, panBy, pixelAt, screenToImage, visibleRect, zoomAbout } from './viewport';
import { computeLimits } from './limits';
import { dqBitColours, dqBitNames } from './dqBits';
import { zscale } from '../kernels/zscale';
import { exactPercentiles, valuesAtRanks } from '../kernels/ranks';

const grey: DisplayParams = { low: 0, high: 100, scale: 'linear', colormap: 'grey', contrast: 1, bias: 0.5, invert: false };

describe('scale functions (DS9 definitions)', () => {
  it('at x = 0.5', () => {
    // log10(1000 x + 1) / 3, (1000^x - 1) / 1000, sqrt, x^2, asinh(10x)/3, sinh(3x)/10 — computed with numpy.
    expect(scaleForward('log', 0.5)).toBeCloseTo(0.8999459086224153, 14);
    expect(scaleForward('pow', 0.5)).toBeCloseTo(0.030622776601683794, 14);
    expect(scaleForward('sqrt', 0.5)).toBeCloseTo(0.7071067811865476, 14);
    expect(scaleForward('squared', 0.5)).toBe(0.25);
    expect(scaleForward('asinh', 0.5)).toBeCloseTo(0.7708127804242508, 14);
    expect(scaleForward('sinh', 0.5)).toBeCloseTo(0.21292794550948174, 14);
    expect(scaleForward('linear', 0.5)).toBe(0.5);
  });
  it('the inverse undoes the forward (the colorbar labels)', () => {
    for (const s of SCALE_NAMES) {
      for (const x of [0, 0.01, 0.3, 0.77, 1]) expect(scaleInverse(s, scaleForward(s, x))).toBeCloseTo(x, 10);
    }
  });
  it('log and pow take the exponent', () => {
    expect(scaleForward('log', 0.5, 10)).toBeCloseTo(Math.log10(6), 14);
  });
});

describe('colormaps', () => {
  it('every map has COLORMAP_SIZE RGB cells', () => {
    for (const n of COLORMAP_NAMES) expect(colormap(n).length).toBe(COLORMAP_SIZE * 3);
  });
  it('matplotlib tables end where matplotlib ends them', () => {
    const ends: Record<string, [number[], number[]]> = {
      viridis: [[68, 1, 84], [253, 231, 37]],
      inferno: [[0, 0, 4], [252, 255, 164]],
      magma: [[0, 0, 4], [252, 253, 191]],
      plasma: [[13, 8, 135], [240, 249, 33]],
    };
    for (const [name, [first, last]] of Object.entries(ends)) {
      const m = colormap(name as 'viridis');
      expect(Array.from(m.subarray(0, 3))).toEqual(first);
      expect(Array.from(m.subarray(765, 768))).toEqual(last);
    }
  });
  it('SAOImage heat: red rises to full at 0.34, blue stays off until 0.65', () => {
    const m = colormap('heat');
    const at = (x: number) => Array.from(m.subarray(Math.round(x * 255) * 3, Math.round(x * 255) * 3 + 3));
    expect(at(0)).toEqual([0, 0, 0]);
    expect(at(1)).toEqual([255, 255, 255]);
    const mid = at(0.5);
    expect(mid[0]).toBe(255);
    expect(mid[2]).toBe(0);
    expect(Array.from(colormap('grey').subarray(0, 6))).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

describe('lookup table', () => {
  const value = (lut: Uint32Array, p: DisplayParams, v: number) => {
    const { low, factor } = lutMapping(p.low, p.high);
    const t = Math.min(LUT_SIZE - 1, Math.max(0, Math.round((v - low) * factor)));
    return unpackRGBA(lut[t]);
  };
  it('linear grey: black at the low limit, white at the high limit, grey between', () => {
    const lut = buildLut(grey);
    expect(value(lut, grey, 0)).toEqual([0, 0, 0, 255]);
    expect(value(lut, grey, -50)).toEqual([0, 0, 0, 255]);
    expect(value(lut, grey, 100)).toEqual([255, 255, 255, 255]);
    expect(value(lut, grey, 50)[0]).toBeGreaterThanOrEqual(127);
    expect(value(lut, grey, 50)[0]).toBeLessThanOrEqual(128);
  });
  it('invert swaps the ends; contrast 2 clips a quarter at each end; bias moves the middle', () => {
    const inv = { ...grey, invert: true };
    expect(value(buildLut(inv), inv, 0)).toEqual([255, 255, 255, 255]);
    const c2 = { ...grey, contrast: 2 };
    const lut2 = buildLut(c2);
    expect(value(lut2, c2, 24)[0]).toBe(0);
    expect(value(lut2, c2, 76)[0]).toBe(255);
    const b = { ...grey, bias: 0.3 };
    // DS9: the colormap's middle moves to x = bias.
    expect(Math.abs(value(buildLut(b), b, 30)[0] - 128)).toBeLessThanOrEqual(1);
  });
  it('log scale shows the faint end brighter than linear', () => {
    const log = { ...grey, scale: 'log' as const };
    expect(value(buildLut(log), log, 10)[0]).toBeGreaterThan(150);
  });
  it('colourAt is the colour of a display fraction', () => {
    expect(colourAt(1, grey)).toBe(packRGBA(255, 255, 255));
    expect(colourAt(0, { ...grey, colormap: 'viridis' })).toBe(packRGBA(68, 1, 84));
  });
  it('histogram equalization spreads the pixels evenly over the colours', () => {
    // Skewed data: most pixels faint. Equalized, the median pixel gets the middle grey.
    const data = Float32Array.from({ length: 10000 }, (_, i) => (i / 10000) ** 4 * 100);
    const cdf = histequCdf(data, 0, 100);
    const p = { ...grey, scale: 'histequ' as const };
    const lut = buildLut(p, cdf);
    const median = data[5000];
    expect(Math.abs(value(lut, p, median)[0] - 128)).toBeLessThanOrEqual(2);
    expect(histequInverse(cdf, 0.5, 0, 100)).toBeCloseTo(median, 1);
    expect(() => buildLut(p)).toThrow(/cdf/);
  });
});

describe('rendering', () => {
  // 3 x 2 frame, row 0 at the bottom: values 0..5; a NaN at (2, 1).
  const frame = { width: 3, height: 2 };
  const data = Float32Array.from([0, 1, 2, 3, 4, NaN]);
  const lut = new Uint32Array(LUT_SIZE);
  for (let k = 0; k < LUT_SIZE; k++) lut[k] = k; // the cell itself, to read back which value landed where
  const mapping = lutMapping(0, LUT_SIZE - 1);
  const colours = { background: 0xdeadbeef, nan: 0xfeedface };

  it('pixel-exact at zoom 4: every image pixel a sharp 4 x 4 block, y up, NaN and background in their colours', () => {
    const view = fitView(frame, { width: 12, height: 8 });
    expect(view.zoom).toBe(4);
    const target = { pixels: new Uint32Array(12 * 8), width: 12, height: 8 };
    renderView(data, frame, view, lut, mapping, target, colours);
    for (let sy = 0; sy < 8; sy++) {
      for (let sx = 0; sx < 12; sx++) {
        const ix = Math.floor(sx / 4);
        const iy = 1 - Math.floor(sy / 4);
        const v = data[iy * 3 + ix];
        expect(target.pixels[sy * 12 + sx]).toBe(Number.isNaN(v) ? colours.nan : v);
      }
    }
  });

  it('outside the frame and rows not loaded yet are background', () => {
    const target = { pixels: new Uint32Array(20 * 10), width: 20, height: 10 };
    const view = { cx: 1, cy: 0.5, zoom: 4 };
    renderView(data, frame, view, lut, mapping, target, colours, Uint8Array.from([1, 0]));
    // Top-left corner is outside; the frame's top row (iy = 1) is not loaded.
    expect(target.pixels[0]).toBe(colours.background);
    const p = imageToScreen(view, target, 1, 1);
    expect(target.pixels[Math.floor(p.sy) * 20 + Math.floor(p.sx)]).toBe(colours.background);
    const q = imageToScreen(view, target, 1, 0);
    expect(target.pixels[Math.floor(q.sy) * 20 + Math.floor(q.sx)]).toBe(1);
  });

  it('a DQ overlay blends the colour of the lowest shown bit', () => {
    const target = { pixels: new Uint32Array(3 * 2).fill(packRGBA(0, 0, 0)), width: 3, height: 2 };
    const dq = Uint16Array.from([0, 1, 12, 8, 0, 0]);
    const colours16 = dqBitColours();
    overlayMask(dq, frame, { cx: 1, cy: 0.5, zoom: 1 }, target, 0xffff, colours16, 1);
    // Screen row 1 is image row 0: pixels 0,1,2 -> dq 0, 1, 12.
    expect(target.pixels[3]).toBe(packRGBA(0, 0, 0));
    expect(target.pixels[4]).toBe(colours16[0]);
    expect(target.pixels[5]).toBe(colours16[2]); // 12 = 4 | 8: the lowest bit, saturated
    // Only cosmic rays shown: 12 shows bit 8.
    target.pixels.fill(packRGBA(0, 0, 0));
    overlayMask(dq, frame, { cx: 1, cy: 0.5, zoom: 1 }, target, 8, colours16, 0.5);
    const [r, g, b] = unpackRGBA(target.pixels[5]);
    const [cr, cg, cb] = unpackRGBA(colours16[3]);
    expect(Math.abs(r - cr / 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(g - cg / 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(b - cb / 2)).toBeLessThanOrEqual(1);
    expect(target.pixels[4]).toBe(packRGBA(0, 0, 0));
  });

  it('the panner\'s means: a colour mosaic zoomed out shows the mean of its 2 x 2 pattern, where picking one pixel shows one colour', () => {
    // 64 x 64 RGGB mosaic: R 0, G 100, B 200; fitted into 8 x 8 device pixels (zoom 1/8), each covers 8 x 8 pixels.
    const mosaic = { width: 64, height: 64 };
    const px = new Float32Array(64 * 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) px[y * 64 + x] = (x & 1) + (y & 1) === 0 ? 0 : (x & 1) + (y & 1) === 2 ? 200 : 100;
    const view = fitView(mosaic, { width: 8, height: 8 });
    expect(view.zoom).toBe(1 / 8);
    const target = { pixels: new Uint32Array(64), width: 8, height: 8 };
    const means = viewMeans(px, mosaic, view, target);
    expect([...new Set(means.values)]).toEqual([100]);
    paintValues(means, lut, mapping, target, colours);
    expect([...new Set(target.pixels)]).toEqual([100]);
    renderView(px, mosaic, view, lut, mapping, target, colours);
    expect(new Set(target.pixels).has(100)).toBe(false);
    // 3 image pixels a device pixel: whole 2 x 2 cells still, so no colour weighs more in one device pixel than the next.
    const odd = viewMeans(px, mosaic, { cx: 31.5, cy: 31.5, zoom: 1 / 3 }, { width: 21, height: 21 });
    expect([...new Set(odd.values.filter((_, i) => odd.shown[i]))]).toEqual([100]);
    expect(odd.shown.every((x) => x === 1)).toBe(true);
  });

  it('the panner\'s means skip NaN, are NaN where all are, and nothing is shown outside the frame or where a row is not loaded', () => {
    const f = { width: 4, height: 4 };
    // Bottom-left 2 x 2 block: 1, NaN, 3, NaN -> 2; bottom-right: all NaN; top rows 10.
    const px = Float32Array.from([1, NaN, NaN, NaN, 3, NaN, NaN, NaN, 10, 10, 10, 10, 10, 10, 10, 10]);
    const view = { cx: 1.5, cy: 1.5, zoom: 0.5 };
    const canvas = { width: 2, height: 2 };
    // Screen row 0 is the top (image rows 2-3), row 1 the bottom (rows 0-1).
    const m = viewMeans(px, f, view, canvas);
    expect([...m.values]).toEqual([10, 10, 2, NaN]);
    expect([...m.shown]).toEqual([1, 1, 1, 1]);
    const target = { pixels: new Uint32Array(4), width: 2, height: 2 };
    paintValues(m, lut, mapping, target, colours);
    expect([...target.pixels]).toEqual([10, 10, 2, colours.nan]);
    expect([...viewMeans(px, f, view, canvas, Uint8Array.from([1, 1, 1, 0])).shown]).toEqual([0, 0, 1, 1]);
    const wide = viewMeans(px, f, view, { width: 4, height: 2 });
    expect([...wide.shown]).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
    expect([...wide.values]).toEqual([NaN, 10, 10, NaN, NaN, 2, NaN, NaN]);
  });

  it('names DQ bits', () => {
    expect(dqBitNames(0)).toEqual([]);
    expect(dqBitNames(12)).toEqual(['saturated', 'cosmic ray']);
    expect(dqBitNames(1 | 256)).toEqual(['bad pixel', 'bit 256']);
  });
});

describe('viewport', () => {
  const canvas = { width: 800, height: 600 };
  const frame = { width: 2048, height: 1024 };
  it('screen and image coordinates are inverse; y points up', () => {
    const view = { cx: 100.25, cy: 50.5, zoom: 3 };
    const p = imageToScreen(view, canvas, 90, 60);
    const q = screenToImage(view, canvas, p.sx, p.sy);
    expect(q.x).toBeCloseTo(90, 12);
    expect(q.y).toBeCloseTo(60, 12);
    expect(p.sy).toBeLessThan(canvas.height / 2);
  });
  it('zooming about a point keeps that point under the cursor', () => {
    const view = { cx: 1000, cy: 500, zoom: 0.5 };
    const before = screenToImage(view, canvas, 123, 456);
    const z = zoomAbout(view, canvas, 2, 123, 456);
    const after = screenToImage(z, canvas, 123, 456);
    expect(z.zoom).toBe(1);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });
  it('fit shows the whole frame; a drag moves the image with the pointer', () => {
    const v = fitView(frame, canvas);
    const r = visibleRect(v, canvas);
    expect(r.x0).toBeLessThanOrEqual(-0.5);
    expect(r.x1).toBeGreaterThanOrEqual(frame.width - 0.5);
    const moved = panBy(v, 10, 0);
    expect(screenToImage(moved, canvas, 410, 300).x).toBeCloseTo(screenToImage(v, canvas, 400, 300).x, 9);
  });
  it('the pixel under a screen point, none outside', () => {
    const view = { cx: 0, cy: 0, zoom: 10 };
    expect(pixelAt(view, canvas, frame, 400, 300)).toEqual({ ix: 0, iy: 0 });
    expect(pixelAt(view, canvas, frame, 406, 294)).toEqual({ ix: 1, iy: 1 });
    expect(pixelAt(view, canvas, frame, 390, 300)).toBeUndefined();
  });
});

describe('limits', () => {
  // A sky frame with a few saturated stars and NaNs.
  const w = 700, h = 500;
  const data = new Float32Array(w * h);
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < data.length; i++) data[i] = 1000 + 30 * (rand() + rand() + rand() - 1.5);
  for (let k = 0; k < 300; k++) data[Math.floor(rand() * data.length)] = 60000;
  for (let k = 0; k < 50; k++) data[Math.floor(rand() * data.length)] = NaN;

  it('zscale equals the kernel on the whole frame', () => {
    const z = zscale(data, { width: w, height: h });
    expect(computeLimits(data, w, h, { kind: 'zscale' })).toEqual({ low: z.z1, high: z.z2 });
  });
  it('percentages cut equally from both ends, exactly (sorted reference)', () => {
    const sorted = Float64Array.from(data.filter((v) => !Number.isNaN(v))).sort();
    const pct = (p: number) => {
      const pos = (p / 100) * (sorted.length - 1);
      const k = Math.floor(pos);
      return sorted[k] + (pos - k) * ((sorted[k + 1] ?? sorted[k]) - sorted[k]);
    };
    for (const percent of [99.5, 99, 98, 95, 90]) {
      const { low, high } = computeLimits(data, w, h, { kind: 'percent', percent });
      expect(low).toBeCloseTo(pct((100 - percent) / 2), 3);
      expect(high).toBeCloseTo(pct(100 - (100 - percent) / 2), 3);
    }
    expect(computeLimits(data, w, h, { kind: 'minmax' })).toEqual({ low: sorted[0], high: 60000 });
  });
  it('rank selection by narrowing equals a sort, with wild outliers stretching the range', () => {
    const big = new Float32Array(600_000);
    for (let i = 0; i < big.length; i++) big[i] = Math.round(100 * rand()) / 7;
    big[17] = 1e30;
    big[99] = -1e30;
    big[1234] = NaN;
    const sorted = Float64Array.from(big.filter((v) => !Number.isNaN(v))).sort();
    const ranks = [0, 1, 2, 299_999, 300_000, 599_997, 599_998];
    expect(valuesAtRanks(big, ranks)).toEqual(ranks.map((r) => sorted[r]));
    expect(exactPercentiles(new Float32Array(3).fill(NaN), [50])).toEqual([NaN]);
  });
});
