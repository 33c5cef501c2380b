/**
 * Writing and reading a workspace archive (see ./format.ts for its entries).
 *
 * Memory: the writer holds one table part (PART_BYTES, ~4 MB of JSON lines)
 * and hands every other entry (a strip, ~1 MB) straight to the sink. The
 * reader holds one entry at a time while it hashes it, plus the records of the
 * tables (the listing, headers, runs with their logs, the user's settings: the
 * importer writes them in one transaction, so it needs them whole; tens of MB
 * for a thousand files), plus one small reference per strip, never the pixels.
 */
import { BLOCK, TarError, padding, parseTarHeader, sniff, tarEnd, tarHeader } from './tar';
import {
  BYTES_PER, FORMAT, FORMAT_ENTRY, FORMAT_VERSION, MANIFEST_ENTRY, TABLES, WorkspaceArchiveError, decodeRecord, dtypeOf,
  encodeRecord, parseStripName, parseTablePartName, tablePartName, sha256Hex, stripBytes, stripFromBytes, stripName,
  type FormatEntry, type Manifest, type ManifestEntry, type StripData, type StripKey, type TableName,
} from './format';
import { checkRecord, recordKey } from './records';

/** A table part is flushed once its JSON lines pass this size. */
export const PART_BYTES = 4 * 2 ** 20;
/** No entry of ours comes near this; a header claiming more is refused before anything is allocated. */
export const MAX_ENTRY_BYTES = 512 * 2 ** 20;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Where the archive's bytes go, in order (a Blob being built, a file, a test buffer). */
export type ArchiveSink = (chunk: Uint8Array) => Promise<void> | void;

/** Random access to the archive's bytes (a File in the browser, a Buffer in tests). */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface StripRecordLike extends Omit<StripKey, 'dtype'> {
  data: StripData;
}

export class WorkspaceArchiveWriter {
  private entries: ManifestEntry[] = [];
  private counts: Manifest['counts'] = { files: 0, headers: 0, runs: 0, pins: 0, exclusions: 0, params: 0, overrules: 0, strips: 0, pixelBytes: 0 };
  private mtime: number;
  /** Bytes handed to the sink so far. */
  bytes = 0;

  constructor(private readonly sink: ArchiveSink, private readonly info: { schemaVersion: number; created: Date }) {
    this.mtime = Math.floor(info.created.getTime() / 1000);
  }

  private async entry(name: string, data: Uint8Array): Promise<void> {
    this.entries.push({ name, size: data.length, sha256: await sha256Hex(data) });
    await this.sink(tarHeader(name, data.length, this.mtime));
    await this.sink(data);
    const pad = padding(data.length);
    if (pad) await this.sink(new Uint8Array(pad));
    this.bytes += BLOCK + data.length + pad;
  }

  async start(): Promise<void> {
    const head: FormatEntry = { format: FORMAT, version: FORMAT_VERSION };
    await this.entry(FORMAT_ENTRY, enc.encode(JSON.stringify(head)));
  }

  /** Every record of one table, in parts of about PART_BYTES. */
  async table(table: TableName, records: Iterable<unknown>): Promise<void> {
    let part = 0;
    let lines: string[] = [];
    let size = 0;
    const flush = async () => {
      await this.entry(tablePartName(table, part++), enc.encode(lines.join('\n') + '\n'));
      lines = [];
      size = 0;
    };
    for (const r of records) {
      const line = encodeRecord(r, table);
      lines.push(line);
      size += line.length + 1;
      this.counts[table]++;
      if (size >= PART_BYTES) await flush();
    }
    if (lines.length) await flush();
  }

  async strip(s: StripRecordLike): Promise<void> {
    const dtype = dtypeOf(s.data);
    if (s.data.length === 0) throw new WorkspaceArchiveError(`an empty pixel strip of ${s.fileId}`);
    await this.entry(stripName({ ...s, dtype }), stripBytes(s.data));
    this.counts.strips++;
    this.counts.pixelBytes += s.data.byteLength;
  }

