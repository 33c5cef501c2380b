import { describe, expect, it } from 'vitest';
import { tabAfterKey } from './tabKeys';

describe('tabAfterKey', () => {
  it('moves right and left, wrapping at the ends', () => {
    expect(tabAfterKey('ArrowRight', 0, 5)).toBe(1);
    expect(tabAfterKey('ArrowRight', 4, 5)).toBe(0);
    expect(tabAfterKey('ArrowLeft', 0, 5)).toBe(4);
    expect(tabAfterKey('ArrowLeft', 3, 5)).toBe(2);
  });

  it('Home and End go to the first and last tab; other keys are not the tab list\'s', () => {
    expect(tabAfterKey('Home', 3, 5)).toBe(0);
    expect(tabAfterKey('End', 1, 5)).toBe(4);
    expect(tabAfterKey('Enter', 1, 5)).toBeUndefined();
    expect(tabAfterKey('ArrowDown', 1, 5)).toBeUndefined();
  });
});
