/**
 * The engine is not tuned to one night or one way of writing headers: the
 * same simulated night, written as plain files, as gzip'd files with IRAF's
 * type words, and as two-amplifier multi-extension files (each amplifier
 * with its own overscan, gain and DETSEC), reduces to the same products; and
 * a master made elsewhere (our own bias, given back as a file) is used as a
 * calibration instead of raw biases.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoNight, demoTruth, type DemoOptions } from '../src/core/demo';
import { DETECTOR } from '../src/core/demo/options';
import { parseFits, readImage, writeFits, type Card, type FitsFile } from '../src/core/fits';
import { reduceFolder, type ReduceSummary } from '../cli/reduceFolder';
import { median } from '../src/core/kernels/stats';

const OPTIONS: DemoOptions = { seed: 11, width: 192, height: 160, nBias: 4, nFlatPerFilter: 3, filters: ['V', 'R'], nSciencePerFilter: 3, nSecondTarget: 0 };
const W = 192, H = 160, OVERSCAN = 32;
// Untiled extensions are registered on their own stars: a field big enough for a dozen or more per amplifier.
const BIG: DemoOptions = { ...OPTIONS, seed: 12, width: 480, height: 320, nBias: 3, nFlatPerFilter: 3 };
const root = mkdtempSync(path.join(tmpdir(), 'conventions-'));
const dir = (name: string) => path.join(root, name);

interface Reduced {
  summary: ReduceSummary;
  products: Map<string, { bytes: Uint8Array; fits: FitsFile }>;
}
const results = new Map<string, Reduced>();

const card = (cards: readonly Card[], key: string) => cards.find((c) => c.key === key)?.value;
const IRAF_TYPE: Record<string, string> = { 'Bias Frame': 'zero', 'Flat Field': 'flat', 'Light Frame': 'object' };

/** A raw frame as two amplifiers: left and right halves, each with the overscan strip and its own sections. */
function twoAmplifiers(bytes: Uint8Array, name: string, withDetsec = true, W = 192, H = 160): Uint8Array {
  const fits = parseFits(bytes, name);
  const img = readImage(fits, bytes, 0);
  const cards = fits.hdus[0].cards.filter((c) => !['BIASSEC', 'DATASEC', 'TRIMSEC', 'CCDSEC', 'GAIN', 'EGAIN', 'RDNOISE', 'SATURATE', 'BUNIT'].includes(c.key));
  const half = W / 2;
  const ampWidth = half + OVERSCAN;
  const amps = [0, 1].map((k) => {
    const data = new Uint16Array(ampWidth * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < half; x++) data[y * ampWidth + x] = img.data[y * (W + OVERSCAN) + k * half + x];
      for (let x = 0; x < OVERSCAN; x++) data[y * ampWidth + half + x] = img.data[y * (W + OVERSCAN) + W + x];
    }
    const x0 = k * half;
    return {
      extname: 'SCI',
      width: ampWidth,
      height: H,
      data,
      cards: [
        { key: 'EXTVER', value: k + 1 },
        { key: 'BIASSEC', value: `[${half + 2}:${ampWidth},1:${H}]` },
        { key: 'DATASEC', value: `[1:${half},1:${H}]` },
        ...(withDetsec ? [{ key: 'DETSEC', value: `[${x0 + 1}:${x0 + half},1:${H}]` }, { key: 'CCDSEC', value: `[${x0 + 1}:${x0 + half},1:${H}]` }] : []),
        { key: 'GAIN', value: 1.5 },
        { key: 'RDNOISE', value: 5 },
        { key: 'SATURATE', value: 65535 },
        { key: 'AMPNAME', value: k ? 'right' : 'left' },
      ] as Card[],
    };
  });
  return writeFits([{ cards }, ...amps]);
}

async function reduce(label: string, input: string): Promise<Reduced> {
  const out = dir(`${label}-out`);
  const summary = await reduceFolder(input, out, { workers: 2, memoryBytes: 128 * 2 ** 20 });
  const products = new Map<string, { bytes: Uint8Array; fits: FitsFile }>();
  for (const name of readdirSync(out)) {
    const bytes = new Uint8Array(readFileSync(path.join(out, name)));
    products.set(name, { bytes, fits: parseFits(bytes, name) });
  }
  return { summary, products };
}

