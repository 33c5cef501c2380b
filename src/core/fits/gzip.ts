/**
 * Bounded gzip inflation. A .fits.gz is untrusted: its trailer's size field
 * (ISIZE) is never used to size a buffer, the output may never grow past what
 * the caller allows (the FITS headers seen so far decide that, see
 * parse.ts fitsNeed), and the CRC-32 and ISIZE of every member are checked,
 * so a damaged file is an error and never an image with wrong pixels.
 *
 * Why pako and not fflate (which the rest of the reader and the zip export
 * use): fflate's one-shot gunzipSync allocates what ISIZE claims (1 MB of
 * random bytes after a gzip magic asked for 1.95 GB) and its streaming
 * Gunzip checks neither the CRC nor ISIZE. pako is a line-by-line port of
 * zlib: its streaming Inflate checks both ("incorrect data check",
 * "incorrect length check"), reads concatenated members as gzip(1) and
 * Python's gzip do, and hands out output in fixed chunks, so a bound is
 * enforced within one chunk. DecompressionStream would also check, but it is
 * asynchronous only, and the reader is synchronous in workers, in Node and in
 * the command line.
 */
import { Inflate } from 'pako';
import { FitsError } from './types';

/** Output chunk size: the most a bound can be overshot by before inflation stops. */
const CHUNK = 1 << 16;
/** Compressed bytes given to the inflater at a time (deflate expands at most ~1032:1). */
const SLICE = 1 << 16;

/**
 * Given the bytes inflated so far, how many the output may hold. It may throw
 * a FitsError of its own (e.g. a header that declares more than can be held).
 */
export type OutputBound = (out: Uint8Array) => number;

/** A member of a multi-member stream, or a tile: one pako inflater over `input`, output into `sink`. */
interface Sink {
  out: Uint8Array;
  total: number;
  limit: number;
}

class Exceeded extends Error {}

/**
 * Room for `chunk` in the sink. Output may pass the bound by less than one
 * chunk: when what is already held reaches the bound (asked again with those
 * bytes, so headers just inflated can raise it) and more comes, inflation stops.
 */
function append(sink: Sink, chunk: Uint8Array, bound: (out: Uint8Array) => number): void {
  if (sink.total + chunk.length > sink.limit) {
    sink.limit = bound(sink.out.subarray(0, sink.total));
    if (sink.total >= sink.limit) throw new Exceeded();
  }
  const need = sink.total + chunk.length;
  if (need > sink.out.length) {
    // Geometric growth, never past the bound and one chunk: a short stream never costs what its headers claim.
    const next = new Uint8Array(Math.max(need, Math.min(sink.limit + CHUNK, 2 * sink.out.length)));
    next.set(sink.out.subarray(0, sink.total));
    sink.out = next;
  }
  sink.out.set(chunk, sink.total);
  sink.total = need;
}

interface RunResult {
  /** Offset in `input` just after the last member read. */
  end: number;
  error?: string;
  cutShort?: boolean;
}

/** Inflate gzip members (or one zlib/raw stream) from `input[start..]` into `sink`. */
function run(input: Uint8Array, start: number, sink: Sink, bound: OutputBound, windowBits: number, chunkSize = CHUNK): RunResult {
  let pos = start;
  for (;;) {
    const inflater = new Inflate({ chunkSize, windowBits });
    inflater.onData = (chunk: Uint8Array) => append(sink, chunk, bound);
    inflater.onEnd = () => {};
    let fed = pos;
    while (!inflater.ended && fed < input.length) {
      const next = Math.min(input.length, fed + SLICE);
      inflater.push(input.subarray(fed, next), next === input.length);
      fed = next;
    }
    if (!inflater.ended) return { end: fed, cutShort: true };
    // pako's Z_BUF_ERROR at Z_FINISH: the input ended before the stream did.
    if (inflater.err === -5) return { end: fed, cutShort: true };
    if (inflater.err !== 0) return { end: fed, error: inflater.msg || `zlib error ${inflater.err}` };
    // Where this stream (and any members pako read on from the same slice) ended.
    const left = (inflater as unknown as { strm: { avail_in: number } }).strm.avail_in;
    pos = fed - left;
    // A member that ended exactly at a slice's end: the next member, if any, starts here.
    if (windowBits > 16 && pos < input.length && input[pos] === 0x1f && input[pos + 1] === 0x8b) continue;
    return { end: pos };
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
  let result: RunResult;
  try {
    result = run(input, 0, sink, bound, 16 + 15);
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
 * Inflate one compressed tile (gzip or zlib framed, else raw deflate, as
 * fflate's decompressSync accepted) into at most `maxBytes`: a tile that
 * inflates to more is refused without inflating the rest of it.
 */
export function inflateTile(data: Uint8Array, maxBytes: number): Uint8Array | { error: string } {
  const sink: Sink = { out: new Uint8Array(0), total: 0, limit: maxBytes };
  const gzip = data[0] === 0x1f && data[1] === 0x8b;
  const zlib = !gzip && data.length > 1 && (data[0] & 15) === 8 && data[0] >> 4 <= 7 && ((data[0] << 8) | data[1]) % 31 === 0;
  let result: RunResult;
  try {
    // Output chunks no larger than the tile (plus a little, to see it overflow): thousands of tiles each get their own.
    result = run(data, 0, sink, () => maxBytes, gzip ? 16 + 15 : zlib ? 15 : -15, Math.min(CHUNK, maxBytes + 1024));
  } catch (e) {
    if (e instanceof Exceeded) return { error: `it inflates to more than the ${maxBytes} bytes the tile can hold` };
    throw e;
  }
  if (result.error) return { error: describe(result.error) };
  if (result.cutShort) return { error: 'the compressed data is cut short' };
  if (sink.total > maxBytes) return { error: `it inflates to more than the ${maxBytes} bytes the tile can hold` };
  return sink.out.subarray(0, sink.total);
}
