/**
 * The container of a workspace archive: a POSIX ustar archive (IEEE 1003.1-1988
 * "tar"), the format `tar -tvf` lists and every archiver opens.
 *
 * Why tar and not ZIP: a night with its products is several GB, and fflate's
 * ZIP writer has no ZIP64 (no archive past 4 GB, no more than 65,535 entries;
 * a workspace holds one entry per pixel strip). ustar has neither limit (an
 * entry may reach 8 GiB, and ours stay near 1 MB), is written as a plain stream
 * of 512-byte blocks, and is read by seeking from header to header, so an entry
 * is read only when it is needed. Why written here and not taken from a library:
 * the npm tar packages work on Node streams or whole buffers, while the importer
 * reads a browser File twice by offset (validate, then write); the part of the
 * format needed (regular files, the ustar name prefix) is the header below.
 */

export const BLOCK = 512;
/** Largest size an ustar header holds in its 11 octal digits (8 GiB - 1). */
export const MAX_TAR_SIZE = 8 ** 11 - 1;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Bytes of zero padding after an entry of `size` bytes. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function writeString(block: Uint8Array, at: number, length: number, text: string): void {
  const bytes = enc.encode(text);
  if (bytes.length > length) throw new Error(`tar: "${text}" does not fit ${length} bytes`);
  block.set(bytes, at);
}

function writeOctal(block: Uint8Array, at: number, length: number, value: number): void {
  // length - 1 digits then NUL, as GNU tar writes them.
  writeString(block, at, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

/** Splits a path into ustar's prefix (155 bytes) and name (100 bytes) at a '/'. */
function splitName(path: string): { prefix: string; name: string } {
  if (enc.encode(path).length <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (enc.encode(prefix).length <= 155 && enc.encode(name).length <= 100 && name) return { prefix, name };
  }
  throw new Error(`tar: the entry name "${path}" is too long for ustar`);
}

/** The 512-byte ustar header of a regular file. `mtime` in seconds since 1970. */
export function tarHeader(path: string, size: number, mtime: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_TAR_SIZE) throw new Error(`tar: entry "${path}" has a size ustar cannot hold (${size})`);
  const block = new Uint8Array(BLOCK);
  const { prefix, name } = splitName(path);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(mtime)));
  block[156] = 0x30; // '0': regular file
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  // The checksum is the sum of the header's bytes with its own field read as 8 spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i];
  writeString(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

/** Two zero blocks: the end of a tar archive. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

export interface TarEntry {
  /** Full path (prefix/name). */
  path: string;
  size: number;
  /** Offset of the entry's data in the archive. */
  offset: number;
  /** Offset of the next header. */
  next: number;
}

/** Why a byte sequence is not a tar header, in words a user can act on. */
export class TarError extends Error {}

function readString(block: Uint8Array, at: number, length: number): string {
  let end = at;
  while (end < at + length && block[end] !== 0) end++;
  try {
    return dec.decode(block.subarray(at, end));
  } catch {
    throw new TarError('an entry name is not valid UTF-8');
  }
}

function readOctal(block: Uint8Array, at: number, length: number, what: string): number {
  let text = '';
  for (let i = at; i < at + length && block[i] !== 0; i++) text += String.fromCharCode(block[i]);
  text = text.trim();
  if (!/^[0-7]+$/.test(text)) throw new TarError(`a header's ${what} field is not an octal number`);
  return parseInt(text, 8);
}

/** What a file that is not a tar archive most likely is (the first bytes of a few common formats). */
export function sniff(head: Uint8Array): string | undefined {
  const starts = (...b: number[]) => b.every((v, i) => head[i] === v);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'a ZIP archive';
  if (starts(0x1f, 0x8b)) return 'a gzip file';
  if (starts(0x53, 0x49, 0x4d, 0x50, 0x4c, 0x45)) return 'a FITS file';
  if (starts(0x7b) || starts(0x5b)) return 'a JSON file';
  return undefined;
}

/**
 * Reads the header block at `at` (`archiveSize` bytes in all): the entry, or
 * undefined at the end-of-archive zero block. Throws TarError on anything but a
 * valid ustar/GNU header of a regular file.
 */
export function parseTarHeader(block: Uint8Array, at: number, archiveSize: number): TarEntry | undefined {
  if (block.length < BLOCK) throw new TarError(`the archive ends inside a header (at byte ${at})`);
  if (block.every((b) => b === 0)) return undefined;
  const stored = readOctal(block, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  if (sum !== stored) throw new TarError(`the header at byte ${at} is damaged (checksum ${sum} where it says ${stored})`);
  const magic = readString(block, 257, 6);
  if (magic !== 'ustar' && magic !== 'ustar ') throw new TarError(`the header at byte ${at} is not a ustar header`);
  const type = String.fromCharCode(block[156]);
  const name = readString(block, 0, 100);
  const prefix = magic === 'ustar' ? readString(block, 345, 155) : '';
  const path = prefix ? `${prefix}/${name}` : name;
  if (type !== '0' && type !== '\0') throw new TarError(`the entry "${path}" is not a regular file (tar type '${type}')`);
  const size = readOctal(block, 124, 12, 'size');
  const offset = at + BLOCK;
  const next = offset + size + padding(size);
  if (offset + size > archiveSize) throw new TarError(`the archive is truncated: "${path}" needs ${offset + size} bytes, the file has ${archiveSize}`);
  return { path, size, offset, next };
}
