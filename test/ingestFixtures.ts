/** Files the storage tests ingest (a raw frame of the sample night and three of the FITS fixtures), and their planes read back. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readPlaneRows } from '../src/db/files';
import type { WorkbenchDb } from '../src/db/schema';

const SHARED = path.resolve(__dirname, '../../shared');
const item = (dir: string, name: string) => ({ name, path: '', bytes: new Uint8Array(readFileSync(path.join(SHARED, dir, name))) });
/** A raw frame (16-bit strips), a float32 image with NaNs, a signed 16-bit one and a multi-extension file. */
export const FILES = [item('sample-night', 'raw0001.fits'), item('fixtures/fits', 'f32_nan.fits'), item('fixtures/fits', 'i16.fits'), item('fixtures/fits', 'mef.fits')];

/** Every image plane of every stored file, read through readPlaneRows (what the page reads), by `name:hdu`. */
export async function planesOf(db: WorkbenchDb): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const f of await db.files.toArray()) {
    for (const h of f.hdus.filter((x) => x.isImage && x.naxis.length >= 2)) {
      const [w, hgt] = h.naxis;
      out.set(`${f.name}:${h.index}`, await readPlaneRows(db, { id: f.id, width: w, stripRows: f.stripRows }, h.index, 0, 0, hgt, new Float32Array(w * hgt)));
    }
  }
  return out;
}
