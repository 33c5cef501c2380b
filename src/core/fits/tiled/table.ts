/**
 * Just enough of the binary-table format to find the tiles of a compressed
 * image: column offsets from TFORMn, scalar cells (ZSCALE, ZZERO, ZBLANK) and
 * variable-length array descriptors (P: two int32, Q: two int64) into the heap.
 */
import { headerGet } from '../header';
import { optionalInt } from '../keywords';
import { FitsError, type Card } from '../types';

export interface Column {
  name: string;
  /** Byte offset of the cell within a row. */
  offset: number;
  /** Type letter: for P/Q columns, the type of the heap elements. */
  type: string;
  /** 'P' or 'Q' for variable-length arrays. */
  varKind?: 'P' | 'Q';
}

export interface TableLayout {
  rowBytes: number;
  rows: number;
  columns: Map<string, Column>;
  /** Start of the heap relative to the data unit. */
  heapStart: number;
}

/** Bytes per element of each binary-table type letter. */
export const TYPE_BYTES: Record<string, number> = { L: 1, B: 1, A: 1, I: 2, J: 4, K: 8, E: 4, D: 8, C: 8, M: 16 };

export function tableLayout(cards: Card[], name: string, where: string): TableLayout {
  const rowBytes = optionalInt(cards, 'NAXIS1', name, where) ?? 0;
  const rows = optionalInt(cards, 'NAXIS2', name, where) ?? 0;
  const fields = optionalInt(cards, 'TFIELDS', name, where) ?? 0;
  if (fields < 0 || fields > 999) throw new FitsError(name, `${where}: TFIELDS ${fields} is out of range (0-999)`);
  const columns = new Map<string, Column>();
  let offset = 0;
  for (let i = 1; i <= fields; i++) {
    const tform = String(headerGet(cards, `TFORM${i}`) ?? '').trim().toUpperCase();
    const m = /^(\d*)([LXBIJKAEDCMPQ])([A-Z]?)/.exec(tform);
    if (!m) throw new FitsError(name, `${where}: column ${i} has an unreadable TFORM${i} = '${tform}'`);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const code = m[2];
    let width: number;
    let column: Column;
    const colName = String(headerGet(cards, `TTYPE${i}`) ?? `COL${i}`).trim().toUpperCase();
    if (code === 'P' || code === 'Q') {
      width = repeat * (code === 'P' ? 8 : 16);
      column = { name: colName, offset, type: m[3] || 'B', varKind: code };
    } else {
      width = code === 'X' ? Math.ceil(repeat / 8) : repeat * TYPE_BYTES[code];
      column = { name: colName, offset, type: code };
    }
    columns.set(colName, column);
    offset += width;
  }
  if (offset > rowBytes) {
    throw new FitsError(name, `${where}: the TFORMn columns need ${offset} bytes per row but NAXIS1 is ${rowBytes}`);
  }
  const theap = optionalInt(cards, 'THEAP', name, where);
  if (theap !== undefined && theap < rowBytes * rows) {
    throw new FitsError(name, `${where}: THEAP ${theap} points inside the table's rows (${rowBytes * rows} bytes)`);
  }
  const heapStart = theap ?? rowBytes * rows;
  return { rowBytes, rows, columns, heapStart };
}

/** The first number in a scalar cell (ZSCALE, ZZERO, ZBLANK). */
export function readScalar(view: DataView, cellStart: number, type: string): number {
  switch (type) {
    case 'B':
      return view.getUint8(cellStart);
    case 'I':
      return view.getInt16(cellStart);
    case 'J':
      return view.getInt32(cellStart);
    case 'K':
      return Number(view.getBigInt64(cellStart));
    case 'E':
      return view.getFloat32(cellStart);
    case 'D':
      return view.getFloat64(cellStart);
    default:
      return NaN;
  }
}

/** Element count and heap offset of a variable-length cell. */
export function readDescriptor(view: DataView, cellStart: number, kind: 'P' | 'Q'): { count: number; offset: number } {
  if (kind === 'P') return { count: view.getUint32(cellStart), offset: view.getUint32(cellStart + 4) };
  return { count: Number(view.getBigUint64(cellStart)), offset: Number(view.getBigUint64(cellStart + 8)) };
}
