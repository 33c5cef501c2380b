/**
 * Builds small tile-compressed FITS files by hand, for tests that need tables
 * no tool at hand writes: null pixels flagged through ZBLANK, tiles kept in
 * GZIP_COMPRESSED_DATA or UNCOMPRESSED_DATA, descriptors pointing past the heap.
 */
import { formatCard } from '../cardFormat';
import { BLOCK } from '../header';
import type { Card } from '../types';
import { writeFits } from '../write';

export type Cell = Uint8Array | number | null;

export interface BuildColumn {
  name: string;
  /** 'PB', 'PE', 'PJ'... for heap arrays; 'D', 'J', 'E' for scalars. */
  tform: string;
  cells: Cell[];
}

const SCALAR_BYTES: Record<string, number> = { B: 1, I: 2, J: 4, K: 8, E: 4, D: 8 };

/**
 * The Z keywords of a 2-D image compressed one row a tile (as fpack and
 * astropy write it), for buildTiledFile.
 */
export function rowTiledImageKeywords(zbitpix: number, width: number, height: number, zcmptype: string): Card[] {
  return [
    { key: 'ZBITPIX', value: zbitpix },
    { key: 'ZNAXIS', value: 2 },
    { key: 'ZNAXIS1', value: width },
    { key: 'ZNAXIS2', value: height },
    { key: 'ZTILE1', value: width },
    { key: 'ZTILE2', value: 1 },
    { key: 'ZCMPTYPE', value: zcmptype },
  ];
}

/** A primary HDU plus one BINTABLE holding `columns`, with the given extra (Z...) keywords. */
export function buildTiledFile(columns: BuildColumn[], keywords: Card[]): Uint8Array {
  const rows = columns[0].cells.length;
  const widths = columns.map((c) => (c.tform.startsWith('P') ? 8 : SCALAR_BYTES[c.tform]));
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  const heapParts: Uint8Array[] = [];
  let heapSize = 0;
  const table = new Uint8Array(rowBytes * rows);
  const view = new DataView(table.buffer);
  for (let r = 0; r < rows; r++) {
    let off = r * rowBytes;
    columns.forEach((col, c) => {
      const cell = col.cells[r];
      if (col.tform.startsWith('P')) {
        const elem = SCALAR_BYTES[col.tform[1]];
        const bytes = cell instanceof Uint8Array ? cell : new Uint8Array(0);
        view.setUint32(off, bytes.length / elem);
        view.setUint32(off + 4, heapSize);
        heapParts.push(bytes);
        heapSize += bytes.length;
      } else {
        const v = typeof cell === 'number' ? cell : 0;
        if (col.tform === 'D') view.setFloat64(off, v);
        else if (col.tform === 'E') view.setFloat32(off, v);
        else if (col.tform === 'J') view.setInt32(off, v);
        else if (col.tform === 'I') view.setInt16(off, v);
        else view.setUint8(off, v);
      }
      off += widths[c];
    });
  }
  const cards: Card[] = [
    { key: 'XTENSION', value: 'BINTABLE' },
    { key: 'BITPIX', value: 8 },
    { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: rowBytes },
    { key: 'NAXIS2', value: rows },
    { key: 'PCOUNT', value: heapSize },
    { key: 'GCOUNT', value: 1 },
    { key: 'TFIELDS', value: columns.length },
  ];
  columns.forEach((col, i) => {
    cards.push({ key: `TTYPE${i + 1}`, value: col.name });
    cards.push({ key: `TFORM${i + 1}`, value: `1${col.tform}` });
  });
  cards.push({ key: 'ZIMAGE', value: true }, ...keywords);
  const header = [...cards.flatMap(formatCard), 'END'.padEnd(80)].join('');
  const headerBytes = Math.ceil(header.length / BLOCK) * BLOCK;
  const dataBytes = Math.ceil((table.length + heapSize) / BLOCK) * BLOCK;
  const primary = writeFits([{ cards: [] }]);
  const out = new Uint8Array(primary.length + headerBytes + dataBytes);
  out.set(primary);
  let p = primary.length;
  for (let i = 0; i < headerBytes; i++) out[p + i] = i < header.length ? header.charCodeAt(i) : 32;
  p += headerBytes;
  out.set(table, p);
  p += table.length;
  for (const part of heapParts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Big-endian bytes of numbers as int16/int32/float32/float64. */
export function bigEndian(values: number[], type: 'I' | 'J' | 'E' | 'D'): Uint8Array {
  const size = SCALAR_BYTES[type];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (type === 'I') view.setInt16(i * size, v);
    else if (type === 'J') view.setInt32(i * size, v);
    else if (type === 'E') view.setFloat32(i * size, v);
    else view.setFloat64(i * size, v);
  });
  return out;
}
