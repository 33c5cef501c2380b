import { describe, expect, it } from 'vitest';
import { SectionError, formatSection, makeSection, parseSection, trim, trimArray } from './section';
import { makeFrame } from './frame';

describe('parseSection', () => {
  it('1-based inclusive x-first to 0-based half-open', () => {
    expect(parseSection('[2049:2080,1:4096]')).toEqual({ x0: 2048, x1: 2080, y0: 0, y1: 4096, flipX: false, flipY: false });
  });

  it('tolerates whitespace', () => {
    expect(parseSection('  [ 1 : 10 ,\t5:6 ] ')).toEqual(makeSection(0, 10, 4, 6));
  });

  it('reversed ranges are flips of the same pixels', () => {
    expect(parseSection('[100:1,20:11]')).toEqual({ x0: 0, x1: 100, y0: 10, y1: 20, flipX: true, flipY: true });
  });

  it('* means the whole axis and needs the size', () => {
    expect(parseSection('[*,1:50]', 64, 100)).toEqual(makeSection(0, 64, 0, 50));
    expect(parseSection('[3:4,*]', 64, 100)).toEqual(makeSection(2, 4, 0, 100));
    expect(parseSection('[-*,*]', 64, 100)).toMatchObject({ x0: 0, x1: 64, flipX: true });
    expect(() => parseSection('[*,1:50]')).toThrow(/needs the image size/);
  });

  it('a single number is one pixel', () => {
    expect(parseSection('[5,7]')).toEqual(makeSection(4, 5, 6, 7));
  });

  it('clear errors for malformed sections', () => {
    expect(() => parseSection('1:10,1:10')).toThrow(SectionError);
    expect(() => parseSection('[1:10]')).toThrow(/exactly two axes/);
    expect(() => parseSection('[1:10,1:10,1:2]')).toThrow(/exactly two axes/);
    expect(() => parseSection('[a:10,1:10]')).toThrow(/not a positive integer/);
    expect(() => parseSection('[0:10,1:10]')).toThrow(/start at 1/);
    expect(() => parseSection('[1:10:2,1:10]')).toThrow(/steps/);
    expect(() => parseSection('[1.5:10,1:10]')).toThrow(SectionError);
  });

  it('refuses sections outside the image', () => {
    expect(() => parseSection('[1:65,1:10]', 64, 100)).toThrow(/outside the 64x100 image/);
    expect(() => parseSection('[1:64,1:101]', 64, 100)).toThrow(SectionError);
    expect(parseSection('[1:64,1:100]', 64, 100)).toEqual(makeSection(0, 64, 0, 100));
  });
});

describe('formatSection', () => {
  it('round-trips, flips included', () => {
    for (const s of ['[2049:2080,1:4096]', '[100:1,20:11]', '[5:5,7:7]']) expect(formatSection(parseSection(s))).toBe(s);
  });
});

describe('trim', () => {
  const w = 5, h = 4;
  const a = new Float32Array(w * h).map((_, i) => i); // value = y*5 + x

  it('copies the sub-image', () => {
    const t = trimArray(a, w, h, '[2:3,2:4]');
    expect(Array.from(t)).toEqual([6, 7, 11, 12, 16, 17]);
    expect(t).toBeInstanceOf(Float32Array);
  });

  it('flips for reversed ranges', () => {
    expect(Array.from(trimArray(a, w, h, '[3:2,1:1]'))).toEqual([2, 1]);
    expect(Array.from(trimArray(a, w, h, '[1:1,4:3]'))).toEqual([15, 10]);
  });

  it('trims SCI, VAR and DQ of a frame together', () => {
    const f = makeFrame(w, h, true, true);
    f.sci.set(a);
    f.var!.set(a.map((v) => v * 2));
    f.dq!.set(Array.from(a, (v) => v % 3));
    const t = trim(f, '[4:5,*]');
    expect(t.width).toBe(2);
    expect(t.height).toBe(4);
    expect(Array.from(t.sci)).toEqual([3, 4, 8, 9, 13, 14, 18, 19]);
    expect(Array.from(t.var!)).toEqual([6, 8, 16, 18, 26, 28, 36, 38]);
    expect(Array.from(t.dq!)).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(t.dq).toBeInstanceOf(Uint16Array);
    expect(trim(makeFrame(w, h), '[1:2,1:2]').var).toBeUndefined();
  });

  it('refuses an out-of-image section or a wrong-size array', () => {
    expect(() => trimArray(a, w, h, '[1:6,1:4]')).toThrow(SectionError);
    expect(() => trimArray(a, w, h, makeSection(0, 6, 0, 4))).toThrow(SectionError);
    expect(() => trimArray(a, 4, 4, '[1:2,1:2]')).toThrow(/not 4x4/);
  });
});