  /** The manifest (sizes and hashes of everything before it) and the end of the tar. */
  async finish(): Promise<Manifest> {
    const manifest: Manifest = {
      format: FORMAT, version: FORMAT_VERSION, schemaVersion: this.info.schemaVersion, created: this.info.created.toISOString(),
      counts: this.counts, entries: this.entries,
    };
    await this.entry(MANIFEST_ENTRY, enc.encode(JSON.stringify(manifest)));
    await this.sink(tarEnd());
    this.bytes += 2 * BLOCK;
    return manifest;
  }
}

// ---------------------------------------------------------------- reading

/** A strip found in the archive: where its bytes are, and what they must hash to. */
export interface StripRef extends StripKey {
  offset: number;
  size: number;
  sha256: string;
}

export interface ValidArchive {
  manifest: Manifest;
  tables: Record<TableName, Record<string, unknown>[]>;
  strips: StripRef[];
}

export interface ReadProgress {
  bytes: number;
  total: number;
}

const fail = (msg: string): never => { throw new WorkspaceArchiveError(msg); };

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch {
    return fail(`${what} is not valid JSON`);
  }
}

function checkFormat(head: unknown, what: string): void {
  const h = head as Partial<FormatEntry> | null;
  if (!h || typeof h !== 'object' || h.format !== FORMAT) {
    fail(`${what} says it is ${typeof h?.format === 'string' ? `a "${h.format.slice(0, 60)}" archive` : 'no known format'}, not a CCD Workbench workspace ("${FORMAT}")`);
  }
  if (h!.version !== FORMAT_VERSION) {
    fail(typeof h!.version === 'number' && h!.version > FORMAT_VERSION
      ? `it is a workspace archive of format version ${h!.version}, made by a newer workbench; this one reads version ${FORMAT_VERSION}`
      : `it is a workspace archive of an unknown format version (${JSON.stringify(h!.version)})`);
  }
}

/**
 * Reads the whole archive and checks everything an import needs, writing
 * nothing: the container, the format, the manifest (every entry present, in
 * order, with its size and SHA-256, nothing extra), the schema version, every
 * record's shape and key (no duplicates), and every strip against its file
 * (shape, type, rows covering each plane exactly). Throws
 * WorkspaceArchiveError naming the first problem.
 */
