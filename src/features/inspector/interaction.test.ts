import { describe, expect, it } from 'vitest';
import { ZOOM_LADDER, contrastBiasAt, formatZoom, nextZoom } from './interaction';

describe('zoom ladder', () => {
  it('whole numbers above 1, reciprocals below, ascending', () => {
    for (const z of ZOOM_LADDER) if (z > 1) expect(Number.isInteger(z)).toBe(true);
    for (let i = 1; i < ZOOM_LADDER.length; i++) expect(ZOOM_LADDER[i]).toBeGreaterThan(ZOOM_LADDER[i - 1]);
  });
  it('steps from any zoom to its neighbours', () => {
    expect(nextZoom(1, 1)).toBe(2);
    expect(nextZoom(1, -1)).toBeCloseTo(1 / 1.5, 12);
    expect(nextZoom(0.37, 1)).toBe(0.5);
    expect(nextZoom(0.37, -1)).toBeCloseTo(1 / 3, 12);
    expect(nextZoom(128, 1)).toBe(128);
  });
  it('formats as DS9 does', () => {
    expect(formatZoom(4)).toBe('4');
    expect(formatZoom(0.125)).toBe('1/8');
    expect(formatZoom(0.37)).toBe('0.370');
  });
});

describe('contrast and bias from the pointer', () => {
  it('bias follows x, contrast y (0 to 10)', () => {
    expect(contrastBiasAt(50, 10, 100, 100)).toEqual({ bias: 0.5, contrast: 1 });
    expect(contrastBiasAt(-5, 300, 100, 100)).toEqual({ bias: 0, contrast: 10 });
  });
});
