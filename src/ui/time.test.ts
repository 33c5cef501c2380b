import { describe, expect, it } from 'vitest';
import { isoDate, isoMinute, utcSeconds, utcTime } from './time';

describe('times shown', () => {
  it('are UTC in ISO order, whatever the zone', () => {
    const ms = Date.UTC(2026, 10, 30, 5, 23, 59, 600);
    expect(utcSeconds(ms)).toBe('2026-11-30 05:23:59 UTC');
    expect(utcTime(ms)).toBe('05:23:59');
    expect(isoMinute(ms)).toBe('2026-11-30 05:23 UTC');
    expect(isoDate(ms)).toBe('2026-11-30');
  });
});
