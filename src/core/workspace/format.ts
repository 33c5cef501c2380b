/**
 * The workspace archive format, version 1: what the entries of the tar are
 * called, how records and pixels are encoded, and what a valid record looks
 * like. Pure: no IndexedDB (src/db/workspace.ts reads and writes the tables).
 *
 * Entries, in order:
 *   ccd-workbench-workspace.json   first: { format, version } (a foreign tar is refused on its first block)
 *   tables/<table>-<nnnn>.jsonl    every record of every table, one JSON value per line, in parts of ~4 MB
 *   pixels/<fileId>/<hdu>-<plane>-<index>-<y0>-<y1>.<u16|i16|f32>
 *                                  one pixel strip: its values, little-endian, exactly as stored
 *   manifest.json                  last: format, version, schema version, created, counts, and the
 *                                  size and SHA-256 of every entry before it, in order
 */
import { LITTLE_ENDIAN } from '../endian';

export const FORMAT = 'ccd-workbench-workspace';
export const FORMAT_VERSION = 1;
export const FORMAT_ENTRY = 'ccd-workbench-workspace.json';
export const MANIFEST_ENTRY = 'manifest.json';
export const ARCHIVE_SUFFIX = '.ccdworkspace.tar';

/** The database's tables an archive holds (`writing`, a product's in-flight heartbeats, is transient and left out). */
export const TABLES = ['files', 'headers', 'runs', 'pins', 'exclusions', 'params', 'overrules'] as const;
export type TableName = (typeof TABLES)[number];

export type StripDtype = 'u16' | 'i16' | 'f32';
export type StripData = Uint16Array | Int16Array | Float32Array;

export interface FormatEntry {
  format: string;
  version: number;
}

