/**
 * addDQ on frames built by hand: where saturation comes from (the parameter,
 * SATURATE, the converter's limit), the non-linear and no-data bits, and the
 * raw level figures measured on the data section only.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import { adcLimit, loadFrame } from '../astroFrame';
import { MemoryStore } from '../memoryStore';
import { addDQ } from './dq';
import { cardOf, defaultsOf, frameCtx, makeAstro, makeTestFrame, recipeValues, toCards } from '../testing/frames';

// 30 data columns at 5000 ADU then 40 overscan columns at 1000 ADU: the whole
// frame's median is the overscan's, the data section's is 5000.
const W = 70, H = 20, DATA_W = 30;
const level = (x: number) => (x < DATA_W ? 5000 : 1000);

function raw(extra: Record<string, string | number> = {}, adc?: number, sci: (x: number, y: number) => number = level) {
  return makeAstro({
    name: 'raw.fits',
    primary: { OBJECT: 'test' },
    exts: [{ data: makeTestFrame(W, H, sci), header: { DATASEC: `[1:${DATA_W},1:${H}]`, BIASSEC: `[${DATA_W + 1}:${W},1:${H}]`, ...extra }, adcLimit: adc }],
  });
}

describe('addDQ', () => {
  it('takes the saturation level from SATURATE and flags pixels at or above it (DQ 4)', () => {
    const f = raw({ SATURATE: 40000 }, 65535, (x, y) => (x === 3 && y === 4 ? 40000 : x === 5 && y === 5 ? 39999 : x === 6 && y === 6 ? 50000 : level(x)));
    const ctx = frameCtx();
    addDQ.run(f, recipeValues('makeMasterBias', 'addDQ'), ctx);
    const d = f.exts[0].data;
    expect(d.dq![4 * W + 3]).toBe(DQ.saturated);
    expect(d.dq![6 * W + 6]).toBe(DQ.saturated);
    expect(d.dq![5 * W + 5]).toBe(0);
    let flagged = 0;
    for (const v of d.dq!) if (v) flagged++;
    expect(flagged).toBe(2);
    expect(f.meta.saturation).toBe(40000);
    expect(cardOf(f.exts[0].header, 'SATURATE')).toBe(40000);
  });

  it('falls back to the converter limit (BITPIX 16 + BZERO 32768 -> 65535) without SATURATE', () => {
    expect(adcLimit(toCards({ BITPIX: 16, BZERO: 32768 }))).toBe(65535);
    expect(adcLimit(toCards({ BITPIX: 16 }))).toBe(32767);
    expect(adcLimit(toCards({ BITPIX: 8 }))).toBe(255);
    expect(adcLimit(toCards({ BITPIX: -32 }))).toBeUndefined();
    expect(adcLimit(toCards({ BITPIX: 16, BZERO: 32768, BSCALE: 2 }))).toBeUndefined();
    const f = raw({}, 65535, (x, y) => (y === 0 && x < 3 ? 65535 : level(x)));
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    expect(f.meta.saturation).toBe(65535);
    expect(Array.from(f.exts[0].data.dq!.subarray(0, 4))).toEqual([4, 4, 4, 0]);
    expect(cardOf(f.exts[0].header, 'SATURATE')).toBe(65535);
  });

  it('gets the converter limit through loadFrame from a stored 16-bit unsigned file', async () => {
    const store = new MemoryStore();
    const sci = makeTestFrame(8, 4, (x) => (x === 0 ? 65535 : 1000)).sci;
    const stored = store.add({ id: 'a', name: 'a.fits', primary: toCards({ BITPIX: 16, BZERO: 32768, NAXIS: 2, NAXIS1: 8, NAXIS2: 4 }), exts: [{ frame: { width: 8, height: 4, sci } }] });
    const f = await loadFrame(store, stored);
    expect(f.exts[0].adcLimit).toBe(65535);
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    expect(f.exts[0].data.dq![0]).toBe(DQ.saturated);
    expect(f.exts[0].data.dq![1]).toBe(0);
  });

  it('lets the saturation parameter override SATURATE and the ADC limit', () => {
    const f = raw({ SATURATE: 60000 }, 65535, (x, y) => (y === 1 && x === 1 ? 20000 : y === 1 && x === 2 ? 19999 : level(x)));
    addDQ.run(f, recipeValues('makeMasterFlat', 'addDQ', { saturation: 20000 }), frameCtx());
    const dq = f.exts[0].data.dq!;
    expect(dq[W + 1]).toBe(DQ.saturated);
    expect(dq[W + 2]).toBe(0);
    expect(f.meta.saturation).toBe(20000);
  });

  it('flags non-linear pixels (DQ 2) between nonLinear and saturation, only when asked', () => {
    const sci = (x: number, y: number) => (y === 2 ? [30000, 45000, 50000, 65535][x] ?? level(x) : level(x));
    const f = raw({}, 65535, sci);
    addDQ.run(f, defaultsOf(addDQ, { nonLinear: 45000 }), frameCtx());
    expect(Array.from(f.exts[0].data.dq!.subarray(2 * W, 2 * W + 5))).toEqual([0, DQ.nonLinear, DQ.nonLinear, DQ.saturated, 0]);
    const g = raw({}, 65535, sci);
    addDQ.run(g, defaultsOf(addDQ), frameCtx());
    expect(Array.from(g.exts[0].data.dq!.subarray(2 * W, 2 * W + 5))).toEqual([0, 0, 0, DQ.saturated, 0]);
  });

  it('marks NaN and infinite values as no data (DQ 16)', () => {
    // (A level that varies by row: a constant frame would read as piled up at its maximum.)
    const f = raw({}, undefined, (x, y) => (x === 1 && y === 1 ? NaN : x === 2 && y === 1 ? Infinity : level(x) + y));
    const ctx = frameCtx();
    addDQ.run(f, defaultsOf(addDQ), ctx);
    const dq = f.exts[0].data.dq!;
    expect(dq[W + 1]).toBe(DQ.noData);
    expect(dq[W + 2] & DQ.noData).toBe(DQ.noData);
    expect(dq[W + 3]).toBe(0);
    // Float data without SATURATE: nothing known, and the log says so.
    expect(f.meta.saturation).toBeUndefined();
    expect(ctx.logs.join('\n')).toMatch(/no saturation level/);
  });

  it('measures rawMedian on DATASEC only and the saturated fraction of the data section', () => {
    // 12 of the 600 data pixels saturated, and 40 in the overscan that must not count.
    const sci = (x: number, y: number) => {
      if (x < DATA_W && y === 0 && x < 12) return 65535;
      if (x >= DATA_W && y === 3) return 65535;
      return level(x);
    };
    const f = raw({}, 65535, sci);
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    expect(f.meta.rawMedian).toBe(5000);
    expect(f.meta.saturatedFraction).toBeCloseTo(12 / (DATA_W * H), 12);
  });

  it('measures the levels only when checkFlatLevel follows in the recipe (the one step that reads them)', () => {
    const ahead: string[] = [];
    const f = raw({}, 65535, (x) => level(x));
    addDQ.run(f, defaultsOf(addDQ), { ...frameCtx(), later: (name) => { ahead.push(name); return false; } });
    expect(ahead).toEqual(['checkFlatLevel']);
    expect(f.meta.rawMedian).toBeUndefined();
    expect(f.meta.saturatedFraction).toBeUndefined();
    expect(f.exts[0].data.dq).toBeDefined(); // the flags are set all the same
    const g = raw({}, 65535, (x) => level(x));
    addDQ.run(g, defaultsOf(addDQ), { ...frameCtx(), later: (name) => name === 'checkFlatLevel' });
    expect(g.meta.rawMedian).toBe(5000);
  });

  it('takes the whole frame as the data section when there is no DATASEC', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(W, H, level) }] });
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    expect(f.meta.rawMedian).toBe(1000);
  });

  it('gives a multi-extension frame the median of its extensions\' data medians, each extension its own level', () => {
    const f = makeAstro({
      primary: { SATURATE: 30000 },
      exts: [
        { data: makeTestFrame(10, 10, (x) => (x === 0 ? 31000 : 1000)), header: { DATASEC: '[2:10,1:10]' } },
        { data: makeTestFrame(10, 10, 2000), header: { DATASEC: '[1:10,1:10]', SATURATE: 1500 } },
        { data: makeTestFrame(10, 10, 4000), header: {} },
      ],
    });
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    expect(f.meta.rawMedian).toBe(2000);
    // Extension 2's own SATURATE wins over the primary's: all of it is saturated, extension 3 none.
    expect(f.exts[1].data.dq!.every((v) => v === DQ.saturated)).toBe(true);
    expect(f.exts[2].data.dq!.every((v) => v === 0)).toBe(true);
    // Column 0 of extension 1 is saturated but outside its DATASEC: the fraction counts only the data sections (100 + 90 + 100 pixels, 100 saturated).
    expect(f.exts[0].data.dq![0]).toBe(DQ.saturated);
    expect(f.meta.saturatedFraction).toBeCloseTo(100 / 290, 12);
    expect(f.meta.saturation).toBe(30000);
  });
});
