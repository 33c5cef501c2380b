import { describe, expect, it } from 'vitest';
import { formatValue, sectionOf } from './format';

describe('formatValue', () => {
  it('keeps whole numbers whole and rounds the rest to 6 significant digits', () => {
    expect(formatValue(1034)).toBe('1034');
    expect(formatValue(1034.56789)).toBe('1034.57');
    expect(formatValue(0.000012345)).toBe('1.2345e-5');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue(-Infinity)).toBe('-Inf');
  });
  it('writes 0-based boxes as FITS sections', () => {
    expect(sectionOf({ x0: 0, y0: 9, x1: 99, y1: 19 })).toBe('[1:100,10:20]');
  });
});
