/**
 * A workspace exported and imported through IndexedDB (fake-indexeddb): the
 * sample night ingested, tagged, pinned, given parameters and reduced; every
 * table equal after export + import into an empty database, and the plan
 * there finds every product up to date. Bad archives (a ZIP, a truncated copy,
 * another format's manifest, a damaged strip, an archive that changes while
 * it is imported) are refused whole and leave a non-empty database as it was.
 */
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import { stripValues } from '../src/db/stripStaging';
import { ingestOne } from '../workers/ingest';
import { loadPlanInput } from '../workers/pipelineClient';
import { runInDb } from '../workers/pipelineRun';
import { buildPlan, runsToDo } from '../src/core/pipeline/plan';
import { executePlan } from '../src/core/pipeline/scheduler';
import { newRunRecords } from '../src/db/runs';
import { retagFiles } from '../src/db/files';
import { excludeFrames, overrule, putParams, putPin } from '../src/db/pipelineState';
import { exportWorkspace, importWorkspace } from '../src/db/workspace';
import { bytesSource, type ByteSource } from '../src/core/workspace/archive';
import { TABLES, WorkspaceArchiveError } from '../src/core/workspace/format';
import { BLOCK, parseTarHeader } from '../src/core/workspace/tar';

const NIGHT = path.resolve(__dirname, '../../shared/sample-night');
let source: WorkbenchDb;
let archive: Uint8Array;
const dbs: WorkbenchDb[] = [];

async function freshDb(name: string): Promise<WorkbenchDb> {
  const db = new WorkbenchDb(name);
  await db.open();
  dbs.push(db);
  return db;
}

async function exportBytes(db: WorkbenchDb): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await exportWorkspace(db, (c) => { chunks.push(c.slice()); });
  return new Uint8Array(Buffer.concat(chunks));
}

/** Every table's records sorted by key, strips as their key, type and a hash of their bytes. */
async function dump(db: WorkbenchDb) {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = (await db.table(t).toArray()).sort((a, b) => String(a.id ?? a.fileId ?? a.frameId).localeCompare(String(b.id ?? b.fileId ?? b.frameId)));
  // Values as they read back, whether stored as typed arrays or as Blobs.
  out.strips = (await Promise.all((await db.strips.toArray()).map(async (s) => {
    const v = await stripValues(s);
    return {
      key: [s.fileId, s.hdu, s.plane, s.index, s.y0, s.y1].join('/'), type: v.constructor.name, length: v.length,
      sha: createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex'),
    };
  }))).sort((a, b) => a.key.localeCompare(b.key));
  out.writing = await db.writing.toArray();
  return out;
}

beforeAll(async () => {
  source = await freshDb('ws-source');
  const ids = new Map<string, string>();
  for (const name of readdirSync(NIGHT).filter((n) => n.endsWith('.fits')).sort()) {
    const out = await ingestOne(source, { name, path: '', bytes: new Uint8Array(readFileSync(path.join(NIGHT, name))) });
    expect(out.status).toBe('ok');
    ids.set(name, (await source.files.where('name').equals(name).first())!.id);
  }
  // The user's decisions: a retag, a skip pin, an exclusion, an overrule, a parameter and a preset.
  await retagFiles(source, [ids.get('raw0027.fits')!], { type: 'science', reason: 'set by you to science' });
  await putPin(source, { id: 'pin-dark-0021', step: 'dark', frameId: ids.get('raw0021.fits')!, skip: true });
  await excludeFrames(source, [ids.get('raw0026.fits')!], 'trailed');
  await overrule(source, [ids.get('raw0013.fits')!], 'checkFlatLevel');
  await putParams(source, { id: 'user', kind: 'user', name: 'your values', values: { reduceScience: { flagCosmicRays: { sigclip: 5 } } }, updatedAt: 0 });
  await putParams(source, { id: 'preset-faint', kind: 'preset', name: 'faint', values: { stackScience: { scaleToReference: { weight: 'none' } } }, active: false, updatedAt: 0 });
  const plan = buildPlan(await loadPlanInput(source));
  const keys = new Set(runsToDo(plan).map((r) => r.key));
  const { records, ids: runIds } = newRunRecords(plan, keys, 'batch-ws', 'session-ws');
  await source.runs.bulkPut(records);
  const result = await executePlan(plan, (spec) => runInDb(source, spec, { session: 'session-ws', memoryBytes: 64 * 2 ** 20 }), {
    concurrency: 1, only: keys, newRunId: (run) => runIds.get(run.key)!,
  });
  for (const o of result.outcomes.values()) expect(o.status).toBe('done');
  archive = await exportBytes(source);
}, 240_000);

