import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { WorkspaceArchiveWriter, bytesSource, readStrip, readWorkspaceArchive, type ValidArchive } from './archive';
import { FORMAT, FORMAT_ENTRY, MANIFEST_ENTRY, WorkspaceArchiveError, decodeRecord, encodeRecord, sha256Hex } from './format';
import { BLOCK, parseTarHeader, tarEnd, tarHeader, padding } from './tar';

const SCHEMA = 4;

function file(id: string, extra: Record<string, unknown> = {}) {
  return {
    id, name: `${id}.fits`, path: '', size: 5760, addedAt: 1, status: 'ok', message: '',
    hdus: [{ index: 0, xtension: '', extname: 'PRIMARY', bitpix: 16, naxis: [3, 4], isImage: true, compressed: false }],
    imageHdu: 0, width: 3, height: 4, depth: 1, stripRows: 2, descriptors: {}, auto: { type: 'bias', reason: 'IMAGETYP' }, type: 'bias',
    stats: { median: Number.NaN, max: Infinity, zero: -0 }, ...extra,
  };
}

/** A small archive: two files (a 16-bit and a float one), a header, settings, a run. */
async function smallArchive(mutate?: (w: WorkspaceArchiveWriter) => Promise<void>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const w = new WorkspaceArchiveWriter((c) => { chunks.push(c.slice()); }, { schemaVersion: SCHEMA, created: new Date('2026-11-29T12:00:00Z') });
  await w.start();
  await w.table('files', [file('a'.repeat(64)), file('product-1', { type: 'product' })]);
  await w.table('headers', [{ fileId: 'a'.repeat(64), hdus: [{ index: 0, extname: 'PRIMARY', cards: [{ key: 'SIMPLE', value: true }] }] }]);
  await w.table('pins', [{ id: 'p1', step: 'bias', frameId: 'x', calibrationId: 'y', createdAt: 3 }]);
  await w.table('params', [{ id: 'u', kind: 'user', name: 'mine', values: { r: { s: { k: 1 } } }, updatedAt: 4 }]);
  await w.table('runs', [{ id: 'r1', key: 'k', batch: 'b', label: 'l', recipe: 'makeMasterBias', status: 'done', planned: {}, progress: 1, step: '', log: [{ t: 1, msg: 'x' }], createdAt: 5 }]);
  for (const t of ['exclusions', 'overrules'] as const) await w.table(t, []);
  await w.strip({ fileId: 'a'.repeat(64), hdu: 0, plane: 0, index: 0, y0: 0, y1: 2, data: Uint16Array.from([0, 1, 65535, 40000, 2, 3]) });
  await w.strip({ fileId: 'a'.repeat(64), hdu: 0, plane: 0, index: 1, y0: 2, y1: 4, data: Uint16Array.from([4, 5, 6, 7, 8, 9]) });
  await w.strip({ fileId: 'product-1', hdu: 0, plane: 0, index: 0, y0: 0, y1: 4, data: Float32Array.from([Number.NaN, -0, 1.5, Infinity, 1e-30, 3, 4, 5, 6, 7, 8, 9]) });
  await mutate?.(w);
  await w.finish();
  return concat(chunks);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** The entries of a tar as [path, offset, size], read with our header parser. */
function entries(bytes: Uint8Array) {
  const out: { path: string; offset: number; size: number; header: number }[] = [];
  for (let at = 0; ;) {
    const e = parseTarHeader(bytes.subarray(at, at + BLOCK), at, bytes.length);
    if (!e) return out;
    out.push({ path: e.path, offset: e.offset, size: e.size, header: at });
    at = e.next;
  }
}

/** Rebuilds a tar from entries (name, data) — to make archives that are valid tars but wrong workspaces. */
function tar(items: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, data] of items) parts.push(tarHeader(name, data.length, 0), data, new Uint8Array(padding(data.length)));
  parts.push(tarEnd());
  return concat(parts);
}

const refusal = async (bytes: Uint8Array) => {
  try {
    await readWorkspaceArchive(bytesSource(bytes), SCHEMA);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkspaceArchiveError);
    return (err as Error).message;
  }
  throw new Error('the archive was accepted');
};

