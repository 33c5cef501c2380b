/**
 * Bounded gzip inflation. A .fits.gz is untrusted: its trailer's size field
 * (ISIZE) is never used to size a buffer, the output may never grow past what
 * the caller allows (the FITS headers seen so far decide that, see
 * parse.ts fitsNeed), and the CRC-32 and ISIZE of every member are checked,
 * so a damaged file is an error and never an image with wrong pixels.
 *
 * Why pako and not fflate (which the rest of the code uses for zip export):
 * fflate's one-shot gunzipSync allocates what ISIZE claims (1 MB of random
 * bytes after a gzip magic asked for 1.95 GB) and its streaming Gunzip checks
 * neither the CRC nor ISIZE. pako is a line-by-line port of zlib and exports
 * zlib's own interface: inflate() checks both ("incorrect data check",
 * "incorrect length check") and writes straight into a buffer we size, so a
 * bound holds to the byte and nothing is copied chunk by chunk.
 * DecompressionStream would also check, but it is asynchronous only, and the
 * reader is synchronous in workers, in Node and in the command line.
 */
import { Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, ZStream, zlibInflate, zlibInflateInit2, zlibInflateReset, zlibInflateReset2 } from 'pako';
import { FitsError } from './types';

/** Room given at a time while a whole-file stream's size is not yet known. */
const CHUNK = 1 << 16;

/**
 * Given the bytes inflated so far, how many the output may hold. It may throw
 * a FitsError of its own (e.g. a header that declares more than can be held).
 */
export type OutputBound = (out: Uint8Array) => number;

/** Where inflated bytes go: zlib writes straight into `out`, never past `limit` + 1 bytes. */
interface Sink {
  out: Uint8Array;
  total: number;
  limit: number;
}

class Exceeded extends Error {}

/**
 * Room for more output. One byte past the bound is allowed, so a stream that
 * goes on past it is seen to; the bound is asked again (with the bytes so
 * far, so headers just inflated can raise it) before that byte is refused.
 */
function makeRoom(sink: Sink, bound: OutputBound): void {
  if (sink.total > sink.limit) {
    sink.limit = bound(sink.out.subarray(0, sink.total));
    if (sink.total > sink.limit) throw new Exceeded();
  }
  if (sink.total === sink.out.length) {
    // Up to the bound, so a short stream never costs what its headers claim; but by half as much again at
    // least, so a file of many HDUs (each raising the bound a little) is not copied once per HDU.
    const len = sink.out.length;
    const size = Math.max(Math.min(sink.limit + 1, Math.max(sink.total + CHUNK, 2 * len)), Math.floor(1.5 * len));
    const next = new Uint8Array(size);
    next.set(sink.out.subarray(0, sink.total));
    sink.out = next;
  }
}

interface RunResult {
  /** Offset in `input` just after the last stream or member read. */
  end: number;
  error?: string;
  cutShort?: boolean;
}

/**
 * Inflate `input` (gzip members, one zlib or raw deflate stream: zlib's
 * windowBits) into `sink`. For gzip, members that follow one another are read
 * on, as gzip(1) and Python do. zlib checks each member's CRC-32 and length.
 */
function run(strm: ZStream, input: Uint8Array, sink: Sink, bound: OutputBound, gzip: boolean): RunResult {
  strm.input = input;
  strm.next_in = 0;
  strm.avail_in = input.length;
  for (;;) {
    makeRoom(sink, bound);
    strm.output = sink.out as Uint8Array<ArrayBuffer>;
    strm.next_out = sink.total;
    strm.avail_out = Math.min(sink.out.length, sink.limit + 1) - sink.total;
    const status = zlibInflate(strm, Z_NO_FLUSH);
    sink.total = strm.next_out;
    if (status === Z_STREAM_END) {
      const at = strm.next_in;
      if (gzip && strm.avail_in >= 2 && input[at] === 0x1f && input[at + 1] === 0x8b) {
        zlibInflateReset(strm);
        continue;
      }
      return { end: at };
    }
    if (status === Z_OK || status === Z_BUF_ERROR) {
      // No input left and the stream not ended: it is cut short. Otherwise zlib wants more room.
      if (strm.avail_in === 0) return { end: input.length, cutShort: true };
      continue;
    }
    return { end: strm.next_in, error: strm.msg || `zlib error ${status}` };
  }
}

