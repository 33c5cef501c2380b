/**
 * A stored product as a FITS file, built strip by strip into the parts of a
 * Blob (the browser keeps them off the JS heap), so a 4k x 4k stack is never
 * one giant buffer. Same layout as the command writes (core/pipeline/layout).
 */
import { encodeBigEndian, headerBlock } from '../core/fits';
import { readPlaneRows, stripRowsFor } from './files';
import type { WorkbenchDb } from './schema';

export async function productFitsParts(db: WorkbenchDb, id: string): Promise<{ name: string; parts: Uint8Array<ArrayBuffer>[] }> {
  const [rec, headers] = await Promise.all([db.files.get(id), db.headers.get(id)]);
  if (!rec || !headers) throw new Error(`product ${id} is not in the library`);
  if (!rec.product) throw new Error(`${rec.name} is not a product of the workbench`);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (const [i, h] of rec.hdus.entries()) {
    const cards = headers.hdus.find((x) => x.index === h.index)?.cards ?? [];
    const last = i === rec.hdus.length - 1;
    const extname = h.index === 0 ? undefined : h.extname;
    const [width, height] = h.naxis;
    parts.push(headerBlock(cards, extname, { bitpix: h.bitpix, axes: h.isImage ? [width, height] : [], unsigned16: h.bitpix === 16 }, i, last));
    if (!h.isImage) continue;
    const rows = stripRowsFor(width);
    const bytesPerPixel = h.bitpix === 16 ? 2 : 4;
    let written = 0;
    for (let y0 = 0; y0 < height; y0 += rows) {
      const y1 = Math.min(height, y0 + rows);
      const n = (y1 - y0) * width;
      const data = await readPlaneRows(db, { id, width, stripRows: rows }, h.index, 0, y0, y1, h.bitpix === 16 ? new Uint16Array(n) : new Float32Array(n));
      const bytes = new Uint8Array(n * bytesPerPixel);
      encodeBigEndian(data, bytes, 0);
      parts.push(bytes);
      written += bytes.length;
    }
    const pad = (2880 - (written % 2880)) % 2880;
    if (pad) parts.push(new Uint8Array(pad));
  }
  return { name: rec.name, parts };
}
