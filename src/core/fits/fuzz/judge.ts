/**
 * What a clean reading of a damaged file is, for the fuzz test. A reading is
 * clean when it is a FitsError naming the file, or an image that is right.
 * "Right" is decided without trusting the reader on the damaged bytes:
 *
 * - damage only where a reader must not look (a header's padding after END,
 *   a data unit's padding, the text of a card that neither decides layout nor
 *   pixel values): every HDU as in the undamaged file, and no error;
 * - damage in a plain image's data: only the pixels whose bytes changed may
 *   differ, and each must equal its bytes decoded here with a DataView
 *   (independent of decode.ts) and the header's BSCALE/BZERO/BLANK;
 * - damage in a tile's compressed bytes: only that tile's pixels may differ
 *   (GZIP tiles carry a CRC: none may);
 * - a damaged gzip stream: an error, or exactly the undamaged pixels (the
 *   stream's CRC-32 leaves nothing else);
 * - a valid new BSCALE or BZERO of a plain image: every pixel its stored
 *   value under the new scaling, decoded here;
 * - an invalid keyword value (BZERO = 'abc', NAXIS1 = 1.5, a garbled END):
 *   an error, or exactly the undamaged pixels (the keyword did not matter);
 * - a cut file: an error, or the HDUs before the cut exactly as they were,
 *   with a warning naming what is missing unless the cut fell between HDUs;
 * - anything else (a valid but different NAXIS1, a flipped BITPIX digit):
 *   an error, or a reading whose HDUs went missing only with a warning.
 *
 * The undamaged decode itself is proven against astropy in fixtures.test.ts.
 */
import { ungzip } from 'pako';
import { BLOCK, headerGet } from '../header';
import { readImage } from '../image';
import { parseFits } from '../parse';
import { FitsError, type FitsFile, type ImagePixels } from '../types';
import { STRUCTURAL, type Mutation, type Source } from './mutate';

export type Reading = { ok: true; file: FitsFile; images: Map<number, ImagePixels> } | { ok: false; error: unknown };

/** Read everything ingest would: the headers and every image HDU. */
export function readAll(bytes: Uint8Array, name: string): Reading {
  try {
    const file = parseFits(bytes, name);
    const images = new Map<number, ImagePixels>();
    for (const h of file.hdus) if (h.isImage) images.set(h.index, readImage(file, bytes, h.index));
    return { ok: true, file, images };
  } catch (error) {
    return { ok: false, error };
  }
}

const same = (a: number, b: number) => a === b || (a !== a && b !== b);

function firstDifference(a: ImagePixels, b: ImagePixels, allowed?: (i: number) => boolean): string | undefined {
  if (a.width !== b.width || a.height !== b.height || a.depth !== b.depth || a.data.length !== b.data.length) {
    return `shape ${a.width}x${a.height}x${a.depth} instead of ${b.width}x${b.height}x${b.depth}`;
  }
  for (let i = 0; i < a.data.length; i++) {
    if (!same(a.data[i], b.data[i]) && !allowed?.(i)) return `pixel ${i} is ${a.data[i]}, was ${b.data[i]}`;
  }
  return undefined;
}

type Region = 'ignorable' | 'pixels' | 'tile' | 'structural';

/** Where a changed byte of the plain file lies, for the original layout. */
function region(src: Source, bytes: Uint8Array, p: number): { region: Region; hdu: number } {
  for (const h of src.layout) {
    if (p < h.headerStart || p >= h.end) continue;
    if (p < h.dataOffset) {
      if (h.endCard >= 0 && p >= h.endCard + 80) return { region: 'ignorable', hdu: h.index };
      if (p >= h.endCard && h.endCard >= 0) return { region: 'structural', hdu: h.index };
      const card = h.cards.find((c) => p >= c.pos && p < c.pos + 80);
      if (!card) return { region: 'structural', hdu: h.index };
      const now = String.fromCharCode(...bytes.subarray(card.pos, card.pos + 8)).trimEnd();
      const atBlock = (card.pos - h.headerStart) % BLOCK === 0;
      const harmless = (k: string) => !STRUCTURAL.test(k) && !k.startsWith('END') && k !== 'XTENSION' && !k.startsWith('HIERARC');
      // Bytes past column 8 of a non-structural card cannot make it structural; its key bytes might.
      return { region: harmless(card.key) && harmless(now) && !atBlock ? 'ignorable' : 'structural', hdu: h.index };
    }
    if (p >= h.dataOffset + h.dataBytes) return { region: 'ignorable', hdu: h.index };
    const info = src.parsed.hdus[h.index];
    if (info.compressed) return { region: h.tiles.some(([s, e]) => p >= s && p < e) ? 'tile' : 'structural', hdu: h.index };
    return { region: info.isImage ? 'pixels' : 'ignorable', hdu: h.index };
  }
  return { region: 'structural', hdu: -1 };
}