afterAll(async () => {
  for (const db of dbs) { db.close(); await db.delete(); }
});

describe('workspace export and import', () => {
  it('gives an empty database every table equal, pixels byte for byte, and products the plan finds up to date', async () => {
    const target = await freshDb('ws-target');
    const summary = await importWorkspace(target, bytesSource(archive));
    const before = await dump(source);
    const after = await dump(target);
    for (const t of [...TABLES, 'strips', 'writing']) expect(after[t], t).toEqual(before[t]);
    expect((before.files as { type: string }[]).filter((f) => f.type === 'product')).toHaveLength(12);
    expect((before.runs as { log: unknown[] }[]).every((r) => r.log.length > 0)).toBe(true);
    expect(summary.added).toEqual({ ...Object.fromEntries(TABLES.map((t) => [t, before[t].length])), strips: before.strips.length });
    expect(summary.manifest.counts.strips).toBe(before.strips.length);
    const plan = buildPlan(await loadPlanInput(target));
    expect(plan.runs.length).toBeGreaterThan(0);
    expect(runsToDo(plan)).toEqual([]);
    // And its own export is the same archive but for the creation date.
    const again = await exportBytes(target);
    expect(again.length).toBe(archive.length);
  });

  it('knows the schema it writes (a new schema version must decide how older archives import)', () => {
    // Archives record db.verno; readWorkspaceArchive refuses any other. When this fails, a schema version was
    // added: convert (or accept) archives of the older schema in src/core/workspace/archive.ts, then update this.
    expect(source.verno).toBe(4);
    // Every table of the database is archived: its records in TABLES, pixels as strips; only `writing` is transient.
    expect(source.tables.map((t) => t.name).sort()).toEqual([...TABLES, 'strips', 'writing'].sort());
    expect(() => new TextDecoder().decode(archive.subarray(0, 40))).not.toThrow();
  });

  it('merges into a workspace that has some of it: nothing here is overwritten, nothing is duplicated', async () => {
    const before = await dump(source);
    const same = await importWorkspace(source, bytesSource(archive));
    expect(Object.values(same.added).every((n) => n === 0)).toBe(true);
    expect(await dump(source)).toEqual(before);

    const partial = await freshDb('ws-partial');
    const raw = readdirSync(NIGHT).filter((n) => n.endsWith('.fits')).sort()[0];
    await ingestOne(partial, { name: raw, path: '', bytes: new Uint8Array(readFileSync(path.join(NIGHT, raw))) });
    const mine = (await partial.files.toArray())[0];
    await retagFiles(partial, [mine.id], { type: 'dark', reason: 'set by you to dark' });
    await putParams(partial, { id: 'user', kind: 'user', name: 'mine', values: { reduceScience: { flagCosmicRays: { sigclip: 7 } } }, updatedAt: 0 });
    // A file that could not be read here (an error record) gives way to the archive's readable copy.
    const other = (await source.files.where('name').equals('raw0002.fits').first())!;
    await partial.files.put({ ...other, status: 'error', message: 'raw0002.fits: could not be read', imageHdu: -1 });
    const s = await importWorkspace(partial, bytesSource(archive));
    expect((await partial.files.get(other.id))!).toEqual(other);
    expect(s.kept.files).toBe(1);
    expect(s.kept.params).toBe(1);
    expect((await partial.files.get(mine.id))!.type).toBe('dark');
    expect((await partial.params.get('user'))!.values).toEqual({ reduceScience: { flagCosmicRays: { sigclip: 7 } } });
    expect(await partial.files.count()).toBe(before.files.length);
    expect(await partial.strips.count()).toBe(before.strips.length);
  });

  it('brings a run the export caught running in as interrupted (it runs nowhere here)', async () => {
    const busy = await freshDb('ws-busy');
    const run = (await source.runs.toArray())[0];
    await busy.runs.put({ ...run, id: 'run-caught', status: 'running', step: 'flagCosmicRays', heartbeat: 1234 });
    const target = await freshDb('ws-busy-target');
    await importWorkspace(target, bytesSource(await exportBytes(busy)));
    expect(await target.runs.get('run-caught')).toEqual({ ...run, id: 'run-caught', step: 'flagCosmicRays', heartbeat: 1234, status: 'interrupted', endedAt: 1234, error: 'interrupted: the workspace was exported while it was running' });
  });

  const entries = (bytes: Uint8Array) => {
    const out: { path: string; offset: number; size: number; header: number }[] = [];
    for (let at = 0; ;) {
      const e = parseTarHeader(bytes.subarray(at, at + BLOCK), at, bytes.length);
      if (!e) return out;
      out.push({ path: e.path, offset: e.offset, size: e.size, header: at });
      at = e.next;
    }
  };

  const bad: [string, () => Uint8Array, RegExp][] = [
    ['a random ZIP', () => zipSync({ 'manifest.json': new TextEncoder().encode('{"format":"ccd-workbench-workspace","version":1}') }), /not a CCD Workbench workspace archive \(it looks like a ZIP archive\)/],
    ['a truncated archive', () => archive.slice(0, Math.floor(archive.length * 0.6)), /truncated/],
    ['a manifest of another format', () => {
      const list = entries(archive);
      const m = list.at(-1)!;
      const text = new TextDecoder().decode(archive.subarray(m.offset, m.offset + m.size)).replace('"format":"ccd-workbench-workspace"', '"format":"ccd-workbench-workspacf"');
      const bytes = archive.slice();
      bytes.set(new TextEncoder().encode(text), m.offset);
      return bytes;
    }, /the manifest says it is a "ccd-workbench-workspacf" archive, not a CCD Workbench workspace/],
    ['a damaged strip', () => {
      const strip = entries(archive).filter((e) => e.path.startsWith('pixels/'))[40];
      const bytes = archive.slice();
      bytes[strip.offset + strip.size - 1] ^= 0x80;
      return bytes;
    }, /"pixels\/[^"]+" is damaged: its SHA-256 differs from the manifest's/],
  ];

  it.each(bad)('refuses %s whole, with its reason, and a non-empty workspace stays as it was', async (_label, make, message) => {
    const before = await dump(source);
    await expect(importWorkspace(source, bytesSource(make()))).rejects.toThrow(message);
    await expect(importWorkspace(source, bytesSource(make()))).rejects.toBeInstanceOf(WorkspaceArchiveError);
    expect(await dump(source)).toEqual(before);
  });

  it('takes back the strips it wrote when the archive changes under it half-way, leaving an empty workspace empty', async () => {
    const target = await freshDb('ws-changing');
    // Once some strips are written, the file's bytes come back different (a file modified on disk).
    let changed = false;
    const inner = bytesSource(archive);
    const late: ByteSource = { size: inner.size, read: async (o, l) => { const b = await inner.read(o, l); return changed ? b.map((x) => x ^ 1) : b; } };
    const onProgress = (p: { phase: string; done: number }) => { if (p.phase === 'writing' && p.done >= 16) changed = true; };
    await expect(importWorkspace(target, late, { onProgress })).rejects.toThrow(/changed while it was being imported/);
    expect(await target.strips.count()).toBe(0);
    expect(await target.writing.count()).toBe(0);
    for (const t of TABLES) expect(await target.table(t).count(), t).toBe(0);
  });
});
