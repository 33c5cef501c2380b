/**
 * addDQ: the data-quality plane of a raw frame, made before anything changes
 * the raw values (as DRAGONS' addDQ in prepare): saturation is a property of
 * the raw ADU the converter wrote, not of bias-subtracted or flat-fielded
 * numbers.
 */
import { DQ } from '../../kernels/dq';
import { flagSaturated } from '../../kernels/arith';
import { parseSection } from '../../kernels/section';
import { extractDescriptors } from '../../classify/descriptors';
import { setCard } from '../cards';
import { lookup, type AstroFrame } from '../astroFrame';
import { optNum, param, type FramePrimitive } from '../primitive';
import { median } from '../../kernels/stats';
import { sampledMedian } from '../parking';
import type { Frame } from '../../kernels/frame';

/** Saturation level of one extension: the user's value, the header's, or the converter's limit. */
export function saturationLevel(frame: AstroFrame, k: number, override?: number): { level?: number; from: string } {
  if (override !== undefined) return { level: override, from: 'parameter' };
  const d = extractDescriptors(frame.primary, frame.exts[k].header);
  if (d.saturation !== undefined) return { level: d.saturation, from: d.sources.saturation ?? 'header' };
  const adc = frame.exts[k].adcLimit;
  if (adc !== undefined) return { level: adc, from: 'ADC limit of the raw data type' };
  return { from: 'none' };
}

/** Sampled median of the data section, and how many of its pixels are flagged saturated. */
function dataSectionLevels(f: Frame, datasec?: string): { median: number; saturated: number; count: number } {
  let sec = { x0: 0, x1: f.width, y0: 0, y1: f.height };
  if (datasec) {
    try {
      sec = parseSection(datasec, f.width, f.height);
    } catch {
      // A DATASEC that does not fit: the whole frame it is (trimData will say what is wrong).
    }
  }
  const w = sec.x1 - sec.x0;
  const sci = new Float32Array(w * (sec.y1 - sec.y0));
  let saturated = 0;
  for (let y = sec.y0, o = 0; y < sec.y1; y++, o += w) {
    const row = y * f.width + sec.x0;
    sci.set(f.sci.subarray(row, row + w), o);
    if (f.dq) for (let x = 0; x < w; x++) if (f.dq[row + x] & DQ.saturated) saturated++;
  }
  return { median: sampledMedian(sci, w), saturated, count: sci.length };
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
    const medians: number[] = [];
    let satPixels = 0, allPixels = 0;
    frame.exts.forEach((ext, k) => {
      const f = ext.data;
      const n = f.width * f.height;
      f.dq ??= new Uint16Array(n);
      const sat = saturationLevel(frame, k, optNum(p, 'saturation'));
      const nl = optNum(p, 'nonLinear');
      let flagged = { saturated: 0, nonLinear: 0 };
      if (sat.level !== undefined) {
        flagged = flagSaturated(f, sat.level, { nonLinear: nl });
        // Later steps (cosmic rays, quality) need the level in the frame's current units: keep it in the header.
        setCard(ext.header, 'SATURATE', sat.level, `saturation level, ADU (${sat.from})`);
      }
      let missing = 0;
      for (let i = 0; i < n; i++) {
        const v = f.sci[i];
        if (v - v !== 0) { f.dq[i] |= DQ.noData; missing++; }
      }
      // The level figures the flat check uses, on the data section only (the overscan would pull them down).
      const levels = dataSectionLevels(f, lookup(frame, k).str('DATASEC')?.value);
      medians.push(levels.median);
      satPixels += levels.saturated;
      allPixels += levels.count;
      if (sat.level === undefined) notes.push(`ext ${ext.extver}: no saturation level (no SATURATE keyword, float data): nothing flagged saturated`);
      else notes.push(`ext ${ext.extver}: saturation ${sat.level} ADU (${sat.from}): ${flagged.saturated} px saturated${nl !== undefined ? `, ${flagged.nonLinear} non-linear` : ''}${missing ? `, ${missing} missing` : ''}`);
      if (k === 0) frame.meta.saturation = sat.level;
    });
    frame.meta.rawMedian = medians.length === 1 ? medians[0] : median(Float64Array.from(medians));
    frame.meta.saturatedFraction = allPixels ? satPixels / allPixels : 0;
    for (const n of notes) ctx.log(n);
  },
};
