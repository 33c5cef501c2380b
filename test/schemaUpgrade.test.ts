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
