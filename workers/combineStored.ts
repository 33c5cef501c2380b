/**
 * Combining stored frames without loading them: the frames are read from
 * IndexedDB strip by strip, combined, and the result written back strip by
 * strip as a product (SCI, VAR, DQ). Memory is bounded by `memoryBytes`
 * (DRAGONS' `memory`, ccdproc's `mem_limit`) whatever the number and size of
 * the frames. Runs in the kernels worker; tested in Node on fake-indexeddb.
 */
import type { Card } from '../src/core/fits/types';
import type { CombineInput, CombineOptions } from '../src/core/kernels/combine';
import { combineStreamed, type CancelToken } from '../src/core/kernels/combineStream';
import { readPlaneRows } from '../src/db/files';
import { discardProduct, newProductId, publishProduct, writeProductStrip } from '../src/db/products';
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
  stripRows: number;
  strips: number;
}

/** HDU numbers of a product, as in the MEF written on export. */
export const PRODUCT_HDU = { sci: 1, var: 2, dq: 3 } as const;

function planesOf(f: FileRecord): { sci: number; var?: number; dq?: number } {
  const byName = (n: string) => f.hdus.find((h) => h.extname.toUpperCase() === n)?.index;
  return { sci: f.imageHdu, var: byName('VAR'), dq: byName('DQ') };
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
  const name = req.name ?? `${inputs[0].name.replace(/\.(fits|fit|fts)(\.gz|\.fz)?$/i, '')}_stack.fits`;
  let stripRows = 0;
  let strips = 0;

  const source = {
    nFrames: inputs.length,
    width,
    height,
    bytesPerPixelPerFrame: 4 + (hasVar ? 4 : 0) + (hasDq ? 2 : 0),
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
  const sink = {
    async writeStrip(y0: number, y1: number, r: { sci: Float32Array; var: Float32Array; dq: Uint16Array }) {
      if (!stripRows) stripRows = y1 - y0;
      const index = y0 / stripRows;
      await writeProductStrip(db, id, PRODUCT_HDU.sci, index, y0, y1, r.sci, name);
      await writeProductStrip(db, id, PRODUCT_HDU.var, index, y0, y1, r.var, name);
      await writeProductStrip(db, id, PRODUCT_HDU.dq, index, y0, y1, r.dq, name);
      strips++;
    },
  };

  try {
    await combineStreamed(source, { ...req.options, memoryBytes: req.memoryBytes }, sink, progress, cancel);
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
    return { id, name, stripRows, strips };
  } catch (err) {
    await discardProduct(db, id);
    throw err;
  }
}
