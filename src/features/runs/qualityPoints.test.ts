import { describe, expect, it } from 'vitest';
import { commonUnit, samePoints, type QualityPoint } from './qualityPoints';

const pt = (unit?: string): QualityPoint => ({ id: 'a', name: 'a', time: 0, filter: 'R', fwhm: 3, sky: 400, skyNoise: 20, unit });

describe('commonUnit', () => {
  it('names the unit the chart axes share, and none when they differ or are unknown', () => {
    expect(commonUnit([pt('electron'), pt('electron')])).toBe('e⁻');
    expect(commonUnit([pt('adu')])).toBe('ADU');
    expect(commonUnit([pt('electron'), pt('adu')])).toBeUndefined();
    expect(commonUnit([pt('none')])).toBeUndefined();
    expect(commonUnit([pt(undefined)])).toBeUndefined();
  });
});

describe('samePoints', () => {
  const a = { ...pt(), id: 'a' };
  const b = { ...pt(), id: 'b' };
  it('holds for the same products in the same order, each left out or not alike', () => {
    expect(samePoints([], [])).toBe(true);
    expect(samePoints([a, b], [{ ...a }, { ...b }])).toBe(true);
    expect(samePoints([a, b], [b, a])).toBe(false);
    expect(samePoints([a], [a, b])).toBe(false);
    expect(samePoints([a, b], [a, { ...b, id: 'c' }])).toBe(false);
    expect(samePoints([a, b], [a, { ...b, leftOut: 'not registered' }])).toBe(false);
  });
});
