/**
 * Damaged files must fail with a FitsError (or, where the damage hits only
 * pixel values, still decode): never a RangeError, TypeError or a hang.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitsError, parseFits, readImage, writeFits } from './index';

const REF = path.resolve(__dirname, 'reference');

function sources(): [string, Uint8Array][] {
  const written = writeFits([
    { cards: [{ key: 'OBJECT', value: 'x'.repeat(100) }] },
    { cards: [], extname: 'SCI', width: 30, height: 20, data: Float32Array.from({ length: 600 }, (_, i) => i) },
    { cards: [], extname: 'DQ', width: 30, height: 20, data: new Uint16Array(600).fill(65535) },
  ]);
  return [
    ['written.fits', written],
    ...['tiled_rice_f32_dither2.fits.fz', 'tiled_gzip2_i32.fits.fz', 'tiled_rice_u8.fits.fz'].map(
      (f) => [f, new Uint8Array(readFileSync(path.join(REF, f)))] as [string, Uint8Array],
    ),
  ];
}

function readAll(bytes: Uint8Array, name: string): void {
  const file = parseFits(bytes, name);
  for (const hdu of file.hdus) if (hdu.isImage) readImage(file, bytes, hdu.index);
}

/** Outcome of reading a damaged file: 'ok', 'FitsError', or the unexpected error's description. */
function outcome(bytes: Uint8Array, name: string): string {
  try {
    readAll(bytes, name);
    return 'ok';
  } catch (e) {
    if (e instanceof FitsError && e.message.startsWith(`${name}: `)) return 'FitsError';
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

describe('damaged files', () => {
  it.each(sources())('%s cut at every 97th byte', (name, bytes) => {
    const bad = new Set<string>();
    for (let n = 0; n < bytes.length; n += 97) {
      const r = outcome(bytes.subarray(0, n), name);
      if (r !== 'ok' && r !== 'FitsError') bad.add(`${n}: ${r}`);
    }
    expect([...bad]).toEqual([]);
  });

  it.each(sources())('%s with random bytes overwritten', (name, bytes) => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const bad = new Set<string>();
    for (let k = 0; k < 150; k++) {
      const b = bytes.slice();
      for (let j = 0; j < 4; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const r = outcome(b, name);
      if (r !== 'ok' && r !== 'FitsError') bad.add(r);
    }
    expect([...bad]).toEqual([]);
  });
});
