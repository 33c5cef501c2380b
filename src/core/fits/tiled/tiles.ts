/**
 * Decoding a tile-compressed image (the FITS tiled-image convention, as fpack
 * and astropy write it): the image is cut into tiles of ZTILEn pixels (default:
 * one row each), tile k is row k+1 of a binary table whose COMPRESSED_DATA cell
 * points into the heap. Tiles that could not be compressed sit in
 * GZIP_COMPRESSED_DATA or UNCOMPRESSED_DATA instead. Floating-point images are
 * usually quantized to integers first; ZSCALE/ZZERO (per tile or as keywords)
 * and the dither sequence bring them back.
 */
import { tileInflater } from '../gzip';
import { headerGet } from '../header';
import { blankValue, numberKeyword, optionalInt } from '../keywords';
import { FitsError, type Card, type HduInfo, type ImagePixels } from '../types';
import { NULL_VALUE, unquantize, type Quantize } from './dither';
import { riceDecode } from './rice';
import { readDescriptor, readScalar, tableLayout, TYPE_BYTES, type Column, type TableLayout } from './table';

interface TileContext {
  name: string;
  where: string;
  view: DataView;
  bytes: Uint8Array;
  /** Absolute offsets of the table rows and the heap, and the end of the data unit. */
  dataStart: number;
  heapStart: number;
  dataEnd: number;
  layout: TableLayout;
  cards: Card[];
  inflate: ReturnType<typeof tileInflater>;
}

/** ZNAMEi/ZVALi compression parameters (BLOCKSIZE, BYTEPIX...); the ones the decoder uses must be integers. */
function compressionParams(cards: Card[], name: string, where: string): Map<string, number> {
  const params = new Map<string, number>();
  for (let i = 1; i < 100; i++) {
    const key = headerGet(cards, `ZNAME${i}`);
    if (key === undefined) break;
    const param = String(key).trim().toUpperCase();
    if (param === 'BLOCKSIZE' || param === 'BYTEPIX') {
      const val = optionalInt(cards, `ZVAL${i}`, name, `${where}, ${param}`);
      if (val === undefined || val <= 0) throw new FitsError(name, `${where}: ZVAL${i} (${param}) must be a positive integer`);
      params.set(param, val);
    }
  }
  return params;
}

/** The heap bytes a variable-length cell points to, or null when the cell is empty. */
function heapCell(ctx: TileContext, row: number, column: Column | undefined): Uint8Array | null {
  if (!column || !column.varKind) return null;
  const cellStart = ctx.dataStart + row * ctx.layout.rowBytes + column.offset;
  const { count, offset } = readDescriptor(ctx.view, cellStart, column.varKind);
  if (count === 0) return null;
  const size = count * (TYPE_BYTES[column.type] ?? 1);
  const start = ctx.heapStart + offset;
  if (start + size > ctx.dataEnd) {
    throw new FitsError(
      ctx.name,
      `${ctx.where}: compressed tile data cut short: tile ${row + 1} (${column.name}) points to ${size} bytes at heap offset ${offset}, beyond the end of the heap`,
    );
  }
  return ctx.bytes.subarray(start, start + size);
}

/** Number in a per-tile column (ZSCALE, ZZERO, ZBLANK), else the keyword of the same name. */
function tileNumber(ctx: TileContext, row: number, key: string): number | undefined {
  const column = ctx.layout.columns.get(key);
  if (column && !column.varKind) {
    return readScalar(ctx.view, ctx.dataStart + row * ctx.layout.rowBytes + column.offset, column.type);
  }
  return numberKeyword(ctx.cards, key, ctx.name, ctx.where);
}

/** Big-endian elements of `size` bytes as numbers: ints (unsigned for 1 byte), or IEEE floats. */
function decodeElements(raw: Uint8Array, size: number, float: boolean, out: Float64Array): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = out.length;
  if (size === 1) for (let i = 0; i < n; i++) out[i] = raw[i];
  else if (size === 2) for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i);
  else if (size === 4 && float) for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i);
  else if (size === 4) for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i);
  else if (float) for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i);
  else for (let i = 0; i < n; i++) out[i] = view.getInt32(8 * i) * 4294967296 + view.getUint32(8 * i + 4);
}

/** GZIP_2 stores the most significant bytes of all pixels first, then the next ones. */
function unshuffle(raw: Uint8Array, size: number): Uint8Array {
  const n = raw.length / size;
  const out = new Uint8Array(raw.length);
  for (let b = 0; b < size; b++) {
    const src = b * n;
    for (let i = 0; i < n; i++) out[i * size + b] = raw[src + i];
  }
  return out;
}

