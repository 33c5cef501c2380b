/**
 * Opening a library stored by the previous version (schema v2): nothing is
 * lost, and files gain what the classifier learned since (v3: disperser,
 * slit and obsmode descriptors; masters made by other tools), re-read from
 * their stored headers.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import type { Card } from '../src/core/fits/types';

const NAME = 'upgrade-v2-v3';

afterEach(async () => {
  await Dexie.delete(NAME);
});

function v2Record(id: string, name: string, type: string, keyword: string, value: string) {
  return {
    id, name, path: '', size: 2880, addedAt: 1, status: 'ok', message: '',
    hdus: [{ index: 0, xtension: 'PRIMARY', extname: 'PRIMARY', bitpix: 16, naxis: [10, 10], isImage: true }],
    imageHdu: 0, width: 10, height: 10, depth: 1, stripRows: 10,
    descriptors: { sources: {}, sourceHdu: {} },
    auto: { type, keyword, value, reason: `${keyword} = '${value}'` },
    type,
  };
}

it('re-describes v2 files from their headers and keeps every record and strip', async () => {
  const old = new Dexie(NAME);
  old.version(1).stores({ files: '&id, name, type, status, addedAt', headers: '&fileId', strips: '[fileId+hdu+plane+index], fileId' });
  old.version(2).stores({ writing: '&fileId, heartbeat' });
  await old.open();
  const spectrum: Card[] = [
    { key: 'OBSTYPE', value: 'OBJECT' }, { key: 'GRATING', value: 'R400+_G5325' }, { key: 'MASKNAME', value: '1.0arcsec' }, { key: 'NAXIS1', value: 10 }, { key: 'NAXIS2', value: 10 },
  ];
  const master: Card[] = [{ key: 'IMAGETYP', value: 'Bias Frame' }, { key: 'NCOMBINE', value: 15 }, { key: 'NAXIS1', value: 10 }, { key: 'NAXIS2', value: 10 }];
  await old.table('files').bulkPut([v2Record('s', 'spec.fits', 'science', 'OBSTYPE', 'OBJECT'), v2Record('m', 'mbias.fits', 'bias', 'IMAGETYP', 'Bias Frame')]);
  await old.table('headers').bulkPut([
    { fileId: 's', hdus: [{ index: 0, extname: 'PRIMARY', cards: spectrum }] },
    { fileId: 'm', hdus: [{ index: 0, extname: 'PRIMARY', cards: master }] },
  ]);
  await old.table('strips').put({ fileId: 's', hdu: 0, plane: 0, index: 0, y0: 0, y1: 10, data: new Float32Array(100).fill(7) });
  old.close();

  const db = new WorkbenchDb(NAME);
  await db.open();
  expect(db.verno).toBe(4);
  const s = (await db.files.get('s'))!;
  expect(s.descriptors.disperser).toBe('R400+_G5325');
  expect(s.descriptors.slit).toBe('1.0arcsec');
  expect(s.type).toBe('science');
  const m = (await db.files.get('m'))!;
  expect(m.auto.master?.reason).toMatch(/NCOMBINE = 15/);
  expect(await db.strips.count()).toBe(1);
  expect((await db.strips.toArray())[0].data).toEqual(new Float32Array(100).fill(7));
  expect(await db.runs.count()).toBe(0);
  db.close();
});

/**
 * Every step of the schema, from each version a browser may hold: a library
 * written by version k (every table of k holding a record) opens under the
 * current schema with every record of every table kept, the tables added
 * since empty and writable. The schemas below are the ones each version
 * shipped (src/db/schema.ts); a new version of the schema must add its step
 * here, or the first test fails.
 */
const SHIPPED: Record<string, string | null>[] = [
  { files: '&id, name, type, status, addedAt', headers: '&fileId', strips: '[fileId+hdu+plane+index], fileId' },
  { writing: '&fileId, heartbeat' },
  { runs: '&id, key, status, batch, createdAt', pins: '&id, frameId, step', exclusions: '&frameId', params: '&id, kind' },
  { overrules: '&id, frameId' },
];

/** One record per table, as its version wrote them. */
const RECORDS: Record<string, unknown> = {
  files: v2Record('f', 'raw0001.fits', 'bias', 'IMAGETYP', 'Bias Frame'),
  headers: { fileId: 'f', hdus: [{ index: 0, extname: 'PRIMARY', cards: [{ key: 'IMAGETYP', value: 'Bias Frame' }, { key: 'NAXIS1', value: 10 }, { key: 'NAXIS2', value: 10 }] }] },
  strips: { fileId: 'f', hdu: 0, plane: 0, index: 0, y0: 0, y1: 10, data: new Uint16Array(100).fill(1000) },
  writing: { fileId: 'p', name: 'raw0001_bias.fits', heartbeat: 5 },
  runs: { id: 'r', key: 'bias:r', batch: 'b', label: 'Master bias', recipe: 'makeMasterBias', status: 'done', planned: {}, progress: 1, step: '', log: [], productId: 'p', createdAt: 3 },
  pins: { id: 'pin', frameId: 'f', step: 'bias', calibrationId: 'm', createdAt: 4 },
  exclusions: { frameId: 'x', createdAt: 5 },
  params: { id: 'par', kind: 'user', name: 'overscan.order', values: {}, updatedAt: 6 },
  overrules: { id: 'o', frameId: 'f', step: 'flatLevel', createdAt: 7 },
};

it('the steps listed here reach the current schema version', async () => {
  const db = new WorkbenchDb('schema-steps-current');
  await db.open();
  expect(db.verno).toBe(SHIPPED.length);
  expect(db.tables.map((t) => t.name).sort()).toEqual(Object.keys(Object.assign({}, ...SHIPPED)).sort());
  db.close();
  await Dexie.delete('schema-steps-current');
});

for (let from = 1; from < SHIPPED.length; from++) {
  it(`a library of schema v${from} opens under v${SHIPPED.length} with every record kept`, async () => {
    const name = `schema-steps-v${from}`;
    try {
      const old = new Dexie(name);
      for (let v = 1; v <= from; v++) old.version(v).stores(SHIPPED[v - 1]);
      await old.open();
      const tables = old.tables.map((t) => t.name);
      for (const t of tables) await old.table(t).put(RECORDS[t]);
      const before = new Map<string, unknown[]>();
      for (const t of tables) before.set(t, await old.table(t).toArray());
      old.close();

      const db = new WorkbenchDb(name);
      await db.open();
      expect(db.verno).toBe(SHIPPED.length);
      for (const t of tables) {
        const after = await db.table(t).toArray();
        if (t === 'files' && from < 3) {
          // v3 re-describes files from their headers: what it adds may differ, what was stored stays.
          const { descriptors: _d, auto: _a, ...kept } = before.get(t)![0] as Record<string, unknown>;
          expect(after).toHaveLength(1);
          expect(after[0]).toMatchObject(kept);
          expect((after[0] as { auto: { type: string } }).auto.type).toBe('bias');
        } else {
          expect(after, `table ${t}`).toEqual(before.get(t));
        }
      }
      for (const t of db.tables.map((x) => x.name).filter((n) => !tables.includes(n))) {
        expect(await db.table(t).count(), `new table ${t}`).toBe(0);
        await db.table(t).put(RECORDS[t]);
        expect(await db.table(t).count()).toBe(1);
      }
      db.close();
    } finally {
      await Dexie.delete(name);
    }
  });
}
