/**
 * The streamed stack step on its own: a single shifted member combined with
 * nothing else must come out as the kernel's shiftFrame of the whole frame
 * (same values, no data exactly where the shift leaves the image), whatever
 * the shift's direction and however many strips the memory budget cuts the
 * frame into.
 */
import { describe, expect, it } from 'vitest';
import { bytesForStrips } from '../kernels/combineStream';
import { DQ } from '../kernels/dq';
import { shiftFrame } from '../kernels/resample';
import { MemoryStore } from './memoryStore';
import { Parking } from './parking';
import { stackMembers } from './stackStage';
import { makeMember, recipeValues, skyFrame, starGrid } from './testing/frames';

const S = 64;

async function stackOne(dx: number, dy: number, memoryBytes: number) {
  const store = new MemoryStore();
  const stars = starGrid({ nx: 2, ny: 2, x0: 20, y0: 20, step: 24, fwhm: 3, fluxes: [30000], seed: 2 });
  const { frame } = skyFrame({ width: S, height: S, sky: 100, readNoise: 5, stars, seed: 1 });
  frame.var = new Float32Array(S * S).fill(125);
  frame.dq = new Uint16Array(S * S);
  const stored = store.add({ id: 'a', name: 'a.fits', primary: [], exts: [{ header: [], frame }] });
  const m = makeMember(stored);
  m.shift = { dx, dy, kernel: 'lanczos3' };
  const parking = new Parking(store, 1e9);
  const p = recipeValues('stackScience', 'stackFrames', { reject: 'none', scale: 'none' });
  const out = await stackMembers([m], p, { parking, memoryBytes, log: () => {} });
  return { got: out.frames![0], want: shiftFrame(frame, dx, dy, 'lanczos3') };
}

describe('stackMembers with a shifted member', () => {
  const oneBand = 1e8;
  // Strips of 8 rows: one frame of 4 bytes (SCI; its VAR is one number, its DQ all zero) +16 for the
  // shift per pixel, the output planes with the maps the constant VAR needs, and the combine's scratch.
  const strips = bytesForStrips(8, { nFrames: 1, width: S, height: S, bytesPerPixelPerFrame: 4 + 16, maps: true });
  for (const [dx, dy] of [[0.3, 0.4], [1.7, 2.6], [-0.4, -5.4], [3.2, 5.4], [0, -9]]) {
    for (const [label, memoryBytes] of [['one band', oneBand], ['strips of 8 rows', strips]] as const) {
      it(`equals shiftFrame of the whole frame for a shift of (${dx}, ${dy}), ${label}`, async () => {
        const { got, want } = await stackOne(dx, dy, memoryBytes);
        const wrongRows = new Set<number>();
        for (let i = 0; i < S * S; i++) {
          const wantNoData = (want.dq![i] & DQ.noData) !== 0;
          const gotNoData = (got.dq![i] & DQ.noData) !== 0;
          if (wantNoData !== gotNoData || (!wantNoData && Math.abs(got.sci[i] - want.sci[i]) > 1e-3 * Math.abs(want.sci[i]) + 1e-3)) wrongRows.add(Math.floor(i / S));
        }
        expect([...wrongRows], 'rows that differ from shiftFrame').toEqual([]);
      });
    }
  }
});