/** A pixel of a plain image decoded from `bytes` with a DataView: BZERO + BSCALE * stored, BLANK -> NaN. */
function pixelAt(src: Source, bytes: Uint8Array, hdu: number, i: number, scaling: { BSCALE?: number; BZERO?: number } = {}): number {
  const info = src.parsed.hdus[hdu];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bpp = Math.abs(info.bitpix) / 8;
  const p = info.dataOffset + i * bpp;
  const bscale = scaling.BSCALE ?? Number(headerGet(info.cards, 'BSCALE') ?? 1);
  const bzero = scaling.BZERO ?? Number(headerGet(info.cards, 'BZERO') ?? 0);
  const blank = headerGet(info.cards, 'BLANK');
  let stored: number;
  switch (info.bitpix) {
    case 8: stored = v.getUint8(p); break;
    case 16: stored = v.getInt16(p); break;
    case 32: stored = v.getInt32(p); break;
    case 64: stored = Number(v.getBigInt64(p)); break;
    case -32: stored = v.getFloat32(p); break;
    default: stored = v.getFloat64(p);
  }
  if (info.bitpix > 0 && typeof blank === 'number' && stored === blank) return NaN;
  const value = stored * bscale + bzero;
  const narrow = info.bitpix === 8 || info.bitpix === 16 || info.bitpix === -32;
  return narrow ? Math.fround(value) : value;
}

/** Pixel indices of tile `t` (tiles of ZTILEn pixels, axis 1 fastest, as the convention lays them). */
function tilePixels(src: Source, hdu: number, t: number): Set<number> {
  const info = src.parsed.hdus[hdu];
  const naxis = info.naxis;
  const dims = naxis.map((len, i) => {
    const z = headerGet(info.tableCards ?? [], `ZTILE${i + 1}`);
    return typeof z === 'number' ? Math.min(z, len) : i === 0 ? len : 1;
  });
  const counts = naxis.map((len, i) => Math.ceil(len / dims[i]));
  const coord: number[] = [];
  for (let i = 0, rest = t; i < naxis.length; i++) {
    coord.push(rest % counts[i]);
    rest = Math.floor(rest / counts[i]);
  }
  const start = coord.map((c, i) => c * dims[i]);
  const size = start.map((s, i) => Math.min(dims[i], naxis[i] - s));
  const strides = naxis.map((_, i) => naxis.slice(0, i).reduce((a, b) => a * b, 1));
  const out = new Set<number>();
  const idx = naxis.map(() => 0);
  for (;;) {
    out.add(idx.reduce((flat, c, i) => flat + (start[i] + c) * strides[i], 0));
    let d = 0;
    while (d < naxis.length && ++idx[d] >= size[d]) idx[d++] = 0;
    if (d === naxis.length) return out;
  }
}

