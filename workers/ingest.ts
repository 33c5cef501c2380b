/**
 * Turning one file's bytes into stored records: hash, parse, decode, classify,
 * measure, store. Runs inside the ingest worker (and in Node tests against
 * fake-indexeddb). Every failure becomes an error record naming the file and
 * the problem; a failure never touches what is already stored.
 */
import { parseFits, readImage, type FitsFile, type ImagePixels } from '../src/core/fits';
import { adcLimit } from '../src/core/pipeline/astroFrame';
import { pileUpMaximum } from '../src/core/kernels/pileUp';
import { classifyFrame, extractDescriptors } from '../src/core/classify';
import { frameStats } from '../src/core/kernels/stats';
import { trimArray } from '../src/core/kernels/section';
import { dataSectionBounds, sectionLevels } from '../src/core/kernels/sectionLevels';
import { LATTICES } from '../src/core/kernels/lattice';
import { cfaPattern, latticeColours, rowsTopDown } from '../src/core/pipeline/primitives/cfa';
import type { PartLevel } from '../src/core/pipeline/flatLevel';
import { defaultRawCopies, type RawCopies } from '../src/db/rawCopies';
import { StorageFullError } from '../src/db/errors';
import { findFile, storeFile, stripRowsFor, toStrips, type StoreOutcome } from '../src/db/files';
import { defaultStripStaging, type StripStaging } from '../src/db/stripStaging';
import type { WorkbenchDb } from '../src/db/schema';
import type { FileRecord, HduSummary, HeaderRecord, StripRecord } from '../src/db/types';
import { ScratchPool, give } from '../src/core/kernels/scratch';

export interface IngestItem {
  name: string;
  /** Folder path inside a dropped directory ('' for loose files). */
  path: string;
  bytes: Uint8Array;
}