export async function readWorkspaceArchive(
  source: ByteSource, schemaVersion: number, onProgress?: (p: ReadProgress) => void,
): Promise<ValidArchive> {
  if (source.size === 0) fail('the file is empty');
  const head = await source.read(0, Math.min(BLOCK, source.size));
  const seen: ManifestEntry[] = [];
  const tables = Object.fromEntries(TABLES.map((t) => [t, []])) as unknown as Record<TableName, Record<string, unknown>[]>;
  const keys = Object.fromEntries(TABLES.map((t) => [t, new Set<string>()])) as Record<TableName, Set<string>>;
  const strips: StripRef[] = [];
  const stripNames = new Set<string>();
  let manifest: Manifest | undefined;
  let at = 0;
  let first = true;
  try {
    for (;;) {
      if (at + BLOCK > source.size) {
        if (first && !new TextDecoder('latin1').decode(head).startsWith(FORMAT_ENTRY)) throw new TarError(`the file is only ${source.size} bytes`);
        fail(at === source.size ? 'the archive is truncated: it ends without its end-of-archive blocks' : `the archive is truncated (at byte ${at} of ${source.size})`);
      }
      const entry = parseTarHeader(await source.read(at, BLOCK), at, source.size);
      if (!entry) {
        // The end is two zero blocks; a copy cut inside them is cut short too.
        const second = at + 2 * BLOCK <= source.size ? await source.read(at + BLOCK, BLOCK) : undefined;
        if (!second || second.some((b) => b !== 0)) fail('the archive is truncated: its end-of-archive blocks are cut short');
        break;
      }
      if (manifest) fail(`"${entry.path}" follows the manifest, which must be the last entry`);
      if (entry.size > MAX_ENTRY_BYTES) fail(`the entry "${entry.path}" claims ${entry.size} bytes, more than any workspace entry`);
      if (first && entry.path !== FORMAT_ENTRY) fail(`its first entry is "${entry.path.slice(0, 100)}", not "${FORMAT_ENTRY}": this tar is not a CCD Workbench workspace`);
      const data = await source.read(entry.offset, entry.size);
      const sha256 = await sha256Hex(data);
      if (first) {
        checkFormat(parseJson(data, `"${FORMAT_ENTRY}"`), `"${FORMAT_ENTRY}"`);
        first = false;
      } else if (entry.path === MANIFEST_ENTRY) {
        manifest = parseJson(data, 'the manifest') as Manifest;
      } else {
        const table = parseTablePartName(entry.path);
        const strip = table ? undefined : parseStripName(entry.path);
        if (table) {
          const text = (() => { try { return dec.decode(data); } catch { return fail(`"${entry.path}" is not UTF-8 text`); } })();
          const lines = text.split('\n');
          if (lines.pop() !== '') fail(`"${entry.path}" does not end with a line break (cut short?)`);
          lines.forEach((line, i) => {
            let rec: unknown;
            try { rec = decodeRecord(line); } catch (err) { fail(`${entry.path} line ${i + 1}: ${err instanceof WorkspaceArchiveError ? err.message : 'not valid JSON'}`); }
            const problem = checkRecord(table, rec);
            if (problem) fail(`${entry.path} line ${i + 1}: a ${table} record where ${problem}`);
            const key = recordKey(table, rec as Record<string, unknown>);
            if (keys[table].has(key)) fail(`${entry.path} line ${i + 1}: a second ${table} record with key "${key}"`);
            keys[table].add(key);
            tables[table].push(rec as Record<string, unknown>);
          });
        } else if (strip) {
          if (stripNames.has(entry.path)) fail(`the strip "${entry.path}" appears twice`);
          stripNames.add(entry.path);
          strips.push({ ...strip, offset: entry.offset, size: entry.size, sha256 });
        } else {
          fail(`an entry this format does not have: "${entry.path.slice(0, 120)}"`);
        }
      }
      seen.push({ name: entry.path, size: entry.size, sha256 });
      at = entry.next;
      onProgress?.({ bytes: at, total: source.size });
    }
  } catch (err) {
    if (err instanceof TarError) {
      if (first) {
        const kind = sniff(head);
        // What it looks like says enough; the tar reader's complaint would only puzzle.
        fail(kind ? `it is not a CCD Workbench workspace archive (it looks like ${kind})` : `it is not a CCD Workbench workspace archive: ${err.message}`);
      }
      fail(err.message);
    }
    throw err;
  }
  if (first) fail('it is an empty tar archive, not a CCD Workbench workspace');
  if (!manifest) fail('the archive is truncated: its manifest (the last entry) is missing');
  checkManifest(manifest!, seen.slice(0, -1), schemaVersion);
  checkStrips(tables, strips);
  for (const t of TABLES) if (manifest!.counts[t] !== tables[t].length) fail(`the manifest counts ${manifest!.counts[t]} ${t} records, the archive holds ${tables[t].length}`);
  if (manifest!.counts.strips !== strips.length) fail(`the manifest counts ${manifest!.counts.strips} pixel strips, the archive holds ${strips.length}`);
  return { manifest: manifest!, tables, strips };
}

