/**
 * The sample night through the whole engine, both ways it runs:
 * - as `npm run reduce` does (worker threads, products as files), and
 * - as the page does (ingest into IndexedDB, plan from the stored library,
 *   runs recorded and executed on the IndexedDB store; fake-indexeddb here).
 * Both must give the products the issue lists, with SCI/VAR/DQ, provenance,
 * fitsverify-clean, and the same pixels.
 */
import 'fake-indexeddb/auto';
import { execFileSync } from 'node:child_process';
import { requireFitsverify, skipFitsverify } from './fitsverify';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFits, type Card, type FitsFile } from '../src/core/fits';
import { reduceFolder } from '../cli/reduceFolder';
import { WorkbenchDb } from '../src/db/schema';
import { ingestOne } from '../workers/ingest';
import { loadPlanInput } from '../workers/pipelineClient';
import { runInDb } from '../workers/pipelineRun';
import { buildPlan, runsToDo } from '../src/core/pipeline/plan';
import { executePlan } from '../src/core/pipeline/scheduler';
import { newRunRecords } from '../src/db/runs';
import { productFitsParts } from '../src/db/exportFits';

const SHARED = path.resolve(__dirname, '../../shared');
const NIGHT = path.join(SHARED, 'sample-night');
const truth = JSON.parse(readFileSync(path.join(NIGHT, 'truth.json'), 'utf8')) as { science: { file: string; filter: string; dx: number; dy: number }[] };

const EXPECTED = [
  'raw0001_bias.fits', 'raw0008_flat.fits', 'raw0014_flat.fits',
  ...['20', '21', '22', '23', '24', '25', '26', '27'].map((n) => `raw00${n}_reduced.fits`),
  'raw0020_stack.fits', 'raw0024_stack.fits',
].sort();

interface Product {
  name: string;
  bytes: Uint8Array;
  fits: FitsFile;
}

const card = (cards: readonly Card[], key: string) => cards.find((c) => c.key === key)?.value;
const history = (cards: readonly Card[]) => cards.filter((c) => c.key === 'HISTORY').map((c) => String(c.comment ?? c.value ?? ''));

let outDir: string;
const fromFiles = new Map<string, Product>();
const fromDb = new Map<string, Product>();
let db: WorkbenchDb;
const runStates: string[] = [];

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'pipeline-night-'));
  const summary = await reduceFolder(NIGHT, outDir, { workers: 2, memoryBytes: 256 * 2 ** 20 });
  expect(summary.failures).toEqual([]);
  for (const name of readdirSync(outDir)) {
    const bytes = new Uint8Array(readFileSync(path.join(outDir, name)));
    fromFiles.set(name, { name, bytes, fits: parseFits(bytes, name) });
  }

  db = new WorkbenchDb('pipeline-night');
  await db.open();
  for (const name of readdirSync(NIGHT).filter((n) => n.endsWith('.fits')).sort()) {
    const out = await ingestOne(db, { name, path: '', bytes: new Uint8Array(readFileSync(path.join(NIGHT, name))) });
    expect(out.status).toBe('ok');
  }
  const plan = buildPlan(await loadPlanInput(db));
  const keys = new Set(runsToDo(plan).map((r) => r.key));
  const { records, ids } = newRunRecords(plan, keys, 'batch-test', 'session-test');
  await db.runs.bulkPut(records);
  const result = await executePlan(plan, (spec) => runInDb(db, spec, { session: 'session-test', memoryBytes: 64 * 2 ** 20 }), {
    concurrency: 1, only: keys, newRunId: (run) => ids.get(run.key)!,
  });
  for (const o of result.outcomes.values()) expect(o.status).toBe('done');
  for (const r of await db.runs.toArray()) runStates.push(r.status);
  for (const rec of await db.files.where('type').equals('product').toArray()) {
    const { name, parts } = await productFitsParts(db, rec.id);
    const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
    fromDb.set(name, { name, bytes, fits: parseFits(bytes, name) });
  }
}, 120_000);

afterAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  db?.close();
  await db?.delete();
});