beforeAll(async () => {
  const files = generateDemoNight(OPTIONS);
  for (const d of ['plain', 'iraf-gz', 'mef', 'mef-nodetsec', 'nogain']) mkdirSync(dir(d));
  for (const f of files) {
    writeFileSync(path.join(dir('plain'), f.name), f.bytes);
    const fits = parseFits(f.bytes, f.name);
    const cards = fits.hdus[0].cards.map((c) => (c.key === 'IMAGETYP' ? { ...c, value: IRAF_TYPE[String(c.value)] ?? c.value } : c))
      .filter((c) => c.key !== 'OBSTYPE');
    const img = readImage(fits, f.bytes, 0);
    const iraf = writeFits([{ cards, width: W + OVERSCAN, height: H, data: Uint16Array.from(img.data) }]);
    writeFileSync(path.join(dir('iraf-gz'), `${f.name}.gz`), gzipSync(iraf));
    writeFileSync(path.join(dir('mef'), f.name), twoAmplifiers(f.bytes, f.name));
    // A camera whose driver writes no gain (INDI; a CMOS camera's GAIN is a setting, not e-/ADU).
    const noGain = fits.hdus[0].cards.filter((c) => c.key !== 'GAIN' && c.key !== 'EGAIN');
    writeFileSync(path.join(dir('nogain'), f.name), writeFits([{ cards: noGain, width: W + OVERSCAN, height: H, data: Uint16Array.from(img.data) }]));
  }
  for (const f of generateDemoNight(BIG)) writeFileSync(path.join(dir('mef-nodetsec'), f.name), twoAmplifiers(f.bytes, f.name, false, BIG.width, BIG.height));
  for (const d of ['plain', 'iraf-gz', 'mef', 'mef-nodetsec', 'nogain']) results.set(d, await reduce(d, dir(d)));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const names = (r: Reduced) => [...r.products.keys()].map((n) => n.replace(/\.fits(\.gz)?_/, '_')).sort();

describe('one night written three ways', () => {
  it('makes the same products from plain, gzip+IRAF and two-amplifier files', () => {
    const plain = names(results.get('plain')!);
    expect(plain.filter((n) => n.endsWith('_bias.fits'))).toHaveLength(1);
    expect(plain.filter((n) => n.endsWith('_flat.fits'))).toHaveLength(2);
    expect(plain.filter((n) => n.endsWith('_reduced.fits'))).toHaveLength(6);
    expect(plain.filter((n) => n.endsWith('_stack.fits'))).toHaveLength(2);
    for (const label of ['iraf-gz', 'mef']) {
      const r = results.get(label)!;
      expect(r.summary.failures, label).toEqual([]);
      expect(names(r), label).toEqual(plain);
    }
  });

  it('keeps one SCI/VAR/DQ per amplifier in MEF masters and reduced frames, and tiles them for the stack', () => {
    const mef = results.get('mef')!;
    for (const [name, p] of mef.products) {
      const ext = p.fits.hdus.slice(1).map((h) => `${h.extname}${card(h.cards, 'EXTVER')}`);
      if (name.endsWith('_stack.fits')) {
        expect(ext, name).toEqual(['SCI1', 'VAR1', 'DQ1']);
        expect(p.fits.hdus[1].naxis, name).toEqual([W, H]);
        const hist = p.fits.hdus[0].cards.filter((c) => c.key === 'HISTORY').map((c) => String(c.comment));
        expect(hist.find((h) => h.startsWith('tileArrays')), name).toBe('tileArrays');
        expect(hist.some((h) => h.startsWith('detectSources') && !/skipped/.test(h)), name).toBe(true);
      } else {
        expect(ext, name).toEqual(['SCI1', 'VAR1', 'DQ1', 'SCI2', 'VAR2', 'DQ2']);
        expect(p.fits.hdus[1].naxis, name).toEqual([W / 2, H]);
      }
    }
  });

  it('stacks amplifier by amplifier, saying so, when the extensions have no DETSEC', () => {
    const r = results.get('mef-nodetsec')!;
    expect(r.summary.failures).toEqual([]);
    expect(names(r).filter((n) => n.endsWith('_stack.fits'))).toHaveLength(2);
    const truth = demoTruth(BIG);
    for (const [name, p] of r.products) {
      if (!name.endsWith('_stack.fits')) continue;
      expect(p.fits.hdus.slice(1).map((h) => `${h.extname}${card(h.cards, 'EXTVER')}`), name).toEqual(['SCI1', 'VAR1', 'DQ1', 'SCI2', 'VAR2', 'DQ2']);
      const hist = p.fits.hdus[0].cards.filter((c) => c.key === 'HISTORY').map((c) => String(c.comment));
      expect(hist.find((h) => h.startsWith('tileArrays')), name).toMatch(/skipped: no DETSEC/);
      // HISTORY text longer than a card goes on over several cards, broken before a space: end to end, the text.
      expect(hist.join(''), name).toMatch(/warning: extensions 1, 2 without DETSEC: not tiled, extensions stacked separately \(x3\)/);
      expect(hist.join(''), `${name}: ${hist.join('')}`).not.toMatch(/left out/);
      // Each amplifier's stack has the sky of its reference frame (the first of the stack).
      const sky = truth.frames.find((f) => name.startsWith(f.name.replace('.fits', '')))!.skyElectrons!;
      for (const hdu of [1, 4]) expect(Math.abs(median(readImage(p.fits, p.bytes, hdu).data) / sky - 1), `${name} HDU ${hdu}`).toBeLessThan(0.004);
    }
  });

  it('gives the same sky, amplifier by amplifier, as the single-extension frames', () => {
    const truth = demoTruth(OPTIONS);
    const plain = results.get('plain')!, mef = results.get('mef')!;
    for (const f of truth.frames.filter((t) => t.kind === 'science')) {
      const name = f.name.replace('.fits', '_reduced.fits');
      const a = plain.products.get(name)!, b = mef.products.get(name)!;
      const whole = readImage(a.fits, a.bytes, 1).data;
      const left = readImage(b.fits, b.bytes, 1).data, right = readImage(b.fits, b.bytes, 4).data;
      const sky = median(whole);
      // Sky in electrons: what the simulation put there (after flat-fielding), within a few tenths of a percent.
      expect(Math.abs(sky / f.skyElectrons! - 1), f.name).toBeLessThan(0.004);
      expect(Math.abs(median(left) / sky - 1), `${f.name} left`).toBeLessThan(0.004);
      expect(Math.abs(median(right) / sky - 1), `${f.name} right`).toBeLessThan(0.004);
    }
    for (const name of [...plain.products.keys()].filter((n) => n.endsWith('_stack.fits'))) {
      const a = plain.products.get(name)!, b = mef.products.get(name)!;
      const sa = median(readImage(a.fits, a.bytes, 1).data), sb = median(readImage(b.fits, b.bytes, 1).data);
      expect(Math.abs(sb / sa - 1), name).toBeLessThan(0.004);
    }
  });
});

describe('a night whose headers give no gain', () => {
  it('stays in ADU, with the gain measured on the flats for VAR and the cosmic-ray search', () => {
    const plain = results.get('plain')!, nogain = results.get('nogain')!;
    expect(nogain.summary.failures).toEqual([]);
    expect([...nogain.products.keys()].sort()).toEqual([...plain.products.keys()].sort());
    const g = DETECTOR.gain;
    const card = (f: FitsFile, hdu: number, key: string) => f.hdus[hdu].cards.find((c) => c.key === key)?.value;
    for (const [name, p] of nogain.products) {
      const kind = name.replace(/^.*_(\w+)\.fits$/, '$1');
      if (kind === 'bias') continue;
      // Photon transfer on 192 x 160 flats, 2 pairs a filter: 1.478 and 1.513 for the camera's 1.5 e-/ADU.
      const measured = Number(card(p.fits, 1, 'GAINMEAS'));
      expect(Math.abs(measured / g - 1), name).toBeLessThan(0.02);
      if (kind === 'flat') continue;
      expect(card(p.fits, 1, 'BUNIT'), name).toBe('adu');
      // The pixels are the electrons of the night with a gain, over it; VAR over its square, to the gain's accuracy.
      const q = plain.products.get(name)!;
      const [a, b] = [readImage(p.fits, p.bytes, 1).data, readImage(q.fits, q.bytes, 1).data];
      expect(Math.abs((median(a) * g) / median(b) - 1), name).toBeLessThan(2e-4);
      const [va, vb] = [readImage(p.fits, p.bytes, 2).data, readImage(q.fits, q.bytes, 2).data];
      // VAR's Poisson term through the measured gain: as the night with a gain's, to that gain's error (1%).
      expect(Math.abs((median(va) * measured * g) / median(vb) - 1), name).toBeLessThan(0.012);
      // The cosmic-ray search sees the same noise: about the same hits flagged (at 1 e-/ADU it found more).
      if (kind === 'reduced') expect(Math.abs(Number(card(p.fits, 0, 'NCOSMIC')) - Number(card(q.fits, 0, 'NCOSMIC'))), name).toBeLessThanOrEqual(1);
    }
  });
});

describe('a master made elsewhere', () => {
  it('is used as the bias when the raw biases are not there', async () => {
    const plain = results.get('plain')!;
    const input = dir('imported');
    mkdirSync(input);
    for (const name of readdirSync(dir('plain'))) if (!/bias/.test(name)) copyFileSync(path.join(dir('plain'), name), path.join(input, name));
    const master = [...plain.products.keys()].find((n) => n.endsWith('_bias.fits'))!;
    writeFileSync(path.join(input, 'MasterBias_from_elsewhere.fits'), plain.products.get(master)!.bytes);
    const r = await reduce('imported', input);
    expect(r.summary.failures).toEqual([]);
    const biasDecision = r.summary.plan.decisions.find((d) => d.decisions.bias)!.decisions.bias!;
    expect(biasDecision.outcome).toBe('chosen');
    expect(biasDecision.candidates[0].source).toBe('imported');
    expect(names(r).filter((n) => n.endsWith('_bias.fits'))).toEqual([]);
    for (const [name, p] of r.products) {
      if (name.endsWith('_reduced.fits')) expect(card(p.fits.hdus[0].cards, 'BIASIM'), name).toBe('MasterBias_from_elsewhere.fits');
    }
    // The same calibration gives the same reduced frames.
    const name = [...r.products.keys()].find((n) => n.endsWith('_reduced.fits'))!;
    const a = plain.products.get(name)!, b = r.products.get(name)!;
    expect(readImage(b.fits, b.bytes, 1).data).toEqual(readImage(a.fits, a.bytes, 1).data);
  }, 60_000);
});

describe('nights whose files share names', () => {
  it('write their products beside their own files, never over each other', async () => {
    const SAMPLE = path.resolve(__dirname, '../../shared/sample-night');
    const input = dir('two-nights');
    for (const sub of ['n1', 'n2']) {
      mkdirSync(path.join(input, sub), { recursive: true });
      for (const name of readdirSync(SAMPLE).filter((n) => n.endsWith('.fits'))) copyFileSync(path.join(SAMPLE, name), path.join(input, sub, name));
    }
    const out = dir('two-nights-out');
    const summary = await reduceFolder(input, out, { workers: 2, memoryBytes: 128 * 2 ** 20 });
    expect(summary.failures).toEqual([]);
    const n1 = readdirSync(path.join(out, 'n1')).sort(), n2 = readdirSync(path.join(out, 'n2')).sort();
    expect(n2.filter((n) => n.endsWith('_reduced.fits'))).toHaveLength(8);
    expect(n1.filter((n) => n.endsWith('_reduced.fits'))).toHaveLength(8);
    // Same night, same camera: one master bias and one flat per filter from both folders' frames, and one stack per filter of 8.
    const stack = new Uint8Array(readFileSync(path.join(out, 'n1', 'raw0020_stack.fits')));
    const cards = parseFits(stack, 'raw0020_stack.fits').hdus[0].cards;
    expect(card(cards, 'NCOMBINE')).toBe(8);
    // Every frame named with its folder: eight different names.
    const frames = cards.filter((c) => /^IMCMB\d{3}$/.test(c.key)).map((c) => String(c.value));
    expect(new Set(frames).size).toBe(8);
    expect(frames).toContain('n2/raw0023_reduced.fits');
    expect(card(parseFits(new Uint8Array(readFileSync(path.join(out, 'n2', 'raw0021_reduced.fits'))), 'x').hdus[0].cards, 'BIASIM')).toBe('n1/raw0001_bias.fits');
  }, 60_000);
});

