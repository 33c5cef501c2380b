/**
 * FITS / IRAF image sections such as BIASSEC = '[2049:2080,1:4096]'.
 *
 * On the header side a section is 1-based and inclusive, x (column) first.
 * In code it is 0-based and half-open: {x0, x1, y0, y1} covers columns
 * x0..x1-1 and rows y0..y1-1. A reversed range ('[100:1,*]') selects the same
 * pixels read backwards (IRAF's flipped section); we keep the pixel box
 * normalized and report flipX / flipY so trim can honour it.
 *
 * Accepted per axis: 'a:b' (either order), 'a' (one pixel), '*' or '' (whole
 * axis, needs the image size), '-*' (whole axis flipped). Whitespace anywhere
 * is ignored. Steps ('1:100:2') are refused with a clear error.
 */
import type { Frame } from './frame';
import { take, type ScratchType } from './scratch';

export interface Section {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  flipX: boolean;
  flipY: boolean;
}

export class SectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SectionError';
  }
}

interface AxisRange {
  lo: number; // 0-based inclusive
  hi: number; // 0-based exclusive
  flip: boolean;
}

function parseAxis(text: string, size: number | undefined, axis: 'x' | 'y', whole: string): AxisRange {
  const t = text.trim();
  if (t === '*' || t === '' || t === '-*') {
    if (size === undefined) {
      throw new SectionError(`section '${whole}': '${t || '*'}' on the ${axis} axis needs the image size`);
    }
    return { lo: 0, hi: size, flip: t === '-*' };
  }
  const parts = t.split(':');
  if (parts.length > 2) {
    throw new SectionError(`section '${whole}': steps are not supported ('${t}' on the ${axis} axis)`);
  }
  const nums = parts.map((p) => {
    const s = p.trim();
    if (!/^[+]?\d+$/.test(s)) {
      throw new SectionError(`section '${whole}': '${p.trim()}' on the ${axis} axis is not a positive integer`);
    }
    return Number(s);
  });
  const a = nums[0];
  const b = nums.length === 2 ? nums[1] : nums[0];
  if (a < 1 || b < 1) throw new SectionError(`section '${whole}': pixel numbers start at 1 (${axis} axis '${t}')`);
  return { lo: Math.min(a, b) - 1, hi: Math.max(a, b), flip: a > b };
}

/**
 * Parses '[x1:x2,y1:y2]' into a 0-based half-open Section. When the image
 * size is given, '*' is allowed and the section must lie inside the image.
 */
export function parseSection(text: string, width?: number, height?: number): Section {
  if (typeof text !== 'string') throw new SectionError(`section must be a string, got ${typeof text}`);
  const m = /^\s*\[(.*)\]\s*$/s.exec(text);
  if (!m) throw new SectionError(`'${text}' is not a FITS section: it must look like [x1:x2,y1:y2]`);
  const axes = m[1].split(',');
  if (axes.length !== 2) {
    throw new SectionError(`section '${text}' must have exactly two axes (x,y), found ${axes.length}`);
  }
  const x = parseAxis(axes[0], width, 'x', text);
  const y = parseAxis(axes[1], height, 'y', text);
  const sec: Section = { x0: x.lo, x1: x.hi, y0: y.lo, y1: y.hi, flipX: x.flip, flipY: y.flip };
  if (width !== undefined && height !== undefined) checkSection(sec, width, height, text);
  return sec;
}

/** Throws SectionError unless the section is non-empty and inside a width x height image. */
export function checkSection(sec: Section, width: number, height: number, label = formatSection(sec)): void {
  const ok =
    Number.isInteger(sec.x0) && Number.isInteger(sec.x1) && Number.isInteger(sec.y0) && Number.isInteger(sec.y1);
  if (!ok || sec.x0 < 0 || sec.y0 < 0 || sec.x1 <= sec.x0 || sec.y1 <= sec.y0) {
    throw new SectionError(`section '${label}' is empty or malformed`);
  }
  if (sec.x1 > width || sec.y1 > height) {
    throw new SectionError(`section '${label}' lies outside the ${width}x${height} image`);
  }
}

/** Back to the header form, 1-based inclusive, reversed ranges for flipped axes. */
export function formatSection(sec: Section): string {
  const xa = sec.flipX ? `${sec.x1}:${sec.x0 + 1}` : `${sec.x0 + 1}:${sec.x1}`;
  const ya = sec.flipY ? `${sec.y1}:${sec.y0 + 1}` : `${sec.y0 + 1}:${sec.y1}`;
  return `[${xa},${ya}]`;
}

/** Section from 0-based half-open bounds (no flip). */
export function makeSection(x0: number, x1: number, y0: number, y1: number): Section {
  return { x0, x1, y0, y1, flipX: false, flipY: false };
}

export function sectionWidth(sec: Section): number {
  return sec.x1 - sec.x0;
}

export function sectionHeight(sec: Section): number {
  return sec.y1 - sec.y0;
}

function resolve(section: Section | string, width: number, height: number): Section {
  const sec = typeof section === 'string' ? parseSection(section, width, height) : section;
  checkSection(sec, width, height);
  return sec;
}

type PlaneArray = Float32Array | Float64Array | Uint16Array | Uint8Array | Int16Array | Int32Array | Uint32Array;

/**
 * Copies the sub-image of a row-major width x height array into a new array
 * of the same type (flipped along an axis when the section says so).
 */
export function trimArray<T extends PlaneArray>(
  data: T,
  width: number,
  height: number,
  section: Section | string,
): T {
  if (data.length !== width * height) {
    throw new RangeError(`array length ${data.length} is not ${width}x${height}`);
  }
  const sec = resolve(section, width, height);
  const w = sec.x1 - sec.x0;
  const h = sec.y1 - sec.y0;
  const out = take(data.constructor as ScratchType<T>, w * h); // every pixel is copied into it
  for (let j = 0; j < h; j++) {
    const srcRow = sec.flipY ? sec.y1 - 1 - j : sec.y0 + j;
    const start = srcRow * width + sec.x0;
    if (!sec.flipX) {
      out.set(data.subarray(start, start + w) as unknown as ArrayLike<number>, j * w);
    } else {
      const dst = j * w;
      for (let i = 0; i < w; i++) out[dst + i] = data[start + w - 1 - i];
    }
  }
  return out;
}

/** Trims SCI, VAR and DQ of a frame together into a new frame. */
export function trim(frame: Frame, section: Section | string): Frame {
  const sec = resolve(section, frame.width, frame.height);
  return {
    width: sec.x1 - sec.x0,
    height: sec.y1 - sec.y0,
    sci: trimArray(frame.sci, frame.width, frame.height, sec),
    var: frame.var && trimArray(frame.var, frame.width, frame.height, sec),
    dq: frame.dq && trimArray(frame.dq, frame.width, frame.height, sec),
  };
}
