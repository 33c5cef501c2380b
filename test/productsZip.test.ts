/**
 * "Download all products": the .zip's entries are the products' names as
 * paths that stay inside the folder they are unzipped into, whatever folder
 * text the products were named from (an imported workspace can carry any),
 * and every product's FITS bytes are there whole.
 */
import 'fake-indexeddb/auto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseFits } from '../src/core/fits';
import type { ProductInfo } from '../src/core/pipeline/products';
import { productFitsParts, productsZipParts, zipEntryName } from '../src/db/exportFits';
import { IdbPixelStore } from '../src/db/pixelStore';
import type { WorkbenchDb } from '../src/db/schema';
import { useTestDb } from './testDb';

describe('zipEntryName', () => {
  it('keeps ordinary names and folders', () => {
    expect(zipEntryName('a_reduced.fits')).toBe('a_reduced.fits');
    expect(zipEntryName('night1/raw/a_reduced.fits')).toBe('night1/raw/a_reduced.fits');
  });
  it('drops what would leave the folder: parent and empty segments, roots, backslashes, drive letters', () => {
    expect(zipEntryName('../../etc/x_reduced.fits')).toBe('etc/x_reduced.fits');
    expect(zipEntryName('/abs/x.fits')).toBe('abs/x.fits');
    expect(zipEntryName('a/./b//../c.fits')).toBe('a/b/c.fits');
    expect(zipEntryName('..\\..\\win\\x.fits')).toBe('win/x.fits');
    expect(zipEntryName('C:/Windows/x.fits')).toBe('C_/Windows/x.fits');
    expect(zipEntryName('a\u0000b\nc.fits')).toBe('a_b_c.fits');
    expect(zipEntryName('../..')).toBe('product.fits');
  });
});

describe('productsZipParts', () => {
  let db: WorkbenchDb;
  useTestDb('products-zip', (d) => (db = d));

  const W = 40;
  const H = 30;
  async function product(name: string, seed: number): Promise<string> {
    const store = new IdbPixelStore(db, { scratch: false, mirror: false });
    const w = await store.create({ role: 'product', name, exts: [{ extver: 1, width: W, height: H, var: true, dq: true }] });
    await w.writeRows(0, 'sci', 0, Float32Array.from({ length: W * H }, (_, i) => i + seed));
    await w.writeRows(0, 'var', 0, new Float32Array(W * H).fill(seed));
    await w.writeRows(0, 'dq', 0, new Uint16Array(W * H));
    const info: ProductInfo = {
      kind: 'reduced', recipe: 'reduceScience', runKey: `k-${name}`, signature: 's', inputs: [], calibrations: {},
      params: {} as ProductInfo['params'], createdAt: 0, valid: true, bunit: 'electron',
    };
    return w.commit({ primary: [{ key: 'OBJECT', value: 'x' }], exts: [[]] }, info);
  }

  it('names entries so they stay in the folder, keeps same names apart, and holds each product whole', async () => {
    const ids = [await product('../../evil_reduced.fits', 1), await product('night/a_reduced.fits', 2), await product('..\\evil_reduced.fits', 3)];
    const entries = unzipSync(Uint8Array.from(Buffer.concat(await productsZipParts(db, ids))));
    expect(Object.keys(entries)).toEqual(['evil_reduced.fits', 'night/a_reduced.fits', 'evil_reduced-2.fits']);
    for (const [k, id] of ids.entries()) {
      const whole = Buffer.concat((await productFitsParts(db, id)).parts);
      const entry = Object.values(entries)[k];
      expect(Buffer.from(entry).equals(whole)).toBe(true);
      expect(parseFits(entry, 'x').hdus.map((h) => h.extname)).toEqual(['PRIMARY', 'SCI', 'VAR', 'DQ']);
    }
  });
});