export interface ManifestEntry {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest extends FormatEntry {
  /** The Dexie schema version the records follow. */
  schemaVersion: number;
  /** ISO 8601. */
  created: string;
  /** Records per table, strips, and the pixel bytes. */
  counts: Record<TableName, number> & { strips: number; pixelBytes: number };
  entries: ManifestEntry[];
}

/** A problem that makes the whole archive unusable; the message says which and why. */
export class WorkspaceArchiveError extends Error {}

// ---------------------------------------------------------------- names

export function tablePartName(table: TableName, part: number): string {
  return `tables/${table}-${String(part).padStart(4, '0')}.jsonl`;
}

const TABLE_PART = /^tables\/([a-z]+)-(\d{4,})\.jsonl$/;

export function parseTablePartName(name: string): TableName | undefined {
  const m = TABLE_PART.exec(name);
  return m && (TABLES as readonly string[]).includes(m[1]) ? (m[1] as TableName) : undefined;
}

/** File ids are SHA-256 hex (ingested files) or product-<uuid>: safe in a path. */
const FILE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Where a pixel strip belongs (the database's StripRecord is this key with its data) and how its bytes are stored. */
export interface StripKey {
  fileId: string;
  hdu: number;
  plane: number;
  index: number;
  y0: number;
  y1: number;
  dtype: StripDtype;
}

export function stripName(s: StripKey): string {
  if (!FILE_ID.test(s.fileId) || s.fileId.startsWith('.')) throw new WorkspaceArchiveError(`file id "${s.fileId}" cannot name an archive entry`);
  return `pixels/${s.fileId}/${s.hdu}-${s.plane}-${s.index}-${s.y0}-${s.y1}.${s.dtype}`;
}

const STRIP = /^pixels\/([A-Za-z0-9._-]{1,128})\/(\d{1,9})-(\d{1,9})-(\d{1,9})-(\d{1,9})-(\d{1,9})\.(u16|i16|f32)$/;

export function parseStripName(name: string): StripKey | undefined {
  const m = STRIP.exec(name);
  if (!m || m[1].startsWith('.')) return undefined;
  const [hdu, plane, index, y0, y1] = m.slice(2, 7).map(Number);
  if (y1 <= y0) return undefined;
  return { fileId: m[1], hdu, plane, index, y0, y1, dtype: m[7] as StripDtype };
}

// ---------------------------------------------------------------- pixels

export const BYTES_PER: Record<StripDtype, number> = { u16: 2, i16: 2, f32: 4 };

/** The typed array that holds each element type. */
export const STRIP_ARRAY = { u16: Uint16Array, i16: Int16Array, f32: Float32Array } as const;

export function dtypeOf(data: StripData): StripDtype {
  if (data instanceof Uint16Array) return 'u16';
  if (data instanceof Int16Array) return 'i16';
  if (data instanceof Float32Array) return 'f32';
  throw new WorkspaceArchiveError(`a pixel strip of type ${(data as object).constructor?.name} cannot be archived`);
}

function assertLittleEndian(): void {
  // Every browser and Node this runs on is little-endian; the archive says so for other readers.
  if (!LITTLE_ENDIAN) throw new WorkspaceArchiveError('this machine is big-endian; workspace archives hold little-endian pixels');
}

/** The strip's values as bytes (a view, no copy). */
export function stripBytes(data: StripData): Uint8Array {
  assertLittleEndian();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Bytes back into the stored type (a copy, aligned). */
export function stripFromBytes(bytes: Uint8Array, dtype: StripDtype): StripData {
  assertLittleEndian();
  const buf = bytes.slice().buffer;
  return new STRIP_ARRAY[dtype](buf);
}

// ---------------------------------------------------------------- records as JSON

/*
 * IndexedDB keeps values JSON cannot: NaN and the infinities (statistics of an
 * empty plane, a fit that failed), -0, and typed arrays. They are written as
 * tagged objects { "$t": kind, "v": ... }; a record's own object with a "$t"
 * key is wrapped too, so decoding is never ambiguous. Anything else JSON would
 * change (a Date, a Map, a function) makes the export fail loudly rather than
 * arrive altered.
 */
const TAG = '$t';

function encodeValue(v: unknown, path: string): unknown {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { [TAG]: 'num', v: 'NaN' };
    if (v === Infinity) return { [TAG]: 'num', v: 'Infinity' };
    if (v === -Infinity) return { [TAG]: 'num', v: '-Infinity' };
    if (Object.is(v, -0)) return { [TAG]: 'num', v: '-0' };
    return v;
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x, i) => encodeValue(x, `${path}[${i}]`) ?? null);
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Uint16Array || v instanceof Int16Array || v instanceof Uint8Array || v instanceof Int32Array || v instanceof Uint32Array) {
    return { [TAG]: 'typed', type: v.constructor.name, v: Array.from(v as ArrayLike<number>, (x, i) => encodeValue(x, `${path}[${i}]`)) };
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const e = encodeValue(x, `${path}.${k}`);
      if (e !== undefined) out[k] = e;
    }
    return TAG in out ? { [TAG]: 'obj', v: out } : out;
  }
  throw new WorkspaceArchiveError(`cannot archive ${path}: a ${Object.prototype.toString.call(v).slice(8, -1)} value`);
}

const TYPED: Record<string, (a: number[]) => unknown> = {
  Float32Array: (a) => Float32Array.from(a), Float64Array: (a) => Float64Array.from(a),
  Uint16Array: (a) => Uint16Array.from(a), Int16Array: (a) => Int16Array.from(a),
  Uint8Array: (a) => Uint8Array.from(a), Int32Array: (a) => Int32Array.from(a), Uint32Array: (a) => Uint32Array.from(a),
};

function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (TAG in o) {
    if (o[TAG] === 'num' && typeof o.v === 'string' && ['NaN', 'Infinity', '-Infinity', '-0'].includes(o.v)) return Number(o.v);
    if (o[TAG] === 'typed' && typeof o.type === 'string' && TYPED[o.type] && Array.isArray(o.v)) return TYPED[o.type]((o.v as unknown[]).map((x) => decodeValue(x) as number));
    if (o[TAG] === 'obj' && o.v && typeof o.v === 'object' && !Array.isArray(o.v)) return decodeObject(o.v as Record<string, unknown>);
    throw new WorkspaceArchiveError(`an unknown tagged value ${JSON.stringify(v).slice(0, 80)}`);
  }
  return decodeObject(o);
}

function decodeObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x);
  return out;
}

/** One record as one line of JSON. */
export function encodeRecord(record: unknown, table: string): string {
  return JSON.stringify(encodeValue(record, table));
}

export function decodeRecord(line: string): unknown {
  return decodeValue(JSON.parse(line));
}

// ---------------------------------------------------------------- hashing

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // WebCrypto in browsers, workers and Node 20; an entry is at most a part of a table or a strip (a few MB).
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