function isCleanError(e: unknown, name: string): boolean {
  return e instanceof FitsError && e.message.startsWith(`${name}: `) && e.problem.trim().length > 10;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Every HDU of the reading as in the reference, for HDUs both have; `allowed` lets chosen pixels differ. */
function matches(reading: Reading & { ok: true }, reference: Reading & { ok: true }, allowed?: (hdu: number, i: number) => boolean): string | undefined {
  for (const [index, img] of reading.images) {
    const ref = reference.images.get(index);
    if (!ref) return `HDU ${index} is an image that the undamaged file does not have there`;
    const d = firstDifference(img, ref, allowed && ((i) => allowed(index, i)));
    if (d) return `HDU ${index}: ${d}`;
  }
  return undefined;
}

/** Null when the reading of the damaged file is clean, else why not. */
export function judge(src: Source, m: Mutation, reading: Reading, reference: Reading & { ok: true }): string | null {
  const name = src.name;
  if (!reading.ok) {
    if (!isCleanError(reading.error, name)) return `unclean error: ${describeError(reading.error)}`;
  }
  const refCount = reference.file.hdus.length;
  const lostSilently = (r: Reading & { ok: true }) =>
    r.file.hdus.length < refCount && r.file.warnings.length === 0 ? `${refCount - r.file.hdus.length} HDUs missing without a warning` : undefined;

  if (m.kind === 'cut') {
    if (!reading.ok) return null;
    const diffs = matches(reading, reference);
    if (diffs) return diffs;
    if (reading.file.hdus.length < refCount && reading.file.warnings.length === 0) {
      // Undetectable only when the cut fell exactly where an HDU ends.
      if (!src.gz && src.layout.some((h) => h.end === m.cut)) return null;
      return lostSilently(reading) ?? null;
    }
    return null;
  }
  if (m.kind === 'gzip' || m.gzipDamaged) {
    if (!reading.ok) return m.gzipDamaged ? null : `error on an intact gzip stream: ${describeError(reading.error)}`;
    return matches(reading, reference) ?? lostSilently(reading) ?? null;
  }
  if (m.card && !m.card.valid) {
    if (!reading.ok) return null;
    // astropy ignores a BLANK that is not an integer, with a warning: then only undefined pixels may differ.
    const blankIgnored = m.card.key === 'BLANK' && reading.file.warnings.some((w) => w.includes(`HDU ${m.card!.hdu}: BLANK`));
    const wasBlank = (hdu: number, i: number) => blankIgnored && hdu === m.card!.hdu && Number.isNaN(reference.images.get(hdu)?.data[i]);
    return matches(reading, reference, wasBlank) ?? lostSilently(reading) ?? null;
  }

  const damaged = plainOf(src, m);
  const rescaled = scalingEdit(src, m, reading, damaged);
  if (rescaled !== undefined) return rescaled;
  const regions = m.touched.map((p) => ({ p, ...region(src, damaged, p) }));
  const kinds = new Set(regions.map((r) => r.region));
  if (kinds.has('structural')) {
    if (!reading.ok) return null;
    return lostSilently(reading) ?? null;
  }
  if (kinds.has('tile')) {
    if (!reading.ok) return null;
    const free = new Map<number, Set<number>>();
    for (const r of regions.filter((x) => x.region === 'tile')) {
      const h = src.layout[r.hdu];
      const t = h.tiles.findIndex(([s, e]) => r.p >= s && r.p < e);
      const set = free.get(r.hdu) ?? new Set<number>();
      for (const i of tilePixels(src, r.hdu, t)) set.add(i);
      free.set(r.hdu, set);
    }
    return matches(reading, reference, (hdu, i) => free.get(hdu)?.has(i) ?? false) ?? lostSilently(reading) ?? null;
  }
  // Only ignorable bytes and plain pixel bytes changed: the file must read, and read right.
  if (!reading.ok) return `error, but only padding, card text or pixel values changed: ${describeError(reading.error)}`;
  const changed = new Map<number, Set<number>>();
  for (const r of regions.filter((x) => x.region === 'pixels')) {
    const bpp = Math.abs(src.parsed.hdus[r.hdu].bitpix) / 8;
    const set = changed.get(r.hdu) ?? new Set<number>();
    set.add(Math.floor((r.p - src.layout[r.hdu].dataOffset) / bpp));
    changed.set(r.hdu, set);
  }
  for (const [hdu, pixels] of changed) {
    const img = reading.images.get(hdu);
    if (!img) return `HDU ${hdu} is missing`;
    for (const i of pixels) {
      const want = pixelAt(src, damaged, hdu, i);
      if (!same(img.data[i], want)) return `HDU ${hdu} pixel ${i} is ${img.data[i]}, its bytes say ${want}`;
    }
  }
  if (reading.file.hdus.length !== refCount) return `${reading.file.hdus.length} HDUs instead of ${refCount}`;
  return matches(reading, reference, (hdu, i) => changed.get(hdu)?.has(i) ?? false) ?? null;
}

/** The damaged plain bytes of a mutation (a .gz source's mutations were made on its plain bytes, then gzip'd). */
function plainOf(src: Source, m: Mutation): Uint8Array {
  if (!src.gz) return m.bytes;
  try {
    return ungzip(m.bytes);
  } catch {
    return src.plain;
  }
}

/**
 * A valid new BSCALE or BZERO of a plain image: every pixel must be its stored
 * value under the new scaling (decoded here with a DataView). Undefined when
 * the mutation is not such an edit.
 */
function scalingEdit(src: Source, m: Mutation, reading: Reading, damaged: Uint8Array): string | null | undefined {
  const edit = m.card;
  if (!edit?.valid || (edit.key !== 'BSCALE' && edit.key !== 'BZERO')) return undefined;
  const info = src.parsed.hdus[edit.hdu];
  if (!info.isImage || info.compressed) return undefined;
  if (!reading.ok) return `error after a valid ${edit.key} = ${edit.value}: ${describeError(reading.error)}`;
  const img = reading.images.get(edit.hdu);
  if (!img) return `HDU ${edit.hdu} is missing after ${edit.key} = ${edit.value}`;
  const value = Number(edit.value.replace('D', 'E'));
  for (let i = 0; i < img.data.length; i++) {
    const want = pixelAt(src, damaged, edit.hdu, i, { [edit.key]: value });
    if (!same(img.data[i], want)) return `HDU ${edit.hdu} pixel ${i} is ${img.data[i]}, with ${edit.key} = ${edit.value} its bytes say ${want}`;
  }
  return null;
}
