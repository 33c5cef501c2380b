/**
 * Combining stored frames without loading them: the frames are read from
 * IndexedDB strip by strip, combined, and the result written back strip by
 * strip as a product (SCI, VAR, DQ). Memory is bounded by `memoryBytes`
 * (DRAGONS' `memory`, ccdproc's `mem_limit`) whatever the number and size of
 * the frames. Runs in the kernels worker; tested in Node on fake-indexeddb.
 */
import type { Card } from '../src/core/fits/types';
import type { CombineInput, CombineOptions, CombineResult } from '../src/core/kernels/combine';
import { RESERVE_BYTES, combineStreamed, type CancelToken } from '../src/core/kernels/combineStream';
import { readPlaneRows, stripRowsFor } from '../src/db/files';
import { discardProduct, markWriting, newProductId, publishProduct, writeProductStrips } from '../src/db/products';
import type { WorkbenchDb } from '../src/db/schema';
import type { FileRecord, HduSummary } from '../src/db/types';

export interface CombineStoredRequest {
  fileIds: string[];
  options: CombineOptions;
  /** Memory budget for the strips of all frames plus the output strip, bytes. */
  memoryBytes: number;
  /** Product file name; default `<first input>_stack.fits`. */
  name?: string;
}

export interface CombineStoredResult {
  id: string;
  name: string;
  /** Rows per stored product strip. */
  stripRows: number;
  /** Product strips written per plane. */
  strips: number;
}

/** HDU numbers of a product, as in the MEF written on export. */
export const PRODUCT_HDU = { sci: 1, var: 2, dq: 3 } as const;

function planesOf(f: FileRecord): { sci: number; var?: number; dq?: number } {
  const byName = (n: string) => f.hdus.find((h) => h.extname.toUpperCase() === n)?.index;
  return { sci: f.imageHdu, var: byName('VAR'), dq: byName('DQ') };
}

/**
 * Collects combined rows (in whatever strips the combine produced) into
 * product strips of `stripRows` rows, writing each SCI/VAR/DQ band once it
 * is complete, and refreshing the run's heartbeat as it goes.
 */
class ProductStripWriter {
  written = 0;
  /**
   * What this writer holds: one product strip of SCI, VAR and DQ. The copy of
   * a short last strip is made after the combine is done with its strips.
   */
  readonly bufferBytes: number;
  private sci: Float32Array;
  private var: Float32Array;
  private dq: Uint16Array;
  private y0 = 0;
  private filled = 0;

  constructor(
    private db: WorkbenchDb,
    private id: string,
    private name: string,
    private width: number,
    private height: number,
    private stripRows: number,
  ) {
    const n = stripRows * width;
    this.sci = new Float32Array(n);
    this.var = new Float32Array(n);
    this.dq = new Uint16Array(n);
    this.bufferBytes = n * (4 + 4 + 2);
  }

  async add(y0: number, y1: number, r: CombineResult): Promise<void> {
    const w = this.width;
    for (let y = y0; y < y1; ) {
      const take = Math.min(y1 - y, this.stripRows - this.filled);
      const from = (y - y0) * w;
      const to = from + take * w;
      this.sci.set(r.sci.subarray(from, to), this.filled * w);
      this.var.set(r.var.subarray(from, to), this.filled * w);
      this.dq.set(r.dq.subarray(from, to), this.filled * w);
      this.filled += take;
      y += take;
      if (this.filled === this.stripRows) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (!this.filled) return;
    const { db, id, name, width: w } = this;
    const index = this.y0 / this.stripRows;
    const y1 = this.y0 + this.filled;
    const n = this.filled * w;
    const strip = { index, y0: this.y0, y1 };
    // A copy only for a short last strip (a view would store the whole buffer), one plane at a time.
    const rows = <T extends Float32Array | Uint16Array>(a: T): T => (n === a.length ? a : (a.slice(0, n) as T));
    await writeProductStrips(db, id, PRODUCT_HDU.sci, [{ ...strip, data: rows(this.sci) }], name);
    await writeProductStrips(db, id, PRODUCT_HDU.var, [{ ...strip, data: rows(this.var) }], name);
    await writeProductStrips(db, id, PRODUCT_HDU.dq, [{ ...strip, data: rows(this.dq) }], name);
    await markWriting(db, id, name);
    this.written++;
    this.y0 = y1;
    this.filled = 0;
    if (y1 > this.height) throw new Error(`${name}: more rows than the frames have`);
  }
}

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

/** Least common multiple: the strip height that is whole bands of frames stored in bands of a and of b rows. */
function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

async function loadInputs(db: WorkbenchDb, ids: string[]): Promise<FileRecord[]> {
  if (!ids.length) throw new Error('combine: no frames given');
  const files = await db.files.bulkGet(ids);
  files.forEach((f, i) => {
    if (!f) throw new Error(`combine: file ${ids[i]} is not in the library`);
    if (f.status !== 'ok' || f.imageHdu < 0) throw new Error(`combine: ${f.name} has no readable image`);
  });
  const recs = files as FileRecord[];
  const { width, height } = recs[0];
  for (const f of recs) {
    if (f.width !== width || f.height !== height) {
      throw new Error(`combine: ${f.name} is ${f.width}x${f.height}, ${recs[0].name} is ${width}x${height}`);
    }
  }
  const withVar = recs.map((f) => planesOf(f).var !== undefined);
  if (withVar.some((v) => v !== withVar[0])) throw new Error('combine: some frames have a VAR plane and some do not');
  return recs;
}

function productCards(inputs: FileRecord[], primary: Card[], opts: CombineOptions): Card[] {
  const structural = /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|BZERO|BSCALE|BLANK|NCOMBINE|IMCMB\d{3}|CHECKSUM|DATASUM)$/;
  const cards = primary.filter((c) => !structural.test(c.key));
  cards.push({ key: 'NCOMBINE', value: inputs.length, comment: 'number of frames combined' });
  inputs.slice(0, 999).forEach((f, i) => cards.push({ key: `IMCMB${String(i + 1).padStart(3, '0')}`, value: f.name }));
  const params = Object.entries(opts)
    .filter(([k]) => k !== 'scale' && k !== 'zero')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  cards.push({ key: 'HISTORY', value: `combine: ${params}` });
  cards.push({ key: 'COMBDATE', value: new Date().toISOString().slice(0, 19), comment: 'UTC time of the combine' });
  return cards;
}

