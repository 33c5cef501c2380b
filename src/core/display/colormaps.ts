/**
 * Colormaps as DS9 and JS9 name them. The SAOImage maps (grey, heat, cool,
 * rainbow, a, b, bb, he, i8) are piecewise linear per channel, given as
 * (position, level) knots exactly as SAOImage DS9 defines them; the
 * perceptually uniform maps (viridis, inferno, magma, plasma) are
 * matplotlib's 256-entry tables (colormapTables.ts).
 *
 * Every map is sampled to COLORMAP_SIZE RGB entries (Uint8Array, r g b ...).
 */
import { TABLES } from './colormapTables';

export const COLORMAP_SIZE = 256;

type Knots = readonly (readonly [number, number])[];
interface Piecewise { r: Knots; g: Knots; b: Knots }

/** SAOImage colormaps: per channel, (x, level) knots on [0, 1]. */
const PIECEWISE: Record<string, Piecewise> = {
  grey: { r: [[0, 0], [1, 1]], g: [[0, 0], [1, 1]], b: [[0, 0], [1, 1]] },
  heat: {
    r: [[0, 0], [0.34, 1], [1, 1]],
    g: [[0, 0], [1, 1]],
    b: [[0, 0], [0.65, 0], [0.98, 1], [1, 1]],
  },
  cool: {
    r: [[0, 0], [0.29, 0], [0.76, 0.1], [1, 1]],
    g: [[0, 0], [0.22, 0], [0.96, 1], [1, 1]],
    b: [[0, 0], [0.53, 1], [1, 1]],
  },
  rainbow: {
    r: [[0, 1], [0.2, 0], [0.6, 0], [0.8, 1], [1, 1]],
    g: [[0, 0], [0.2, 0], [0.4, 1], [0.8, 1], [1, 0]],
    b: [[0, 1], [0.4, 1], [0.6, 0], [1, 0]],
  },
  a: {
    r: [[0, 0], [0.25, 0], [0.5, 1], [1, 1]],
    g: [[0, 0], [0.25, 1], [0.5, 0], [0.77, 0], [1, 1]],
    b: [[0, 0], [0.125, 0], [0.5, 1], [0.64, 0.5], [0.77, 0], [1, 0]],
  },
  b: {
    r: [[0, 0], [0.25, 0], [0.5, 1], [1, 1]],
    g: [[0, 0], [0.5, 0], [0.75, 1], [1, 1]],
    b: [[0, 0], [0.25, 1], [0.5, 0], [0.75, 0], [1, 1]],
  },
  bb: {
    r: [[0, 0], [0.5, 1], [1, 1]],
    g: [[0, 0], [0.25, 0], [0.75, 1], [1, 1]],
    b: [[0, 0], [0.5, 0], [1, 1]],
  },
  he: {
    r: [[0, 0], [0.015, 0.5], [0.25, 0.5], [0.5, 0.75], [1, 1]],
    g: [[0, 0], [0.065, 0], [0.125, 0.5], [0.25, 0.75], [0.5, 0.81], [1, 1]],
    b: [[0, 0], [0.015, 0.125], [0.03, 0.375], [0.065, 0.625], [0.25, 0.25], [1, 1]],
  },
};

/** SAOImage i8: eight flat colours. */
const I8: readonly (readonly [number, number, number])[] = [
  [0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1],
];

/** The order the menu lists them in: the issue's eight first, then DS9's other classics. */
export const COLORMAP_NAMES = ['grey', 'heat', 'cool', 'viridis', 'inferno', 'magma', 'plasma', 'rainbow', 'a', 'b', 'bb', 'he', 'i8'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

export function isColormapName(name: string): name is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(name);
}

/** Linear interpolation through knots sorted by x (equal x = a step, the later knot wins beyond it). */
function interpolate(knots: Knots, x: number): number {
  if (x <= knots[0][0]) return knots[0][1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i];
    if (x <= x1) {
      const [x0, y0] = knots[i - 1];
      return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return knots[knots.length - 1][1];
}

function fromPiecewise(p: Piecewise): Uint8Array {
  const out = new Uint8Array(COLORMAP_SIZE * 3);
  for (let i = 0; i < COLORMAP_SIZE; i++) {
    const x = i / (COLORMAP_SIZE - 1);
    out[i * 3] = Math.round(255 * interpolate(p.r, x));
    out[i * 3 + 1] = Math.round(255 * interpolate(p.g, x));
    out[i * 3 + 2] = Math.round(255 * interpolate(p.b, x));
  }
  return out;
}

function fromHex(hex: string): Uint8Array {
  const n = hex.length / 6;
  const out = new Uint8Array(COLORMAP_SIZE * 3);
  for (let i = 0; i < COLORMAP_SIZE; i++) {
    const k = Math.min(n - 1, Math.floor((i * n) / COLORMAP_SIZE));
    for (let c = 0; c < 3; c++) out[i * 3 + c] = parseInt(hex.slice(k * 6 + c * 2, k * 6 + c * 2 + 2), 16);
  }
  return out;
}

function fromSteps(steps: readonly (readonly [number, number, number])[]): Uint8Array {
  const out = new Uint8Array(COLORMAP_SIZE * 3);
  for (let i = 0; i < COLORMAP_SIZE; i++) {
    const s = steps[Math.min(steps.length - 1, Math.floor((i * steps.length) / COLORMAP_SIZE))];
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(255 * s[c]);
  }
  return out;
}

const cache = new Map<ColormapName, Uint8Array>();

/** COLORMAP_SIZE RGB triplets (shared: do not modify). */
export function colormap(name: ColormapName): Uint8Array {
  let map = cache.get(name);
  if (!map) {
    if (name === 'i8') map = fromSteps(I8);
    else if (TABLES[name]) map = fromHex(TABLES[name]);
    else map = fromPiecewise(PIECEWISE[name]);
    cache.set(name, map);
  }
  return map;
}
