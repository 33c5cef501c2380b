/**
 * A night whose darks match only some of its lights (testing/darkNight.ts):
 * the 60 s lights get the 120 s master dark scaled by exposure (the plan's
 * choice, since biases take the level out of the darks), so their dark
 * current and hot pixels come out; the 120 s light gets the dark as it is.
 * The expected values are those the night was made with: 0.5 e-/s
 * everywhere, 20 e-/s at the hot pixels.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFits, readImage, type FitsFile } from '../src/core/fits';
import { DARK_NIGHT, HOT_PIXELS, darkNight } from '../src/core/pipeline/testing/darkNight';
import { reduceFolder, type ReduceSummary } from '../cli/reduceFolder';
import { DQ } from '../src/core/kernels/dq';

const { width: W, skyPerS: SKY_PER_S } = DARK_NIGHT;
const hot = HOT_PIXELS;
const root = mkdtempSync(path.join(tmpdir(), 'dark-scaling-'));

let summary: ReduceSummary;
const products = new Map<string, FitsFile & { bytes: Uint8Array }>();
beforeAll(async () => {
  const raw = path.join(root, 'raw'), out = path.join(root, 'out');
  mkdirSync(raw);
  for (const f of darkNight()) writeFileSync(path.join(raw, f.name), f.bytes);
  summary = await reduceFolder(raw, out, { workers: 1, memoryBytes: 128 * 2 ** 20 });
  for (const name of readdirSync(out)) {
    const bytes = new Uint8Array(readFileSync(path.join(out, name)));
    products.set(name, { ...parseFits(bytes, name), bytes });
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const card = (f: FitsFile, key: string) => f.hdus[0].cards.find((c) => c.key === key)?.value;
const plane = (f: FitsFile & { bytes: Uint8Array }, ext: string) => readImage(f, f.bytes, f.hdus.findIndex((h) => h.extname === ext)).data;
const sci = (f: FitsFile & { bytes: Uint8Array }) => plane(f, 'SCI');
const dqOf = (f: FitsFile & { bytes: Uint8Array }) => plane(f, 'DQ');

describe('a night with darks of one exposure and lights of two', () => {
  it('reduces every frame', () => {
    expect(summary.failures).toEqual([]);
    expect([...products.keys()].filter((n) => n.endsWith('_reduced.fits')).sort()).toEqual(['light_120a_reduced.fits', 'light_60a_reduced.fits', 'light_60b_reduced.fits']);
  });

  it('scales the 120 s master dark by 0.5 for the 60 s lights, and uses it as it is for the 120 s one', () => {
    const a = products.get('light_60a_reduced.fits')!, c = products.get('light_120a_reduced.fits')!;
    expect(card(a, 'DARKIM')).toBe('dark_0_dark.fits');
    expect(card(a, 'DARKSCL')).toBe(0.5);
    expect(card(c, 'DARKIM')).toBe('dark_0_dark.fits');
    expect(card(c, 'DARKSCL')).toBeUndefined();
  });

  it('takes the dark current and the hot pixels out of the 60 s lights', () => {
    for (const name of ['light_60a_reduced.fits', 'light_60b_reduced.fits']) {
      const s = sci(products.get(name)!);
      // The sky alone is left: 300 e- (flat field 1). Its noise (sqrt(330 + 36) ~ 19 e-) over 12 000
      // pixels gives the median to ~0.2 e-; the dark current left unsubtracted would be 30 e-.
      const values = Float64Array.from(s).sort();
      const med = values[values.length >> 1];
      expect(Math.abs(med - 60 * SKY_PER_S), name).toBeLessThan(1.5);
      // A hot pixel held 1200 e- of dark current; its shot noise is ~37 e-.
      for (const p of hot) expect(Math.abs(s[p.y * W + p.x] - 60 * SKY_PER_S), `${name} (${p.x}, ${p.y})`).toBeLessThan(150);
      // Taken out by the dark, not mistaken for cosmic rays (the step flagged all of them when no dark was subtracted).
      const dq = dqOf(products.get(name)!);
      expect(hot.filter((p) => (dq[p.y * W + p.x] & DQ.cosmicRay) !== 0), name).toEqual([]);
    }
  });
});
