/**
 * A stored product as a FITS file, built strip by strip into the parts of a
 * Blob (the browser keeps them off the JS heap), so a 4k x 4k stack is never
 * one giant buffer. Same layout as the command writes (core/pipeline/layout).
 */
import { Zip, ZipPassThrough } from 'fflate';
import { encodeBigEndian, headerBlock, headerLines, type Card } from '../core/fits';
import { readPlaneRows, stripRowsFor } from './files';
import type { WorkbenchDb } from './schema';
import type { FileRecord } from './types';

/**
 * How HDU i of a stored product is written: its name and data shape. The
 * structural cards (SIMPLE/XTENSION, BITPIX, NAXISn, EXTNAME) are not stored
 * with the product's cards; the writer makes them from these.
 */
function hduShape(rec: FileRecord, i: number) {
  const h = rec.hdus[i];
  const [width, height] = h.naxis;
  return {
    extname: h.index === 0 ? undefined : h.extname,
    shape: { bitpix: h.bitpix, axes: h.isImage ? [width, height] : [], unsigned16: h.bitpix === 16 },
    last: i === rec.hdus.length - 1,
  };
}

/** The header of HDU i of a stored product, card by card, as its FITS file has it (without END). */
export function productHeaderLines(rec: FileRecord, cards: readonly Card[], i: number): string[] {
  const { extname, shape, last } = hduShape(rec, i);
  return headerLines(cards, extname, shape, i, last).slice(0, -1);
}

export async function productFitsParts(db: WorkbenchDb, id: string): Promise<{ name: string; parts: Uint8Array<ArrayBuffer>[] }> {
  const [rec, headers] = await Promise.all([db.files.get(id), db.headers.get(id)]);
  if (!rec || !headers) throw new Error(`product ${id} is not in the library`);
  if (!rec.product) throw new Error(`${rec.name} is not a product of the workbench`);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (const [i, h] of rec.hdus.entries()) {
    const cards = headers.hdus.find((x) => x.index === h.index)?.cards ?? [];
    const { extname, shape, last } = hduShape(rec, i);
    const [width, height] = h.naxis;
    parts.push(headerBlock(cards, extname, shape, i, last));
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

/**
 * A product's name as a path inside the .zip that cannot leave the folder it
 * is unzipped into: products are named after their first input's folder and
 * name (core/pipeline/plan.ts), and an imported workspace can carry any
 * folder text. Empty, '.' and '..' segments go, backslashes count as
 * separators, control characters and colons become '_'.
 */
export function zipEntryName(name: string): string {
  const segments = name
    .replace(/[\u0000-\u001f\u007f]/g, '_')
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    // A drive letter ('C:') or an NTFS stream ('x:y') is not a name either.
    .map((s) => s.replace(/:/g, '_'));
  return segments.length ? segments.join('/') : 'product.fits';
}

/**
 * Every product given, as one .zip (stored, not deflated: float pixels barely
 * compress, and storing costs nothing), built product by product so only one
 * product's strips are read at a time. Returns the parts of a Blob.
 */
export async function productsZipParts(db: WorkbenchDb, ids: readonly string[]): Promise<Uint8Array<ArrayBuffer>[]> {
  const out: Uint8Array<ArrayBuffer>[] = [];
  let failure: Error | undefined;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else out.push(chunk as Uint8Array<ArrayBuffer>);
  });
  const used = new Set<string>();
  for (const id of ids) {
    const { name: stored, parts } = await productFitsParts(db, id);
    const name = zipEntryName(stored);
    // Two products of the same name (two nights' masters made from files of one name) stay apart.
    let entry = name;
    for (let k = 2; used.has(entry); k++) entry = name.replace(/\.fits$/i, `-${k}.fits`);
    used.add(entry);
    const file = new ZipPassThrough(entry);
    zip.add(file);
    parts.forEach((p, i) => file.push(p, i === parts.length - 1));
    if (!parts.length) file.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw failure;
  return out;
}