/** Inflate a tile into at most `maxBytes` (8 per pixel): a tile pointing at a gzip bomb stops there. */
function inflate(ctx: TileContext, data: Uint8Array, tile: number, what: string, maxBytes: number): Uint8Array {
  const out = ctx.inflate(data, maxBytes);
  if (out instanceof Uint8Array) return out;
  throw new FitsError(ctx.name, `${ctx.where}: ${what} of tile ${tile} is corrupt or cut short (${out.error})`);
}

function elementSize(ctx: TileContext, bytes: number, npix: number, tile: number, what: string): number {
  const size = bytes / npix;
  if (![1, 2, 4, 8].includes(size)) {
    throw new FitsError(
      ctx.name,
      `${ctx.where}: ${what} of tile ${tile} holds ${bytes} bytes for ${npix} pixels (compressed tile data cut short or corrupt)`,
    );
  }
  return size;
}

/** Decode a tile-compressed image HDU. `bytes` are the whole (decompressed) file. */
export function readCompressedImage(bytes: Uint8Array, hdu: HduInfo, name: string): ImagePixels {
  const where = `HDU ${hdu.index} (${hdu.compressed} tile-compressed image)`;
  const cards = hdu.tableCards ?? [];
  const layout = tableLayout(cards, name, where);
  const ctx: TileContext = {
    name,
    where,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    bytes,
    dataStart: hdu.dataOffset,
    heapStart: hdu.dataOffset + layout.heapStart,
    dataEnd: hdu.dataOffset + hdu.dataBytes,
    layout,
    cards,
    inflate: tileInflater(),
  };
  const cmp = hdu.compressed!;
  if (cmp === 'PLIO_1' || cmp === 'HCOMPRESS_1') {
    throw new FitsError(name, `${where}: ${cmp} compression is not supported; decompress the file with funpack first`);
  }
  const naxis = hdu.naxis;
  const ndim = naxis.length;
  const tileDims = naxis.map((len, i) => {
    const z = optionalInt(cards, `ZTILE${i + 1}`, name, where);
    if (z !== undefined && z <= 0) throw new FitsError(name, `${where}: ZTILE${i + 1} must be positive, found ${z}`);
    return z !== undefined ? Math.min(z, len) : i === 0 ? len : 1;
  });
  const tilesPerAxis = naxis.map((len, i) => Math.ceil(len / tileDims[i]));
  const ntiles = tilesPerAxis.reduce((a, b) => a * b, 1);
  if (layout.rows < ntiles) {
    throw new FitsError(name, `${where}: the table has ${layout.rows} rows but the image needs ${ntiles} tiles`);
  }

  const floatImage = hdu.bitpix < 0;
  const params = compressionParams(cards, name, where);
  const blocksize = params.get('BLOCKSIZE') ?? 32;
  const bytepix = params.get('BYTEPIX') ?? 4;
  const quantizeKey = String(headerGet(cards, 'ZQUANTIZ') ?? 'NO_DITHER').trim().toUpperCase();
  const quantize: Quantize | 'NONE' =
    quantizeKey === 'SUBTRACTIVE_DITHER_1' || quantizeKey === 'SUBTRACTIVE_DITHER_2' || quantizeKey === 'NONE'
      ? quantizeKey
      : 'NO_DITHER';
  const ditherSeed = optionalInt(cards, 'ZDITHER0', name, where) ?? 1;
  const bscale = numberKeyword(cards, 'BSCALE', name, where, 1);
  const bzero = numberKeyword(cards, 'BZERO', name, where, 0);
  const blank = hdu.bitpix > 0 ? blankValue(cards) : undefined;
  const compressedCol = layout.columns.get('COMPRESSED_DATA');
  const gzipCol = layout.columns.get('GZIP_COMPRESSED_DATA');
  const rawCol = layout.columns.get('UNCOMPRESSED_DATA');
  if (!compressedCol?.varKind) {
    throw new FitsError(name, `${where}: the table has no COMPRESSED_DATA variable-length column`);
  }

  const total = naxis.reduce((a, b) => a * b, 1);
  const wide = hdu.bitpix === -64 || hdu.bitpix === 32 || hdu.bitpix === 64;
  const data = wide ? new Float64Array(total) : new Float32Array(total);
  // Strides of the image (axis 1 fastest).
  const strides: number[] = [];
  for (let i = 0, s = 1; i < ndim; i++) {
    strides.push(s);
    s *= naxis[i];
  }

  const tileCoord = new Array<number>(ndim).fill(0);
  for (let t = 0; t < ntiles; t++) {
    const row = t;
    const tileNo = t + 1;
    // Tile extent along each axis.
    const start = tileCoord.map((c, i) => c * tileDims[i]);
    const size = start.map((s, i) => Math.min(tileDims[i], naxis[i] - s));
    const npix = size.reduce((a, b) => a * b, 1);
    const values = new Float64Array(npix);

    const compressed = heapCell(ctx, row, compressedCol);
    if (compressed) {
      let ints: ArrayLike<number>;
      if (cmp === 'RICE_1') {
        ints = riceDecode(compressed, npix, bytepix, blocksize, name, `${where}, tile ${tileNo}`);
      } else {
        let raw = cmp === 'NOCOMPRESS' ? compressed : inflate(ctx, compressed, tileNo, cmp, npix * 8);
        const elSize = elementSize(ctx, raw.length, npix, tileNo, cmp);
        if (cmp === 'GZIP_2' && elSize > 1) raw = unshuffle(raw, elSize);
        // Unquantized float tiles (ZQUANTIZ = NONE) hold IEEE values; everything else holds integers.
        const ieee = floatImage && (quantize === 'NONE' || tileNumber(ctx, row, 'ZSCALE') === undefined);
        decodeElements(raw, elSize, ieee, values);
        if (ieee) {
          placeTile(values, data, start, size, strides);
          advance(tileCoord, tilesPerAxis);
          continue;
        }
        ints = values;
      }
      const zblank = tileNumber(ctx, row, 'ZBLANK');
      if (floatImage) {
        const scale = tileNumber(ctx, row, 'ZSCALE');
        const zero = tileNumber(ctx, row, 'ZZERO') ?? 0;
        if (scale === undefined) {
          throw new FitsError(name, `${where}: quantized float tile ${tileNo} has no ZSCALE`);
        }
        const method: Quantize = quantize === 'NONE' ? 'NO_DITHER' : quantize;
        // cfitsio flags undefined pixels of quantized floats with NULL_VALUE (written as ZBLANK).
        unquantize(ints, values, scale, zero, method, ditherSeed, tileNo, zblank ?? NULL_VALUE);
      } else {
        const nullValue = zblank ?? (typeof blank === 'number' ? blank : undefined);
        for (let i = 0; i < npix; i++) {
          const v = ints[i];
          values[i] = v === nullValue ? NaN : v * bscale + bzero;
        }
      }
    } else {
      // The tile could not be compressed: raw pixels, gzip'd or not.
      const gz = heapCell(ctx, row, gzipCol);
      const raw = gz ? inflate(ctx, gz, tileNo, 'GZIP_COMPRESSED_DATA', npix * 8) : heapCell(ctx, row, rawCol);
      if (!raw) throw new FitsError(name, `${where}: tile ${tileNo} has no data in any column`);
      const elSize = elementSize(ctx, raw.length, npix, tileNo, gz ? 'GZIP_COMPRESSED_DATA' : 'UNCOMPRESSED_DATA');
      decodeElements(raw, elSize, floatImage, values);
      if (!floatImage || bscale !== 1 || bzero !== 0) {
        const nullValue = floatImage ? undefined : typeof blank === 'number' ? blank : undefined;
        for (let i = 0; i < npix; i++) values[i] = values[i] === nullValue ? NaN : values[i] * bscale + bzero;
      }
    }
    placeTile(values, data, start, size, strides);
    advance(tileCoord, tilesPerAxis);
  }
  const width = naxis[0];
  const height = naxis[1] ?? 1;
  const depth = naxis.slice(2).reduce((a, b) => a * b, 1);
  return { width, height, depth, data };
}

/** Odometer step over the tile grid, axis 1 fastest. */
function advance(coord: number[], counts: number[]): void {
  for (let i = 0; i < coord.length; i++) {
    if (++coord[i] < counts[i]) return;
    coord[i] = 0;
  }
}

/** Copy a tile (its own C order, axis 1 fastest) into the image. */
function placeTile(
  values: Float64Array,
  out: Float32Array | Float64Array,
  start: number[],
  size: number[],
  strides: number[],
): void {
  const ndim = size.length;
  const rowLen = size[0];
  const rows = values.length / rowLen;
  const idx = new Array<number>(ndim).fill(0);
  for (let r = 0; r < rows; r++) {
    let base = start[0];
    for (let d = 1; d < ndim; d++) base += (start[d] + idx[d]) * strides[d];
    out.set(values.subarray(r * rowLen, (r + 1) * rowLen), base);
    for (let d = 1; d < ndim; d++) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
}