describe('tar container', () => {
  it('is read by GNU tar, names longer than 100 bytes included (ustar prefix)', async () => {
    const bytes = await smallArchive((w) => w.strip({ fileId: 'c'.repeat(100), hdu: 0, plane: 0, index: 0, y0: 0, y1: 1, data: new Float32Array(3) }));
    const dir = mkdtempSync(path.join(tmpdir(), 'ws-tar-'));
    try {
      writeFileSync(path.join(dir, 'a.tar'), bytes);
      const listed = execFileSync('tar', ['-tf', path.join(dir, 'a.tar')], { encoding: 'utf8' }).trim().split('\n');
      expect(listed).toEqual(entries(bytes).map((e) => e.path));
      expect(listed.some((n) => n.length > 100)).toBe(true);
      execFileSync('tar', ['-xf', path.join(dir, 'a.tar'), '-C', dir]);
      for (const e of entries(bytes)) expect(new Uint8Array(readFileSync(path.join(dir, e.path)))).toEqual(bytes.subarray(e.offset, e.offset + e.size));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads what GNU tar writes in ustar format', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ws-gnutar-'));
    try {
      const long = `pixels/${'b'.repeat(64)}/0-0-12-1200-1300.f32`;
      mkdirSync(path.join(dir, path.dirname(long)), { recursive: true });
      writeFileSync(path.join(dir, long), 'x'.repeat(1000));
      writeFileSync(path.join(dir, 'empty'), '');
      execFileSync('tar', ['--format=ustar', '-cf', 'out.tar', long, 'empty'], { cwd: dir });
      const bytes = new Uint8Array(readFileSync(path.join(dir, 'out.tar')));
      expect(entries(bytes).map((e) => [e.path, e.size])).toEqual([[long, 1000], ['empty', 0]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('records as JSON', () => {
  it('keeps NaN, the infinities, -0, typed arrays and a record\'s own "$t" key', () => {
    const rec = { a: Number.NaN, b: [Infinity, -Infinity, -0, 0], c: { $t: 'mine', d: Float32Array.from([1.5, Number.NaN]) }, e: undefined, s: 'NaN' };
    const back = decodeRecord(encodeRecord(rec, 'x')) as typeof rec;
    expect(back).toEqual({ a: Number.NaN, b: [Infinity, -Infinity, -0, 0], c: { $t: 'mine', d: Float32Array.from([1.5, Number.NaN]) }, s: 'NaN' });
    expect(Object.is(back.b[2], -0)).toBe(true);
    expect(Object.is(back.b[3], 0)).toBe(true);
  });

  it('refuses a value JSON would alter', () => {
    expect(() => encodeRecord({ when: new Date(0) }, 'runs')).toThrow(/runs\.when: a Date/);
    expect(() => encodeRecord({ m: new Map() }, 'files')).toThrow(/files\.m: a Map/);
  });
});

describe('workspace archive', () => {
  it('round-trips records and strips exactly, with a manifest of counts and hashes', async () => {
    const bytes = await smallArchive();
    const a: ValidArchive = await readWorkspaceArchive(bytesSource(bytes), SCHEMA);
    expect(a.manifest.format).toBe(FORMAT);
    expect(a.manifest.created).toBe('2026-11-29T12:00:00.000Z');
    expect(a.manifest.counts).toEqual({ files: 2, headers: 1, runs: 1, pins: 1, exclusions: 0, params: 1, overrules: 0, strips: 3, pixelBytes: 6 * 2 * 2 + 12 * 4 });
    expect(a.tables.files[0]).toEqual(file('a'.repeat(64)));
    expect(Object.is((a.tables.files[0].stats as { zero: number }).zero, -0)).toBe(true);
    expect(a.tables.params[0].values).toEqual({ r: { s: { k: 1 } } });
    const source = bytesSource(bytes);
    expect(await readStrip(source, a.strips[0])).toEqual(Uint16Array.from([0, 1, 65535, 40000, 2, 3]));
    const f = await readStrip(source, a.strips[2]);
    expect(f).toBeInstanceOf(Float32Array);
    expect(Array.from(f).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual([Number.NaN, '-0', 1.5, Infinity, Math.fround(1e-30), 3, 4, 5, 6, 7, 8, 9]);
    // The manifest's hashes are SHA-256 of each entry's bytes (checked here with Node's own crypto).
    const { createHash } = await import('node:crypto');
    for (const [i, e] of entries(bytes).slice(0, -1).entries()) {
      expect(a.manifest.entries[i]).toEqual({ name: e.path, size: e.size, sha256: createHash('sha256').update(bytes.subarray(e.offset, e.offset + e.size)).digest('hex') });
    }
  });

  it('refuses a ZIP, a FITS file, random bytes and an empty file as not workspace archives', async () => {
    expect(await refusal(zipSync({ 'manifest.json': new TextEncoder().encode('{}') }))).toMatch(/not a CCD Workbench workspace archive \(it looks like a ZIP archive\)/);
    expect(await refusal(readFileSync(path.resolve(__dirname, '../../../../shared/sample-night/raw0001.fits')))).toMatch(/looks like a FITS file/);
    const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    expect(await refusal(random)).toMatch(/not a CCD Workbench workspace archive: (the header at byte 0 is damaged|a header's checksum field is not an octal number)/);
    expect(await refusal(new Uint8Array(0))).toMatch(/the file is empty/);
  });

  it('refuses a tar of something else, and a workspace of another format or a newer version', async () => {
    expect(await refusal(tar([['notes.txt', new TextEncoder().encode('hi')]]))).toMatch(/first entry is "notes.txt", not "ccd-workbench-workspace.json"/);
    const other = new TextEncoder().encode(JSON.stringify({ format: 'someone-elses-workspace', version: 1 }));
    expect(await refusal(tar([[FORMAT_ENTRY, other]]))).toMatch(/says it is a "someone-elses-workspace" archive, not a CCD Workbench workspace/);
    const newer = new TextEncoder().encode(JSON.stringify({ format: FORMAT, version: 2 }));
    expect(await refusal(tar([[FORMAT_ENTRY, newer]]))).toMatch(/format version 2, made by a newer workbench/);
    // A manifest of another format at the end of an otherwise valid archive.
    const good = await smallArchive();
    const list = entries(good);
    const items = list.map((e): [string, Uint8Array] => [e.path, good.slice(e.offset, e.offset + e.size)]);
    const m = JSON.parse(new TextDecoder().decode(items.at(-1)![1]));
    items[items.length - 1] = [MANIFEST_ENTRY, new TextEncoder().encode(JSON.stringify({ ...m, format: 'zip-of-photos' }))];
    expect(await refusal(tar(items))).toMatch(/the manifest says it is a "zip-of-photos" archive/);
    items[items.length - 1] = [MANIFEST_ENTRY, new TextEncoder().encode(JSON.stringify({ ...m, schemaVersion: 9 }))];
    expect(await refusal(tar(items))).toMatch(/newer workbench \(database schema 9\)/);
  });

  it('refuses a truncated archive wherever it is cut', async () => {
    const good = await smallArchive();
    const list = entries(good);
    const cuts = [100, BLOCK, list[2].offset + 3, list.at(-1)!.header, list.at(-1)!.header + BLOCK + 10, good.length - 2 * BLOCK, good.length - 1];
    for (const cut of cuts) expect(await refusal(good.slice(0, cut)), `cut at ${cut}`).toMatch(/truncated/);
  });

  it('refuses a damaged entry by its SHA-256, a damaged header by its checksum', async () => {
    const good = await smallArchive();
    const list = entries(good);
    const strip = list.find((e) => e.path.startsWith('pixels/'))!;
    const bad = good.slice();
    bad[strip.offset + 1] ^= 0x01;
    expect(await refusal(bad)).toMatch(new RegExp(`"${strip.path}" is damaged: its SHA-256 differs from the manifest's`));
    const table = list.find((e) => e.path.startsWith('tables/files'))!;
    const bad2 = good.slice();
    bad2[table.offset + 20] = bad2[table.offset + 20] === 0x41 ? 0x42 : 0x41;
    expect(await refusal(bad2)).toMatch(/damaged|line 1/);
    const bad3 = good.slice();
    bad3[strip.header + 10] ^= 0x04;
    expect(await refusal(bad3)).toMatch(/header at byte \d+ is damaged \(checksum/);
  });

  it('refuses an entry missing from, or added to, what the manifest lists', async () => {
    const good = await smallArchive();
    const items = entries(good).map((e): [string, Uint8Array] => [e.path, good.slice(e.offset, e.offset + e.size)]);
    const without = items.filter((_, i) => i !== 3);
    expect(await refusal(tar(without))).toMatch(/holds ".*" where its manifest lists|missing/);
    const extra = [...items.slice(0, -1), ['pixels/' + 'a'.repeat(64) + '/0-0-9-0-1.u16', new Uint8Array(6)] as [string, Uint8Array], items.at(-1)!];
    expect(await refusal(tar(extra))).toMatch(/is in the archive but not in its manifest/);
  });

  it('refuses a record of the wrong shape, a duplicate key and pixels that do not fit their file, even with a consistent manifest', async () => {
    const withTable = (table: 'pins' | 'overrules', rows: unknown[]) => smallArchive((w) => w.table(table, rows));
    expect(await refusal(await withTable('overrules', [{ id: 'o', frameId: 'f', step: 3, createdAt: 1 }]))).toMatch(/tables\/overrules-0000\.jsonl line 1: a overrules record where "step" is not text/);
    expect(await refusal(await withTable('pins', [{ id: 'p1', step: 'flat', frameId: 'z', createdAt: 1 }]))).toMatch(/a second pins record with key "p1"/);
    const wrongRows = await smallArchive((w) => w.strip({ fileId: 'product-1', hdu: 0, plane: 0, index: 1, y0: 3, y1: 4, data: new Float32Array(3) }));
    expect(await refusal(wrongRows)).toMatch(/pixels of product-1\.fits \(HDU 0, plane 0\) overlap at row 3/);
    const orphan = await smallArchive((w) => w.strip({ fileId: 'nobody', hdu: 0, plane: 0, index: 0, y0: 0, y1: 1, data: new Float32Array(3) }));
    expect(await refusal(orphan)).toMatch(/pixels of a file the archive does not list \(nobody\)/);
  });

  it('names entries after what they hold and hashes with SHA-256', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