describe.each([['files (npm run reduce)', fromFiles], ['IndexedDB (the page)', fromDb]])('sample night through %s', (_label, products) => {
  it('makes 1 bias, 2 flats, 8 reduced frames and 2 stacks, each with SCI, VAR and DQ', () => {
    expect([...products.keys()].sort()).toEqual(EXPECTED);
    for (const p of products.values()) {
      const hdus = p.fits.hdus;
      expect(hdus.map((h) => h.extname)).toEqual(['PRIMARY', 'SCI', 'VAR', 'DQ']);
      expect(hdus.slice(1).map((h) => card(h.cards, 'EXTVER'))).toEqual([1, 1, 1]);
      expect(hdus[1].bitpix).toBe(-32);
      expect(hdus[2].bitpix).toBe(-32);
      expect(hdus[3].bitpix).toBe(16);
      expect(card(hdus[3].cards, 'BZERO')).toBe(32768);
      expect(hdus[1].naxis).toEqual([256, 256]);
    }
  });

  it('refuses the saturated flat of each filter, with its reason', () => {
    for (const [flat, refused] of [['raw0008_flat.fits', 'raw0013.fits'], ['raw0014_flat.fits', 'raw0019.fits']]) {
      const cards = products.get(flat)!.fits.hdus[0].cards;
      expect(card(cards, 'NCOMBINE')).toBe(5);
      expect(history(cards).some((h) => h.startsWith(`left out ${refused}:`) && /saturated/.test(h))).toBe(true);
      expect(cards.filter((c) => /^IMCMB\d{3}$/.test(c.key)).map((c) => c.value)).not.toContain(refused);
    }
  });

  it('records provenance: inputs, calibrations, one HISTORY line and a timestamp per step', () => {
    const bias = products.get('raw0001_bias.fits')!.fits.hdus[0].cards;
    expect(card(bias, 'IMAGETYP')).toBe('MASTER BIAS');
    expect(card(bias, 'NCOMBINE')).toBe(7);
    expect(card(bias, 'IMCMB001')).toBe('raw0001.fits');
    expect(card(bias, 'IMCMB007')).toBe('raw0007.fits');
    for (const step of ['addDQ', 'overscanCorrect', 'trimData', 'addVariance', 'stackFrames']) {
      expect(history(bias).some((h) => h.startsWith(`${step}:`)), step).toBe(true);
    }
    expect(history(bias).find((h) => h.startsWith('stackFrames:'))).toMatch(/operation=mean reject=sigclip/);

    const red = products.get('raw0021_reduced.fits')!.fits.hdus[0].cards;
    expect(card(red, 'BIASIM')).toBe('raw0001_bias.fits');
    expect(card(red, 'FLATIM')).toBe('raw0008_flat.fits');
    expect(card(red, 'BUNIT')).toBe('electron');
    expect(card(products.get('raw0021_reduced.fits')!.fits.hdus[1].cards, 'BUNIT')).toBe('electron');
    // VAR says what it is, in the card astropy's CCDData.read looks for (without it: a standard deviation).
    const varCards = products.get('raw0021_reduced.fits')!.fits.hdus[2].cards;
    expect([card(varCards, 'EXTNAME'), card(varCards, 'UTYPE'), card(varCards, 'BUNIT')]).toEqual(['VAR', 'VarianceUncertainty', '(electron)**2']);
    // A normalized flat is dimensionless: BUNIT '' (CCDData.read refuses a frame without BUNIT).
    expect(card(products.get('raw0008_flat.fits')!.fits.hdus[1].cards, 'BUNIT')).toBe('');
    for (const key of ['ADDDQ', 'SUBOVER', 'TRIMDATA', 'BIASCORR', 'DARKCORR', 'ADU2ELEC', 'ADDVAR', 'FLATCORR', 'CRCORR', 'DETSRC']) {
      expect(String(card(red, key)), key).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    }
    expect(history(red).some((h) => h.startsWith('subtractDark') && /skipped: no master dark/.test(h))).toBe(true);
    expect(card(red, 'FWHM')).toBeGreaterThan(2);
    expect(card(red, 'NSTARS')).toBeGreaterThan(3);
    expect(card(red, 'SKYLEVEL')).toBeGreaterThan(300);
    expect(card(products.get('raw0026_reduced.fits')!.fits.hdus[0].cards, 'FLATIM')).toBe('raw0014_flat.fits');
  });

  it('stacks each filter on its first frame, with the offsets it found', () => {
    for (const [stack, filter] of [['raw0020_stack.fits', 'R'], ['raw0024_stack.fits', 'V']]) {
      const cards = products.get(stack)!.fits.hdus[0].cards;
      expect(card(cards, 'NCOMBINE')).toBe(4);
      // detectSources did not run on the stack (its frames came with their stars): HISTORY says so, and
      // DETSRC stays the time it ran on the reference frame.
      expect(history(cards).join('')).toContain('apertureFwhm=2.5 (not run: every frame had what it gives)');
      expect(card(cards, 'DETSRC')).toBe(card(products.get(stack.replace('_stack', '_reduced'))!.fits.hdus[0].cards, 'DETSRC'));
      expect(card(cards, 'FILTER')).toBe(filter);
      for (const s of truth.science.filter((x) => x.filter === filter)) {
        const base = s.file.replace('.fits', '');
        const line = history(cards).find((h) => h.startsWith(`${base}_reduced.fits: offset`));
        expect(line, s.file).toBeDefined();
        const [dx, dy] = line!.split('offset ')[1].split(' ').map(Number);
        // Truth: a star at x in the first frame is at x + dx in this one.
        expect(Math.abs(dx - s.dx), `${s.file} dx`).toBeLessThan(0.05);
        expect(Math.abs(dy - s.dy), `${s.file} dy`).toBeLessThan(0.05);
      }
    }
  });

  it.skipIf(skipFitsverify)('passes fitsverify with 0 warnings and 0 errors', () => {
    requireFitsverify();
    const dir = mkdtempSync(path.join(tmpdir(), 'verify-'));
    try {
      for (const p of products.values()) {
        const file = path.join(dir, p.name);
        writeFileSync(file, p.bytes);
        const out = execFileSync('fitsverify', [file], { encoding: 'utf8' });
        expect(out, p.name).toMatch(/Verification found 0 warning\(s\) and 0 error\(s\)/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the page and the command agree', () => {
  it('give the same pixels for every product', () => {
    for (const name of EXPECTED) {
      const a = fromFiles.get(name)!, b = fromDb.get(name)!;
      for (const hdu of [1, 2, 3]) {
        // The data units byte for byte (comparing decoded arrays element by element is slow in expect).
        const unit = (p: Product) => Buffer.from(p.bytes.subarray(p.fits.hdus[hdu].dataOffset, p.fits.hdus[hdu].dataOffset + p.fits.hdus[hdu].dataBytes));
        expect(unit(a).length).toBe(256 * 256 * (hdu === 3 ? 2 : 4));
        expect(unit(b).equals(unit(a)), `${name} HDU ${hdu}`).toBe(true);
      }
    }
  });

  it('records every run of the page as done', () => {
    expect(runStates.length).toBe(13);
    expect(runStates.every((s) => s === 'done')).toBe(true);
  });
});
