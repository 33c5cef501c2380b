/**
 * addDQ: the data-quality plane of a raw frame, made before anything changes
 * the raw values (as DRAGONS' addDQ in prepare): saturation is a property of
 * the raw ADU the converter wrote, not of bias-subtracted or flat-fielded
 * numbers.
 */
import { DQ } from '../../kernels/dq';
import { extractDescriptors } from '../../classify/descriptors';
import { setCard } from '../cards';
import { lookup, type AstroFrame } from '../astroFrame';
import { optNum, param, type FramePrimitive } from '../primitive';
import { median } from '../../kernels/stats';
import { dataSectionBounds, sectionLevels } from '../../kernels/sectionLevels';
import { flatLevelFigures } from '../flatLevel';
import type { Frame } from '../../kernels/frame';
import { LATTICES } from '../../kernels/lattice';
import { mosaicOf } from './cfa';
import { takeZeroed } from '../../kernels/scratch';
import { pileUpMaximum } from '../../kernels/pileUp';

/**
 * The name of the step that reads addDQ's raw level figures (flats.ts's
 * checkFlatLevel). It lives here because flats.ts imports this module: addDQ
 * asks for it by this name, and checkFlatLevel and the views use the same one.
 */
export const FLAT_LEVEL_CHECK = 'checkFlatLevel';

/**
 * Saturation level of one extension: the user's value, the header's, the
 * converter's limit, or (float data, which has none) the raw maximum where
 * pixels pile up at it (kernels/pileUp.ts): a float flat with 98% of its
 * pixels at 65535.0 had passed the level check unseen, its master's noise
 * 2.3-2.5 times the photon noise.
 */
export function saturationLevel(frame: AstroFrame, k: number, override?: number): { level?: number; from: string } {
  if (override !== undefined) return { level: override, from: 'parameter' };
  const d = extractDescriptors(frame.primary, frame.exts[k].header);
  if (d.saturation !== undefined) return { level: d.saturation, from: d.sources.saturation ?? 'header' };
  const adc = frame.exts[k].adcLimit;
  if (adc !== undefined) return { level: adc, from: 'ADC limit of the raw data type' };
  const piled = pileUpMaximum(frame.exts[k].data.sci);
  if (piled !== undefined) return { level: piled, from: 'the raw maximum, where pixels pile up' };
  return { from: 'none' };
}

/**
 * One pass over the raw pixels: DQ saturated (4) at or above `sat`,
 * non-linear (2) at or above `nonLinear`, no data (16) for NaN and
 * infinities. Returns the counts.
 */
function flagRaw(f: Frame, sat: number, nonLinear: number): { saturated: number; nonLinear: number; missing: number } {
  const { sci } = f;
  const dq = (f.dq ??= takeZeroed(Uint16Array, sci.length));
  let ns = 0, nn = 0, nm = 0;
  for (let i = 0; i < sci.length; i++) {
    const v = sci[i];
    if (v - v !== 0) { dq[i] |= DQ.noData; nm++; }
    else if (v >= sat) { dq[i] |= DQ.saturated; ns++; }
    else if (v >= nonLinear) { dq[i] |= DQ.nonLinear; nn++; }
  }
  return { saturated: ns, nonLinear: nn, missing: nm };
}

export const addDQ: FramePrimitive = {
  kind: 'frame',
  name: 'addDQ',
  doc: 'Starts the DQ plane from the raw values: saturated pixels (4), non-linear ones (2) and missing values (16).',
  params: [
    param('saturation', 'number', null, 'Saturation level in raw ADU; empty = SATURATE from the header, else the ADC limit of the data type', { nullable: true, min: 0 }),
    param('nonLinear', 'number', null, 'Raw ADU above which pixels are flagged non-linear; empty = not flagged', { nullable: true, min: 0 }),
  ],
  run(frame, p, ctx) {
    const notes: string[] = [];
    // Per colour of a mosaic (one entry otherwise): each extension's median, saturated and all pixels.
    const mosaic = mosaicOf(frame);
    const parts: (readonly [number, number] | undefined)[] = mosaic ? [...LATTICES] : [undefined];
    const levels = parts.map(() => ({ medians: [] as number[], saturated: 0, count: 0 }));
    // The raw level figures are checkFlatLevel's alone: measured only where it follows (a master
    // flat's frames), not on every bias and science frame (a median of 500k samples each).
    const measure = ctx.later(FLAT_LEVEL_CHECK);
    frame.exts.forEach((ext, k) => {
      const f = ext.data;
      const sat = saturationLevel(frame, k, optNum(p, 'saturation'));
      if (optNum(p, 'saturation') === undefined) ctx.used('saturation', sat.level ?? 'none');
      const nl = optNum(p, 'nonLinear');
      const flagged = flagRaw(f, sat.level ?? Infinity, nl ?? Infinity);
      const missing = flagged.missing;
      // Later steps (cosmic rays, quality) need the level in the frame's current units: keep it in the header.
      if (sat.level !== undefined) setCard(ext.header, 'SATURATE', sat.level, `saturation level, ADU (${sat.from})`);
      // The level figures the flat check uses, on the data section only (the overscan would pull them down).
      if (measure) {
        const sec = dataSectionBounds(lookup(frame, k).str('DATASEC')?.value, f.width, f.height);
        parts.forEach((lattice, j) => {
          const l = sectionLevels(f.sci, f.width, sec, sat.level ?? Infinity, lattice);
          levels[j].medians.push(l.median);
          levels[j].saturated += l.saturated;
          levels[j].count += l.count;
        });
      }
      if (sat.level === undefined) notes.push(`ext ${ext.extver}: no saturation level (no SATURATE keyword, float data, no pile-up at the maximum): nothing flagged saturated`);
      else notes.push(`ext ${ext.extver}: saturation ${sat.level} ADU (${sat.from}): ${flagged.saturated} px saturated${nl !== undefined ? `, ${flagged.nonLinear} non-linear` : ''}${missing ? `, ${missing} missing` : ''}`);
      if (k === 0) frame.meta.saturation = sat.level;
    });
    if (measure) {
      const figures = flatLevelFigures(levels.map((l, j) => ({
        median: l.medians.length === 1 ? l.medians[0] : median(Float64Array.from(l.medians)),
        saturatedFraction: l.count ? l.saturated / l.count : 0,
        colour: mosaic?.colours[j],
      })));
      frame.meta.rawMedian = figures.median;
      frame.meta.saturatedFraction = figures.saturatedFraction;
      if (figures.colours) frame.meta.rawColours = figures.colours;
    }
    for (const n of notes) ctx.log(n);
  },
};
