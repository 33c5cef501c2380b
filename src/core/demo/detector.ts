/**
 * Fixed properties of the simulated CCD, the same in every frame of the
 * night: the bias fixed pattern (hot columns, a faint glow at the readout
 * edge) and the flat-field response (illumination x pixel sensitivity x dust).
 * These are exactly what a master bias and a normalized master flat should
 * recover, so tests can score products against them.
 */
import { medianInPlace } from '../kernels/select';
import { filterModel, type ResolvedOptions } from './options';
import { streamRng } from './random';

export interface HotColumn {
  /** 0-based column in the image area. */
  x: number;
  /** First affected row (0-based); the column is hot from here to the top. */
  fromRow: number;
  /** Excess bias, ADU. */
  adu: number;
}

export interface DustDonut {
  x: number;
  y: number;
  /** Ring radius and width, px. */
  radius: number;
  width: number;
  /** Fractional loss of sensitivity on the ring. */
  depth: number;
}

export interface DetectorDefects {
  hotColumns: HotColumn[];
  /** Column (0-based) whose pixels respond at only `lowColumnResponse` of normal, from `lowColumnFromRow` up. */
  lowColumn: number;
  lowColumnFromRow: number;
  lowColumnResponse: number;
  dust: DustDonut[];
  /** Optical axis (0-based pixel coordinates) of the vignetting pattern. */
  opticalCenter: { x: number; y: number };
  /** Relative RMS of the pixel-to-pixel sensitivity. */
  prnuRms: number;
}

/** Readout-edge glow: this many ADU at column 0, decaying with this e-folding length (columns). */
export const EDGE_GLOW_ADU = 2.5;
export const EDGE_GLOW_COLUMNS = 4;

export function detectorDefects(o: ResolvedOptions): DetectorDefects {
  const rng = streamRng(o.seed, 'defects');
  const { width: w, height: h } = o;
  const margin = Math.min(20, Math.floor(w / 8));
  const hotColumns: HotColumn[] = [];
  const used = new Set<number>();
  const pickColumn = () => {
    for (;;) {
      const x = rng.int(margin, w - 1 - margin);
      if (!used.has(x) && !used.has(x - 1) && !used.has(x + 1)) {
        used.add(x);
        return x;
      }
    }
  };
  const nHot = w >= 128 ? 4 : 2;
  for (let i = 0; i < nHot; i++) {
    hotColumns.push({ x: pickColumn(), fromRow: i === 0 ? 0 : rng.int(0, Math.floor(h * 0.7)), adu: Math.round(rng.range(8, 45) * 10) / 10 });
  }
  const lowColumn = pickColumn();
  const lowColumnFromRow = rng.int(Math.floor(h * 0.2), Math.floor(h * 0.6));
  const nDust = w >= 128 && h >= 128 ? 2 : 0;
  const dust: DustDonut[] = [];
  for (let i = 0; i < nDust; i++) {
    dust.push({
      x: rng.range(0.15, 0.85) * w,
      y: rng.range(0.15, 0.85) * h,
      radius: rng.range(6, 11),
      width: rng.range(1.5, 2.5),
      depth: rng.range(0.03, 0.06),
    });
  }
  return {
    hotColumns,
    lowColumn,
    lowColumnFromRow,
    lowColumnResponse: 0.3,
    dust,
    opticalCenter: { x: (w - 1) / 2 + rng.range(-0.05, 0.05) * w, y: (h - 1) / 2 + rng.range(-0.05, 0.05) * h },
    prnuRms: 0.01,
  };
}

/** Bias fixed pattern of the image area (ADU above the row bias), width*height, row-major. */
export function biasStructure(o: ResolvedOptions, d: DetectorDefects = detectorDefects(o)): Float32Array {
  const { width: w, height: h } = o;
  const out = new Float32Array(w * h);
  for (let x = 0; x < w; x++) {
    const glow = EDGE_GLOW_ADU * Math.exp(-x / EDGE_GLOW_COLUMNS);
    if (glow < 1e-3) break;
    for (let y = 0; y < h; y++) out[y * w + x] += glow;
  }
  for (const c of d.hotColumns) for (let y = c.fromRow; y < h; y++) out[y * w + c.x] += c.adu;
  return out;
}

/**
 * Pixel sensitivity common to all filters: 1 + prnuRms * N(0,1), with the
 * low column and dust donuts. The draws come from one stream in pixel order,
 * so the map is a pure function of seed and size.
 */
function pixelResponse(o: ResolvedOptions, d: DetectorDefects): Float32Array {
  const { width: w, height: h } = o;
  const rng = streamRng(o.seed, 'prnu');
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = 1 + d.prnuRms * rng.normal();
  for (let y = d.lowColumnFromRow; y < h; y++) out[y * w + d.lowColumn] *= d.lowColumnResponse;
  for (const g of d.dust) {
    const r0 = Math.ceil(g.radius + 3 * g.width);
    for (let y = Math.max(0, Math.floor(g.y - r0)); y <= Math.min(h - 1, Math.ceil(g.y + r0)); y++) {
      for (let x = Math.max(0, Math.floor(g.x - r0)); x <= Math.min(w - 1, Math.ceil(g.x + r0)); x++) {
        const r = Math.hypot(x - g.x, y - g.y);
        const u = (r - g.radius) / g.width;
        out[y * w + x] *= 1 - g.depth * Math.exp(-0.5 * u * u);
      }
    }
  }
  return out;
}

/**
 * Flat-field response per filter: smooth radial vignetting (the filter's
 * depth at the farthest corner) times the pixel response, normalized to a
 * median of 1 over the image area. A raw flat is bias + level * this (plus
 * noise); a reduced science frame is its electrons divided by this.
 */
export function flatPatterns(o: ResolvedOptions, d: DetectorDefects = detectorDefects(o)): Map<string, Float32Array> {
  const { width: w, height: h } = o;
  const prnu = pixelResponse(o, d);
  const { x: cx, y: cy } = d.opticalCenter;
  const rMax2 = Math.max(cx * cx, (w - 1 - cx) ** 2) + Math.max(cy * cy, (h - 1 - cy) ** 2);
  const out = new Map<string, Float32Array>();
  const scratch = new Float32Array(w * h);
  for (const f of o.filters) {
    const depth = filterModel(f).vignetting;
    const flat = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const dy2 = (y - cy) ** 2;
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        flat[i] = (1 - (depth * ((x - cx) ** 2 + dy2)) / rMax2) * prnu[i];
      }
    }
    scratch.set(flat);
    const med = medianInPlace(scratch);
    for (let i = 0; i < flat.length; i++) flat[i] /= med;
    out.set(f, flat);
  }
  return out;
}