export interface IngestOutcome {
  id: string;
  name: string;
  size: number;
  status: 'ok' | 'error';
  /** What happened to the database. `failed` means nothing was written (e.g. storage full). */
  stored: StoreOutcome | 'failed';
  message: string;
  type: string;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** First HDU with a 2-D (or deeper) image: where raw CCD frames keep their pixels, primary or extension. */
function pickImageHdu(parsed: FitsFile): number {
  return parsed.hdus.findIndex((h) => h.isImage && h.naxis.length >= 2 && h.naxis.every((n) => n > 0));
}

/** The listing keeps HDU shapes only; cards go to the headers table. */
function summarize(parsed: FitsFile): HduSummary[] {
  return parsed.hdus.map(({ index, xtension, extname, bitpix, naxis, isImage, compressed }) => ({
    index, xtension, extname, bitpix, naxis, isImage, compressed,
  }));
}

export function errorRecord(id: string, item: IngestItem, message: string): FileRecord {
  return {
    id,
    name: item.name,
    path: item.path,
    size: item.bytes.byteLength,
    addedAt: Date.now(),
    status: 'error',
    message,
    hdus: [],
    imageHdu: -1,
    width: 0,
    height: 0,
    depth: 0,
    stripRows: 0,
    descriptors: { sources: {}, sourceHdu: {} },
    auto: { type: 'unclassified', reason: 'file could not be read' },
    type: 'unclassified',
  };
}

/**
 * The arrays of a file's strips, kept from one file to the next: a 2k raw
 * frame's are 8 MB of new memory otherwise, which costs 50-100 ms where fresh
 * memory is dear (src/core/kernels/scratch.ts). A pool of their own, as the
 * strips are smaller than the realm pool's least size.
 */
const stripPool = new ScratchPool(32 * 2 ** 20, 64 * 1024);

/** Parses and measures a file without storing it. Throws FitsError (names file and problem) on bad input. */
export function analyse(id: string, item: IngestItem): { record: FileRecord; headers: HeaderRecord; strips: StripRecord[] } {
  const parsed = parseFits(item.bytes, item.name);
  const imageHdu = pickImageHdu(parsed);
  const primary = parsed.hdus[0].cards;
  const imageCards = imageHdu > 0 ? parsed.hdus[imageHdu].cards : undefined;
  const descriptors = extractDescriptors(primary, imageCards);
  const auto = classifyFrame(primary, imageCards);
  const headers: HeaderRecord = {
    fileId: id,
    hdus: parsed.hdus.map((h) => ({ index: h.index, extname: h.extname, cards: h.cards })),
  };
  const base = {
    id,
    name: item.name,
    path: item.path,
    size: item.bytes.byteLength,
    addedAt: Date.now(),
    status: 'ok' as const,
    hdus: summarize(parsed),
    imageHdu,
    descriptors,
    auto,
    type: auto.type,
  };
  if (imageHdu < 0) {
    return {
      record: { ...base, message: ['no image data in this file (headers only)', ...parsed.warnings.map((w) => `warning: ${w}`)].join('; '), width: 0, height: 0, depth: 0, stripRows: 0 },
      headers,
      strips: [],
    };
  }
  const pixels = readImage(parsed, item.bytes, imageHdu);
  const { width, height, depth, data } = pixels;
  const stripRows = stripRowsFor(width);
  const planeSize = width * height;
  const strips: StripRecord[] = [];
  // Damage read past (a file cut inside padding or a later header, bytes after the last HDU) shows with the file.
  const notes: string[] = parsed.warnings.map((w) => `warning: ${w}`);
  const storePlanes = (hdu: number, px: Float32Array | Float64Array, w: number, h: number, planes: number, known: ImagePixels['integerKind']) => {
    const rows = stripRowsFor(w);
    for (let z = 0; z < planes; z++) {
      strips.push(...toStrips(id, hdu, z, px.subarray(z * w * h, (z + 1) * w * h), w, h, rows, known, stripPool));
    }
  };
  storePlanes(imageHdu, data, width, height, depth, pixels.integerKind);
  // Every other image extension is kept too, each in strips of its own width: the amplifiers or CCDs
  // of a multi-extension raw frame, or the VAR and DQ of another tool's product.
  for (const h of parsed.hdus) {
    if (h.index === imageHdu || !h.isImage || h.naxis.length < 2) continue;
    const other = readImage(parsed, item.bytes, h.index);
    storePlanes(h.index, other.data, other.width, other.height, other.depth, other.integerKind);
    give(other.data); // copied into its strips
  }
  // As addDQ finds it (primitives/dq.ts saturationLevel), so the view judges a float flat as the check will.
  const saturation = descriptors.saturation ?? adcLimit(parsed.hdus[imageHdu].cards) ?? pileUpMaximum(data.subarray(0, planeSize));
  // Measured on the data section (TRIMSEC, else DATASEC, as trimData cuts it): an overscan strip would
  // pull a flat's median toward the bias and its saturated fraction down (88% where checkFlatLevel,
  // which sees the trimmed frame, finds 99%).
  const measured = dataSection(data.subarray(0, planeSize), width, height, descriptors.trimsec ?? descriptors.datasec);
  // The listing's median and noise from about 250 000 of those pixels (an odd stride, so no column
  // pattern is favoured): their error is a few thousandths of the noise, and the full sort cost a 2k
  // frame 150 ms. Minimum, maximum, NaNs and saturation see every one.
  const sample = Math.max(1, Math.floor(measured.length / 250_000)) | 1;
  const { median, robustSigma, min, max, saturatedFraction, nanCount } = frameStats(measured, { saturation, sample });
  const colours = colourLevels(data.subarray(0, planeSize), width, height, saturation, descriptors.datasec, primary, imageCards);
  // Copied into the strips and measured: the decoded planes go back to the scratch pool for the next file.
  if (measured.buffer !== data.buffer) give(measured);
  give(data);
  if (depth > 1) notes.push(`cube of ${depth} planes; plane 1 is shown and measured`);
  if (saturation !== undefined && saturatedFraction >= 0.01) {
    notes.push(`${(100 * saturatedFraction).toFixed(saturatedFraction < 0.1 ? 1 : 0)}% of pixels at saturation (${saturation})`);
  }
  const message = notes.join('; ');
  return {
    record: {
      ...base,
      message,
      width,
      height,
      depth,
      stripRows,
      stats: { median, robustSigma, min, max, saturatedFraction, nanCount, ...(colours ? { colours } : {}) },
    },
    headers,
    strips,
  };
}

/**
 * Of a colour (Bayer) frame, each sub-lattice's level on the data section
 * (DATASEC, as addDQ measures it for checkFlatLevel): the Calibrations view
 * judges a colour flat before its run as the check will, by its brightest
 * and its most saturated colour. 62 500 samples a colour (the listing's
 * 250 000 in all); undefined for a frame of one colour.
 */
function colourLevels(
  plane: Float32Array | Float64Array, width: number, height: number, saturation: number | undefined,
  datasec: string | undefined, primary: FitsFile['hdus'][number]['cards'], imageCards: FitsFile['hdus'][number]['cards'] | undefined,
): PartLevel[] | undefined {
  const pattern = cfaPattern(primary, imageCards);
  if (!pattern) return undefined;
  const sec = dataSectionBounds(datasec, width, height);
  const colours = latticeColours(pattern, height, rowsTopDown(primary, imageCards));
  return LATTICES.map((lattice, j) => {
    const l = sectionLevels(plane, width, sec, saturation ?? Infinity, lattice, 62_500);
    return { colour: colours[j], median: l.median, saturatedFraction: l.count ? l.saturated / l.count : 0 };
  });
}

/** The pixels of `section` (the header's data section); the whole plane without one, or with one that does not fit. */
function dataSection(plane: Float32Array | Float64Array, width: number, height: number, section: string | undefined): Float32Array | Float64Array {
  if (!section) return plane;
  try {
    return trimArray(plane, width, height, section);
  } catch {
    return plane; // a section that does not parse or fit: the run will say so; the listing measures everything
  }
}

/** Ingests one file; its strips go to a pixel file where this realm can write one (../src/db/stripStaging.ts; `false`: never). */
export async function ingestOne(
  db: WorkbenchDb,
  item: IngestItem,
  staging: StripStaging | false = defaultStripStaging() ?? false,
  /** Raw frames' copies that earlier builds kept (../src/db/rawCopies.ts): freed when the disk is full. */
  copies: RawCopies | undefined = defaultRawCopies(),
): Promise<IngestOutcome> {
  const id = await sha256Hex(item.bytes);
  // Re-dropping a night should cost a hash per file, not a decode.
  const known = await findFile(db, id);
  if (known?.status === 'ok') {
    // Under another name, the listing shows the file by that name: say which, or the file seems lost.
    const alias = known.name !== item.name ? `the same bytes as ${known.name}, already in the library` : '';
    return { id, name: item.name, size: item.bytes.byteLength, status: 'ok', stored: 'duplicate', message: alias, type: known.type };
  }
  let analysed: ReturnType<typeof analyse> | undefined;
  let message = '';
  try {
    analysed = analyse(id, item);
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
    if (!message.includes(item.name)) message = `${item.name}: ${message}`;
  }
  const record = analysed?.record ?? errorRecord(id, item, message);
  try {
    const store = () => storeFile(db, record, analysed?.headers, analysed?.strips ?? [], staging);
    let stored: StoreOutcome;
    try {
      stored = await store();
    } catch (err) {
      // Copies of raw frames are a speed-up, never a reason to refuse a file: full, they go, and the file is tried again.
      if (!(err instanceof StorageFullError && copies && (await copies.free()) > 0)) throw err;
      stored = await store();
    } finally {
      // Stored or refused, the strips' arrays were copied (or never will be): kept for the next file.
      for (const st of analysed?.strips ?? []) if (st.dtype === undefined) stripPool.give(st.data);
    }
    return { id, name: item.name, size: record.size, status: record.status, stored, message: record.message, type: record.type };
  } catch (err) {
    // Storage refused the file (quota): the transaction rolled back, nothing changed.
    return {
      id,
      name: item.name,
      size: record.size,
      status: 'error',
      stored: 'failed',
      message: err instanceof Error ? err.message : String(err),
      type: record.type,
    };
  }
}
