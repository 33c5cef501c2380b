/**
 * tileArrays: a multi-extension frame (one extension per amplifier or CCD)
 * becomes one image, each extension placed where DETSEC says it sits on the
 * detector (DRAGONS' tileArrays). DETSEC is in unbinned detector pixels, so
 * positions are divided by the binning. Gaps between CCDs hold no data
 * (DQ 16). Without DETSEC on every extension the frame cannot be tiled: the
 * step says so and the extensions are stacked one by one instead.
 */
import { DQ } from '../../kernels/dq';
import { parseSection, type Section } from '../../kernels/section';
import { lowestSaturation } from './saturation';
import { extractDescriptors } from '../../classify/descriptors';
import { cardNumber, setCard } from '../cards';
import { lookup } from '../astroFrame';
import type { FramePrimitive } from '../primitive';

interface Placement {
  k: number;
  x0: number;
  y0: number;
  flipX: boolean;
  flipY: boolean;
}

export const tileArrays: FramePrimitive = {
  kind: 'frame',
  name: 'tileArrays',
  doc: 'Tiles the extensions of a multi-extension frame into one image by their DETSEC (and binning); frames with one extension pass unchanged.',
  params: [],
  satisfiedBy: (m) => m.stored.exts.length === 1,
  run(frame, _p, ctx) {
    if (frame.exts.length === 1) return 'unchanged';
    const placed: Placement[] = [];
    const missing: number[] = [];
    for (const [k, ext] of frame.exts.entries()) {
      const h = lookup(frame, k);
      const detsec = h.str('DETSEC')?.value;
      if (!detsec) {
        missing.push(ext.extver);
        continue;
      }
      const d = extractDescriptors(frame.primary, ext.header);
      const bx = d.binX ?? 1, by = d.binY ?? 1;
      let sec: Section;
      try {
        sec = parseSection(detsec);
      } catch (err) {
        throw new Error(`${frame.name} ext ${ext.extver}: DETSEC ${detsec}: ${(err as Error).message}`);
      }
      const w = (sec.x1 - sec.x0) / bx, hh = (sec.y1 - sec.y0) / by;
      if (Math.round(w) !== ext.data.width || Math.round(hh) !== ext.data.height) {
        throw new Error(`${frame.name} ext ${ext.extver}: DETSEC ${detsec} at binning ${bx}x${by} is ${w}x${hh} pixels but the data are ${ext.data.width}x${ext.data.height} (trimmed?)`);
      }
      placed.push({ k, x0: Math.round(sec.x0 / bx), y0: Math.round(sec.y0 / by), flipX: sec.flipX, flipY: sec.flipY });
    }
    if (missing.length) {
      // Said once per run with a count (no frame name in it), and the product's HISTORY keeps it.
      ctx.warn(`extension${missing.length > 1 ? 's' : ''} ${missing.join(', ')} without DETSEC: not tiled, extensions stacked separately`);
      return { skipped: 'no DETSEC on every extension: extensions kept apart' };
    }
    const minX = Math.min(...placed.map((p) => p.x0)), minY = Math.min(...placed.map((p) => p.y0));
    const width = Math.max(...placed.map((p) => p.x0 - minX + frame.exts[p.k].data.width));
    const height = Math.max(...placed.map((p) => p.y0 - minY + frame.exts[p.k].data.height));
    const n = width * height;
    const withVar = frame.exts.every((e) => e.data.var);
    const sci = new Float32Array(n);
    const vr = withVar ? new Float32Array(n) : undefined;
    const dq = new Uint16Array(n).fill(DQ.noData);
    for (const p of placed) {
      const f = frame.exts[p.k].data;
      for (let y = 0; y < f.height; y++) {
        const sy = p.flipY ? f.height - 1 - y : y;
        const orow = (p.y0 - minY + y) * width + (p.x0 - minX);
        for (let x = 0; x < f.width; x++) {
          const sx = p.flipX ? f.width - 1 - x : x;
          const i = sy * f.width + sx;
          sci[orow + x] = f.sci[i];
          if (vr && f.var) vr[orow + x] = f.var[i];
          dq[orow + x] = f.dq ? f.dq[i] : 0;
        }
      }
    }
    const first = frame.exts[placed[0].k];
    const header = first.header.slice();
    // The first extension's WCS, moved to its place in the mosaic.
    for (const [key, d] of [['CRPIX1', placed[0].x0 - minX], ['CRPIX2', placed[0].y0 - minY]] as const) {
      const v = cardNumber(header, key);
      if (v !== undefined) setCard(header, key, v + d);
    }
    setCard(header, 'DATASEC', `[1:${width},1:${height}]`);
    // Each amplifier has its own saturation level (overscan, bias, gain): the mosaic's is the lowest of them.
    lowestSaturation(header, placed.map((p) => frame.exts[p.k].header));
    const d0 = extractDescriptors(frame.primary, first.header);
    setCard(header, 'DETSEC', `[${minX * (d0.binX ?? 1) + 1}:${(minX + width) * (d0.binX ?? 1)},${minY * (d0.binY ?? 1) + 1}:${(minY + height) * (d0.binY ?? 1)}]`);
    frame.exts = [{ extver: 1, header, data: { width, height, sci, var: vr, dq } }];
    ctx.log(`${placed.length} extensions tiled by DETSEC into ${width}x${height}`);
  },
};
