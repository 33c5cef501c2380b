/**
 * tileArrays: extensions placed by DETSEC (unbinned detector pixels, so
 * divided by the binning), flipped where DETSEC runs backwards, gaps left
 * as no data.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import { tileArrays } from './tile';
import { cardOf, frameCtx, makeAstro, makeMember, makeTestFrame } from '../testing/frames';
import { MemoryStore } from '../memoryStore';

/** Extension k's pixel value: 1000 k + 100 ... encodes extension, column and row. */
const val = (k: number) => (x: number, y: number) => 10000 * (k + 1) + 100 * y + x;

function ext(k: number, detsec: string | undefined, w = 20, h = 30, extra: Record<string, string | number> = {}) {
  return {
    extver: k + 1,
    data: makeTestFrame(w, h, val(k), { var: k + 1, dq: (x, y) => (x === 0 && y === 0 ? DQ.bad : 0) }),
    header: { ...(detsec ? { DETSEC: detsec } : {}), ...extra },
  };
}

describe('tileArrays', () => {
  it('places two extensions side by side by DETSEC, with VAR and DQ', () => {
    const f = makeAstro({ name: 'mef.fits', exts: [ext(0, '[1:20,1:30]', 20, 30, { CRPIX1: 5, CRPIX2: 6 }), ext(1, '[21:40,1:30]')] });
    const ctx = frameCtx();
    expect(tileArrays.run(f, {}, ctx)).toBeUndefined();
    expect(f.exts).toHaveLength(1);
    const d = f.exts[0].data;
    expect([d.width, d.height]).toEqual([40, 30]);
    expect(d.sci[7 * 40 + 3]).toBe(val(0)(3, 7));
    expect(d.sci[7 * 40 + 23]).toBe(val(1)(3, 7));
    expect(d.var![7 * 40 + 3]).toBe(1);
    expect(d.var![7 * 40 + 23]).toBe(2);
    expect(d.dq![0]).toBe(DQ.bad);
    expect(d.dq![20]).toBe(DQ.bad);
    expect(d.dq![21]).toBe(0);
    expect(cardOf(f.exts[0].header, 'DATASEC')).toBe('[1:40,1:30]');
    expect(cardOf(f.exts[0].header, 'DETSEC')).toBe('[1:40,1:30]');
    expect(cardOf(f.exts[0].header, 'CRPIX1')).toBe(5);
  });

  it('places four extensions in a 2 x 2 mosaic, whatever their order', () => {
    const f = makeAstro({
      exts: [ext(0, '[21:40,31:60]', 20, 30, { CRPIX1: 5, CRPIX2: 6 }), ext(1, '[1:20,1:30]'), ext(2, '[21:40,1:30]'), ext(3, '[1:20,31:60]')],
    });
    tileArrays.run(f, {}, frameCtx());
    const d = f.exts[0].data;
    expect([d.width, d.height]).toEqual([40, 60]);
    expect(d.sci[0]).toBe(val(1)(0, 0));
    expect(d.sci[25]).toBe(val(2)(5, 0));
    expect(d.sci[35 * 40 + 2]).toBe(val(3)(2, 5));
    expect(d.sci[59 * 40 + 39]).toBe(val(0)(19, 29));
    // The mosaic keeps the first extension's WCS, moved to where that extension now sits.
    expect(cardOf(f.exts[0].header, 'CRPIX1')).toBe(25);
    expect(cardOf(f.exts[0].header, 'CRPIX2')).toBe(36);
    // Nothing is left as no data: the four fill the mosaic.
    expect(d.dq!.some((v) => v & DQ.noData)).toBe(false);
  });

  it('divides DETSEC by the binning (2 x 2: DETSEC spans twice the pixels)', () => {
    const f = makeAstro({ primary: { CCDSUM: '2 2' }, exts: [ext(0, '[1:40,1:60]'), ext(1, '[41:80,1:60]')] });
    tileArrays.run(f, {}, frameCtx());
    const d = f.exts[0].data;
    expect([d.width, d.height]).toEqual([40, 30]);
    expect(d.sci[4 * 40 + 20]).toBe(val(1)(0, 4));
    expect(cardOf(f.exts[0].header, 'DETSEC')).toBe('[1:80,1:60]');
  });

  it('flips an extension whose DETSEC runs backwards (amplifier read from the other side)', () => {
    const f = makeAstro({ exts: [ext(0, '[1:20,1:30]'), ext(1, '[40:21,1:30]')] });
    tileArrays.run(f, {}, frameCtx());
    const d = f.exts[0].data;
    // The extension's first column sits at the right edge of the mosaic.
    expect(d.sci[5 * 40 + 39]).toBe(val(1)(0, 5));
    expect(d.sci[5 * 40 + 20]).toBe(val(1)(19, 5));
    expect(d.dq![39]).toBe(DQ.bad);
  });

  it('leaves the gap between CCDs as no data (DQ 16)', () => {
    const f = makeAstro({ exts: [ext(0, '[1:20,1:30]'), ext(1, '[25:44,1:30]')] });
    tileArrays.run(f, {}, frameCtx());
    const d = f.exts[0].data;
    expect(d.width).toBe(44);
    for (let x = 20; x < 24; x++) {
      expect(d.dq![10 * 44 + x]).toBe(DQ.noData);
      expect(d.sci[10 * 44 + x]).toBe(0);
    }
    expect(d.dq![10 * 44 + 24]).toBe(0);
    expect(d.sci[10 * 44 + 24]).toBe(val(1)(0, 10));
  });

  it('skips, with a warning naming the extensions, when an extension has no DETSEC', () => {
    const f = makeAstro({ name: 'mef.fits', exts: [ext(0, '[1:20,1:30]'), ext(1, undefined)] });
    const ctx = frameCtx();
    expect(tileArrays.run(f, {}, ctx)).toEqual({ skipped: expect.stringMatching(/no DETSEC/) });
    expect(f.exts).toHaveLength(2);
    // No frame name: the same words for every frame of a stack are said once, with a count.
    expect(ctx.warnings).toEqual(['extension 2 without DETSEC: not tiled, extensions stacked separately']);
  });

  it('refuses a DETSEC that does not match the data size, and passes single-extension frames', () => {
    const bad = makeAstro({ name: 'mef.fits', exts: [ext(0, '[1:20,1:30]'), ext(1, '[21:50,1:30]')] });
    expect(() => tileArrays.run(bad, {}, frameCtx())).toThrow(/DETSEC \[21:50,1:30\].*30x30.*20x30/);
    const one = makeAstro({ exts: [ext(0, '[1:20,1:30]')] });
    expect(tileArrays.run(one, {}, frameCtx())).toBe('unchanged');
    const store = new MemoryStore();
    const stored = store.add({ id: 'a', name: 'a.fits', primary: [], exts: [{ frame: makeTestFrame(2, 2) }] });
    expect(tileArrays.satisfiedBy!(makeMember(stored), {})).toBe(true);
  });
});
