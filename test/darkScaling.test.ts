/**
 * A night whose darks match only some of its lights: the 60 s lights get the
 * 120 s master dark scaled by exposure (the plan's choice, since biases take
 * the level out of the darks), so their dark current and hot pixels come out;
 * the 120 s lights get the dark as it is. The expected values are those the
 * night was made with: 0.5 e-/s everywhere, 20 e-/s at the hot pixels.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFits, readImage, writeFits, type FitsFile } from '../src/core/fits';
import { reduceFolder, type ReduceSummary } from '../cli/reduceFolder';
import { DQ } from '../src/core/kernels/dq';

const W = 128, H = 96, GAIN = 2, RN = 6, LEVEL = 1000, SKY_PER_S = 5, DARK_PER_S = 0.5, HOT_PER_S = 20;
const root = mkdtempSync(path.join(tmpdir(), 'dark-scaling-'));
let seed = 20261201;
const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const hot = Array.from({ length: 12 }, (_, k) => ({ x: 8 + ((k * 37) % (W - 16)), y: 8 + ((k * 23) % (H - 16)) }));
const isHot = new Set(hot.map((p) => p.y * W + p.x));

/** A raw frame: the level, `perSecond` e- a second (the dark current, hot pixels and `sky`) for `exptime` s, shot and read noise. */
function frame(type: string, exptime: number, minute: number, sky: number, filter?: string): Uint8Array {
  const px = new Uint16Array(W * H);
  for (let i = 0; i < px.length; i++) {
    const e = exptime * ((isHot.has(i) ? HOT_PER_S : DARK_PER_S) + sky);
    px[i] = Math.round(LEVEL + (e + Math.sqrt(e) * gauss()) / GAIN + (RN / GAIN) * gauss());
  }
  const cards = [
    { key: 'IMAGETYP', value: type }, { key: 'EXPTIME', value: exptime }, { key: 'GAIN', value: GAIN }, { key: 'RDNOISE', value: RN },
    { key: 'SATURATE', value: 65535 }, { key: 'INSTRUME', value: 'TestCam' }, { key: 'DATE-OBS', value: `2026-07-01T22:${String(minute).padStart(2, '0')}:00` },
    ...(filter ? [{ key: 'FILTER', value: filter }] : []), ...(type === 'Light Frame' ? [{ key: 'OBJECT', value: 'FIELD' }] : []),
  ];
  return writeFits([{ cards, data: px, width: W, height: H }]);
}

let summary: ReduceSummary;
const products = new Map<string, FitsFile & { bytes: Uint8Array }>();
beforeAll(async () => {
  const raw = path.join(root, 'raw'), out = path.join(root, 'out');
  const files: [string, Uint8Array][] = [];
  for (let i = 0; i < 6; i++) files.push([`bias_${i}.fits`, frame('Bias Frame', 0, i, 0)]);
  for (let i = 0; i < 5; i++) files.push([`dark_${i}.fits`, frame('Dark Frame', 120, 10 + i, 0)]);
  // Flats of 2 s: dark current well below their light, and no dark of their exposure (not needed).
  for (let i = 0; i < 4; i++) files.push([`flat_${i}.fits`, frame('Flat Field', 2, 20 + i, 20000, 'V')]);
  files.push(['light_60a.fits', frame('Light Frame', 60, 30, SKY_PER_S, 'V')], ['light_60b.fits', frame('Light Frame', 60, 32, SKY_PER_S, 'V')]);
  files.push(['light_120.fits', frame('Light Frame', 120, 34, SKY_PER_S, 'V')]);
  mkdirSync(raw);
  for (const [name, bytes] of files) writeFileSync(path.join(raw, name), bytes);
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
    expect([...products.keys()].filter((n) => n.endsWith('_reduced.fits')).sort()).toEqual(['light_120_reduced.fits', 'light_60a_reduced.fits', 'light_60b_reduced.fits']);
  });

  it('scales the 120 s master dark by 0.5 for the 60 s lights, and uses it as it is for the 120 s one', () => {
    const a = products.get('light_60a_reduced.fits')!, c = products.get('light_120_reduced.fits')!;
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
