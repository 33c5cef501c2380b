/** Masks steps make from a frame's DQ plane. */
import { DQ } from '../../kernels/dq';

/**
 * 1 where a DQ bit in `bits` is set, plus a (2r+1)^2 box around every
 * saturated pixel when `growSaturated` is r > 0: the wings of a saturated star
 * are not clean either (astroscrappy grows its saturation mask the same way).
 */
export function dqMask(dq: Uint16Array, w: number, h: number, bits: number, growSaturated = 0, into?: Uint8Array): Uint8Array {
  const mask = into ?? new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) if (dq[i] & bits) mask[i] = 1;
  if (growSaturated > 0) {
    const r = growSaturated;
    for (let i = 0; i < w * h; i++) {
      if (!(dq[i] & DQ.saturated)) continue;
      const x = i % w, y = (i / w) | 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        mask.fill(1, yy * w + Math.max(0, x - r), yy * w + Math.min(w - 1, x + r) + 1);
      }
    }
  }
  return mask;
}