function describe(why: string): string {
  if (why === 'incorrect data check') return 'its CRC-32 checksum does not match the decompressed data';
  if (why === 'incorrect length check') return 'its length field does not match the decompressed data';
  return why;
}

/**
 * Inflate a whole-file gzip input, bounded by `bound`. Trailing zero bytes
 * after the last member are ignored (as gzip(1) and Python do); anything else
 * after it is an error.
 */
export function gunzipBounded(input: Uint8Array, name: string, bound: OutputBound, exceeded: (total: number) => string): Uint8Array {
  const sink: Sink = { out: new Uint8Array(0), total: 0, limit: 0 };
  const strm = new ZStream();
  zlibInflateInit2(strm, 16 + 15);
  let result: RunResult;
  try {
    result = run(strm, input, sink, bound, true);
  } catch (e) {
    if (e instanceof Exceeded) throw new FitsError(name, exceeded(sink.total));
    throw e;
  }
  if (result.error) throw new FitsError(name, `gzip stream is corrupt (${describe(result.error)}); the file cannot be decompressed`);
  if (sink.total > bound(sink.out.subarray(0, sink.total))) throw new FitsError(name, exceeded(sink.total));
  if (result.cutShort) {
    throw new FitsError(name, `gzip stream is corrupt (it is cut short: the file ends before the compressed data does, after ${sink.total} decompressed bytes)`);
  }
  for (let i = result.end; i < input.length; i++) {
    if (input[i] !== 0) {
      throw new FitsError(name, `gzip stream is corrupt (${input.length - result.end} bytes after its end are not another gzip member)`);
    }
  }
  return sink.out.subarray(0, sink.total);
}

/**
 * An inflater for the tiles of one image: one zlib state reused tile after
 * tile (thousands of tiles each get their own stream). Each tile is inflated
 * straight into a buffer of the most it may hold, plus one byte to see it
 * overflow: a tile pointing at a gzip bomb stops there. Gzip and zlib framing
 * are told apart by their headers, anything else is raw deflate, as fflate's
 * decompressSync (used before) did.
 */
export function tileInflater(): (data: Uint8Array, maxBytes: number) => Uint8Array | { error: string } {
  const strm = new ZStream();
  let initialised = false;
  return (data, maxBytes) => {
    const gzip = data[0] === 0x1f && data[1] === 0x8b;
    const zlib = !gzip && data.length > 1 && (data[0] & 15) === 8 && data[0] >> 4 <= 7 && ((data[0] << 8) | data[1]) % 31 === 0;
    const windowBits = gzip ? 16 + 15 : zlib ? 15 : -15;
    if (!initialised) zlibInflateInit2(strm, windowBits);
    else zlibInflateReset2(strm, windowBits);
    initialised = true;
    const sink: Sink = { out: new Uint8Array(maxBytes + 1), total: 0, limit: maxBytes };
    let result: RunResult;
    try {
      result = run(strm, data, sink, () => maxBytes, false);
    } catch (e) {
      if (e instanceof Exceeded) return { error: `it inflates to more than the ${maxBytes} bytes the tile can hold` };
      throw e;
    }
    if (result.error) return { error: describe(result.error) };
    if (sink.total > maxBytes) return { error: `it inflates to more than the ${maxBytes} bytes the tile can hold` };
    if (result.cutShort) return { error: 'the compressed data is cut short' };
    return sink.out.subarray(0, sink.total);
  };
}