function checkManifest(m: Manifest, seen: ManifestEntry[], schemaVersion: number): void {
  checkFormat(m, 'the manifest');
  if (!Number.isInteger(m.schemaVersion)) fail('the manifest has no schema version');
  // Archives exist from schema 4 on. A later schema must convert older archives' records here before accepting them.
  if (m.schemaVersion > schemaVersion) fail(`it was written by a newer workbench (database schema ${m.schemaVersion}); this one knows schema ${schemaVersion}`);
  if (m.schemaVersion !== schemaVersion) fail(`it holds records of database schema ${m.schemaVersion}, which this workbench (schema ${schemaVersion}) cannot convert`);
  if (typeof m.created !== 'string' || Number.isNaN(Date.parse(m.created))) fail('the manifest has no valid creation date');
  if (!m.counts || typeof m.counts !== 'object') fail('the manifest has no counts');
  if (!Array.isArray(m.entries)) fail('the manifest lists no entries');
  const n = Math.max(seen.length, m.entries.length);
  for (let i = 0; i < n; i++) {
    const s = seen[i];
    const e = m.entries[i] as ManifestEntry | undefined;
    if (!e) fail(`"${s.name}" is in the archive but not in its manifest`);
    if (!s) fail(`the archive is missing "${e!.name}", which its manifest lists`);
    if (e!.name !== s.name) fail(`the archive holds "${s.name}" where its manifest lists "${e!.name}"`);
    if (e!.size !== s.size) fail(`"${s.name}" is ${s.size} bytes, its manifest says ${e!.size}`);
    if (e!.sha256 !== s.sha256) fail(`"${s.name}" is damaged: its SHA-256 differs from the manifest's`);
  }
}

/** Every strip belongs to an archived file with pixels, has its shape, and the strips of each plane cover its rows once. */
function checkStrips(tables: ValidArchive['tables'], strips: StripRef[]): void {
  const files = new Map(tables.files.map((f) => [f.id as string, f]));
  for (const h of tables.headers) if (!files.has(h.fileId as string)) fail(`headers of a file the archive does not list (${h.fileId})`);
  const planes = new Map<string, StripRef[]>();
  for (const s of strips) {
    const f = files.get(s.fileId);
    if (!f) fail(`pixels of a file the archive does not list (${s.fileId})`);
    const width = f!.width as number;
    if (s.size !== (s.y1 - s.y0) * width * BYTES_PER[s.dtype]) fail(`the strip "${stripName(s)}" of ${f!.name} holds ${s.size} bytes, not ${s.y1 - s.y0} rows of ${width} ${s.dtype} values`);
    if (s.y1 > (f!.height as number)) fail(`the strip "${stripName(s)}" of ${f!.name} passes its last row (${f!.height})`);
    if (s.plane >= Math.max(1, f!.depth as number)) fail(`the strip "${stripName(s)}" of ${f!.name} is of a plane it does not have`);
    if (!(f!.hdus as { index: number }[]).some((h) => h.index === s.hdu)) fail(`the strip "${stripName(s)}" of ${f!.name} is of an HDU it does not have`);
    const k = `${s.fileId}|${s.hdu}|${s.plane}`;
    (planes.get(k) ?? planes.set(k, []).get(k)!).push(s);
  }
  for (const f of files.values()) {
    if (f.status !== 'ok' || f.imageHdu === -1) continue;
    for (let plane = 0; plane < Math.max(1, f.depth as number); plane++) {
      if (!planes.has(`${f.id}|${f.imageHdu}|${plane}`)) fail(`the pixels of ${f.name} (plane ${plane}) are missing`);
    }
  }
  for (const list of planes.values()) {
    list.sort((a, b) => a.y0 - b.y0);
    const f = files.get(list[0].fileId)!;
    let y = 0;
    for (const s of list) {
      if (s.y0 !== y) fail(`the pixels of ${f.name} (HDU ${s.hdu}, plane ${s.plane}) ${s.y0 < y ? 'overlap' : 'have a gap'} at row ${Math.min(y, s.y0)}`);
      y = s.y1;
    }
    if (y !== f.height) fail(`the pixels of ${f.name} (HDU ${list[0].hdu}, plane ${list[0].plane}) stop at row ${y} of ${f.height}`);
  }
}

/** One strip's values, read again and checked against the hash the first pass found and the manifest holds. */
export async function readStrip(source: ByteSource, ref: StripRef): Promise<StripData> {
  const bytes = await source.read(ref.offset, ref.size);
  if (bytes.length !== ref.size || (await sha256Hex(bytes)) !== ref.sha256) {
    throw new WorkspaceArchiveError(`"${stripName(ref)}" changed while it was being imported (the archive file was modified?)`);
  }
  return stripFromBytes(bytes, ref.dtype);
}

/** A ByteSource over bytes in memory (tests, small archives). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}