export async function combineStored(
  db: WorkbenchDb,
  req: CombineStoredRequest,
  progress?: (done: number, total: number) => void,
  cancel?: CancelToken,
): Promise<CombineStoredResult> {
  const inputs = await loadInputs(db, req.fileIds);
  const { width, height } = inputs[0];
  const planes = inputs.map(planesOf);
  const hasVar = planes[0].var !== undefined;
  const hasDq = planes.some((p) => p.dq !== undefined);
  const id = newProductId();
  const name = req.name ?? `${inputs[0].name.replace(/(\.(fits|fit|fts))?(\.gz|\.fz)?$/i, '')}_stack.fits`;
  // Product strips have the library's usual height whatever the combine's strip height.
  const stripRows = Math.min(height, stripRowsFor(width));
  const out = new ProductStripWriter(db, id, name, width, height, stripRows);

  const source = {
    nFrames: inputs.length,
    width,
    height,
    // The planes returned, and the stored records they were copied from for one frame more: the last
    // read's records are still held by its IndexedDB request when the combine starts (measured in
    // test/combineBudget.test.ts), the earlier ones are garbage by then.
    bytesPerPixelPerFrame: ((4 + (hasVar ? 4 : 0) + (hasDq ? 2 : 0)) * (inputs.length + 1)) / inputs.length,
    // Every frame's bands read whole, once: strips are whole bands of all of them.
    alignRows: inputs.map((f) => f.stripRows).reduce(lcm),
    reserveBytes: RESERVE_BYTES,
    async readStrip(k: number, y0: number, y1: number): Promise<CombineInput> {
      const f = inputs[k];
      const p = planes[k];
      const n = (y1 - y0) * width;
      return {
        sci: await readPlaneRows(db, f, p.sci, 0, y0, y1, new Float32Array(n)),
        var: p.var !== undefined ? await readPlaneRows(db, f, p.var, 0, y0, y1, new Float32Array(n)) : undefined,
        dq: p.dq !== undefined ? await readPlaneRows(db, f, p.dq, 0, y0, y1, new Uint16Array(n)) : undefined,
      };
    },
  };
  const sink = { bufferBytes: out.bufferBytes, writeStrip: (y0: number, y1: number, r: CombineResult) => out.add(y0, y1, r) };

  try {
    await markWriting(db, id, name);
    await combineStreamed(source, { ...req.options, memoryBytes: req.memoryBytes }, sink, progress, cancel);
    await out.flush();
    const firstHeaders = await db.headers.get(inputs[0].id);
    const primary = productCards(inputs, firstHeaders?.hdus[0]?.cards ?? [], req.options);
    const hdus: HduSummary[] = [
      { index: 0, xtension: 'PRIMARY', extname: 'PRIMARY', bitpix: 8, naxis: [], isImage: false },
      { index: 1, xtension: 'IMAGE', extname: 'SCI', bitpix: -32, naxis: [width, height], isImage: true },
      { index: 2, xtension: 'IMAGE', extname: 'VAR', bitpix: -32, naxis: [width, height], isImage: true },
      { index: 3, xtension: 'IMAGE', extname: 'DQ', bitpix: 16, naxis: [width, height], isImage: true },
    ];
    await publishProduct(
      db,
      {
        ...inputs[0],
        id,
        name,
        path: 'products',
        size: width * height * 10,
        addedAt: Date.now(),
        status: 'ok',
        message: `combined from ${inputs.length} frames`,
        hdus,
        imageHdu: PRODUCT_HDU.sci,
        depth: 1,
        stripRows,
        auto: { type: inputs[0].type === 'product' ? 'unclassified' : (inputs[0].user ?? inputs[0].auto).type, reason: `combine of ${inputs.length} frames` },
        user: undefined,
        type: 'product',
        stats: undefined,
      },
      {
        fileId: id,
        hdus: [
          { index: 0, extname: 'PRIMARY', cards: primary },
          { index: 1, extname: 'SCI', cards: [{ key: 'EXTNAME', value: 'SCI' }] },
          { index: 2, extname: 'VAR', cards: [{ key: 'EXTNAME', value: 'VAR' }] },
          { index: 3, extname: 'DQ', cards: [{ key: 'EXTNAME', value: 'DQ' }] },
        ],
      },
    );
    return { id, name, stripRows, strips: out.written };
  } catch (err) {
    await discardProduct(db, id);
    throw err;
  }
}
