/**
 * Names and overlay colours of the data-quality bits (DRAGONS values, see
 * kernels/dq.ts). Bits beyond the named ones are shown as "bit 2^k".
 */
import { DQ } from '../kernels/dq';
import { packRGBA } from './lut';

export interface DqBitInfo {
  bit: number;
  name: string;
  /** CSS colour of the overlay and legend. */
  colour: string;
}

/** Distinct hues, saturated enough to stand out on any colormap. */
export const DQ_BITS: readonly DqBitInfo[] = [
  { bit: DQ.bad, name: 'bad pixel', colour: '#ff3b30' },
  { bit: DQ.nonLinear, name: 'non-linear', colour: '#ff9f0a' },
  { bit: DQ.saturated, name: 'saturated', colour: '#ffd60a' },
  { bit: DQ.cosmicRay, name: 'cosmic ray', colour: '#30d158' },
  { bit: DQ.noData, name: 'no data', colour: '#64d2ff' },
  { bit: DQ.overlap, name: 'overlap', colour: '#bf5af2' },
  { bit: DQ.unilluminated, name: 'unilluminated', colour: '#ff375f' },
];

const OTHER_COLOUR = '#ffffff';

/** Every set bit of a DQ value, named: 12 -> ['saturated', 'cosmic ray']. */
export function dqBitNames(value: number): string[] {
  const names: string[] = [];
  for (let k = 0; k < 16; k++) {
    const bit = 1 << k;
    if (!(value & bit)) continue;
    names.push(DQ_BITS.find((b) => b.bit === bit)?.name ?? `bit ${bit}`);
  }
  return names;
}

function parseHex(css: string): [number, number, number] {
  const n = parseInt(css.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Packed overlay colour of each of the 16 bits (index k = bit 2^k). */
export function dqBitColours(): Uint32Array {
  const out = new Uint32Array(16);
  for (let k = 0; k < 16; k++) {
    const info = DQ_BITS.find((b) => b.bit === 1 << k);
    out[k] = packRGBA(...parseHex(info?.colour ?? OTHER_COLOUR));
  }
  return out;
}
