/**
 * Shapes shared by the FITS reader and writer. Everything outside src/core/fits
 * sees FITS files only through these types (fitsjs never leaks out).
 */

export type HeaderValue = string | number | boolean | null;

/** One header card as read (or to be written). `value` is null for COMMENT/HISTORY/blank cards and undefined-valued keys. */
export interface Card {
  key: string;
  value: HeaderValue;
  comment?: string;
}

export type Compression = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'PLIO_1' | 'HCOMPRESS_1' | 'NOCOMPRESS';

/** Description of one HDU of a parsed file. Pixel data is decoded on demand. */
export interface HduInfo {
  index: number;
  /** 'PRIMARY' for the first HDU, else the XTENSION value ('IMAGE', 'BINTABLE', 'TABLE', ...). */
  xtension: string;
  /** EXTNAME, or 'PRIMARY' for HDU 0 without one, or '' otherwise ('COMPRESSED_IMAGE' for an unnamed tile-compressed image, as astropy shows it). */
  extname: string;
  /** Pixel BITPIX of the image (ZBITPIX for tile-compressed images). */
  bitpix: number;
  /** Image axis lengths, NAXIS1 first (ZNAXISn for compressed images). Empty for HDUs without an image. */
  naxis: number[];
  /** True when this HDU holds image pixels (a plain image with data, or a tile-compressed image). */
  isImage: boolean;
  compressed?: Compression;
  /** All cards of the header as read (for compressed images: the header of the uncompressed image as astropy shows it). */
  cards: Card[];
  /** Byte offset of the data unit within the (decompressed) file, and its size without padding. */
  dataOffset: number;
  dataBytes: number;
  /** Tile-compressed images only: the binary table's own header (TFORMn, ZCMPTYPE, ZTILEn...), which locates and decodes the tiles. */
  tableCards?: Card[];
}

export interface FitsFile {
  name: string;
  hdus: HduInfo[];
  /**
   * Damage read past, as astropy reads past it with a warning: a file cut
   * inside the padding after an HDU or inside a later header, bytes after the
   * last HDU. Each names what is missing; the library shows them with the file.
   */
  warnings: string[];
}

/** Decoded pixels in physical units (BZERO/BSCALE applied, BLANK -> NaN). x (NAXIS1) runs fastest. */
export interface ImagePixels {
  width: number;
  height: number;
  /** Product of NAXIS3.. (1 for a 2-D image). */
  depth: number;
  /** Float64Array only for BITPIX -64, 32 and 64 where float32 would lose precision; else Float32Array. */
  data: Float32Array | Float64Array;
  /**
   * Set when the header alone says every value is a whole number of 16 bits
   * (BITPIX 16 or 8, BSCALE 1, BZERO 0 or the unsigned / signed-byte offset,
   * no BLANK): 'u16' for 0..65535, 'i16' for -32768..32767. Undefined when
   * only looking at the values can tell.
   */
  integerKind?: 'u16' | 'i16';
}

/** An HDU to write. `data` decides the on-disk BITPIX unless `bitpix` says otherwise. */
export interface WriteHdu {
  /** Extra cards (beyond the structural ones the writer emits itself). */
  cards: Card[];
  extname?: string;
  width?: number;
  height?: number;
  /** Float32Array -> BITPIX -32; Float64Array -> -64; Uint16Array -> 16 with BZERO 32768; Int16Array -> 16; Int32Array -> 32; Uint8Array -> 8. */
  data?: Float32Array | Float64Array | Uint16Array | Int16Array | Int32Array | Uint8Array;
}

/** A FITS problem, always naming the file and what is wrong with it. */
export class FitsError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'FitsError';
  }
}
