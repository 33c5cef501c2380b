/**
 * Combining a stack too large for memory, strip by strip: every frame's rows
 * y0..y1 are read, combined with combine() and handed to a sink, so the
 * memory used is bounded by the budget whatever the number and size of the
 * frames (ccdproc's mem_limit, DRAGONS' `memory` parameter). Each output
 * pixel depends only on the input pixels at the same place, so the streamed
 * result is identical to combining everything at once.
 */
import { combine, combineScratchBytes, type CombineInput, type CombineOptions, type CombineResult } from './combine';
import { CancelledError, isCancelRequested, type CancelCheck } from '../cancel';
import { carving, releaseScratch, scratch, type Allocator } from './scratch';

export interface StripSource {
  nFrames: number;
  width: number;
  height: number;
  /**
   * Bytes per pixel per frame a strip allocates while it is read and held:
   * what readStrip returns plus any copy the store makes on the way (a
   * record read whole before its rows are copied out). Default
   * DEFAULT_BYTES_PER_PIXEL_PER_FRAME (sci + var + dq).
   */
  bytesPerPixelPerFrame?: number;
  /**
   * Height of the bands the frames are stored in, when the store can only
   * read whole bands (IndexedDB records). Strips are then whole bands, so
   * every band is read once; a budget too small for one band of every frame
   * is refused, since it could only be kept by reading each band again for
   * every strip inside it.
   */
  alignRows?: number;
  /** Bytes to keep aside for the store's own small allocations (RESERVE_BYTES for IndexedDB); default 0. */
  reserveBytes?: number;
  /**
   * Bytes per pixel of a strip held once, whatever the number of frames:
   * what reading one frame keeps for the next (a shift's band and its
   * temporaries, given back to `alloc` for the next frame while the others
   * are read and combined). Default 0.
   */
  sharedBytesPerPixel?: number;
  /**
   * Rows y0 (inclusive) to y1 (exclusive) of one frame: planes of (y1 - y0)
   * * width pixels. Arrays the source makes for the strip come from `alloc`
   * (a Carving of the scratch pool's buffers when the sink copies: they are
   * dead once the strip is written, so nothing may keep them).
   */
  readStrip(frameIndex: number, y0: number, y1: number, alloc: Allocator): Promise<CombineInput>;
  /** The strip readStrip gave is combined and written: the source gives what it made for it back to `alloc`. */
  release?(frameIndex: number, strip: CombineInput, alloc: Allocator): void;
}

export interface StripSink {
  /** Bytes the sink holds while the combine runs (a buffer of output rows, and its copies as it writes them); counted in the budget. */
  bufferBytes?: number;
  writeStrip(y0: number, y1: number, result: CombineResult): Promise<void>;
  /**
   * writeStrip copies the result before it resolves: a strip's arrays (the
   * source's, the result) are then dead once it is written, and are cut out
   * of the scratch pool's buffers (scratch.ts, carving).
   */
  copies?: boolean;
}

/** What combineStreamed checks between strips (a worker token or an AbortSignal). */
export type CancelToken = CancelCheck;
export { CancelledError };

/** sci float32 + var float32 + dq uint16. */
export const DEFAULT_BYTES_PER_PIXEL_PER_FRAME = 10;
/**
 * Per pixel of a strip, the most combine() allocates: the output planes sci,
 * var (float32), dq, rejectMap, nUsed (uint16; the last two only with maps),
 * and the zero DQ plane it lends frames without one when others have one.
 */
export const OUTPUT_BYTES_PER_PIXEL = 4 + 4 + 2 + 2 + 2 + 2;

/**
 * What a source reading IndexedDB keeps aside for the allocations planned
 * one by one nowhere: its keys, requests and promises while it reads and
 * writes. What test/combineBudget.test.ts measures above the planned bytes
 * stays under it.
 */
export const RESERVE_BYTES = 2 ** 20;

/** What planStrips needs to know of the frames. */
export interface StripShape {
  nFrames: number;
  width: number;
  height: number;
  bytesPerPixelPerFrame: number;
  alignRows?: number;
  /** The combine makes its rejection maps (two more uint16 planes). */
  maps?: boolean;
  /** Bytes the source keeps aside (see StripSource.reserveBytes). */
  reserveBytes?: number;
  /** See StripSource.sharedBytesPerPixel. */
  sharedBytesPerPixel?: number;
}

export interface StripPlan {
  /** Rows per strip (the last may be shorter). */
  rows: number;
  /** Bytes the plan allocates at most: strips, outputs, combine scratch, the sink's buffer. */
  bytes: number;
}

const MB = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MB` : `${Math.ceil(b / 1024)} kB`);

/**
 * The tallest strip whose bytes, everything counted, fit memoryBytes:
 *   rows * width * (nFrames * bytesPerPixelPerFrame + shared + output planes)
 *   + combineScratchBytes(nFrames) + reserveBytes + sinkBytes
 * in whole bands when the frames are stored in bands (alignRows). A budget
 * below one row (or one band) of every frame is refused with the minimum it
 * would take: exceeding it silently, or re-reading bands, would break the
 * promise the budget makes.
 */
export function planStrips(
  memoryBytes: number,
  s: StripShape,
  sinkBytes = 0,
): StripPlan {
  const { nFrames, width, height, bytesPerPixelPerFrame: bpp } = s;
  if (!(nFrames >= 1 && width >= 1 && height >= 1 && bpp > 0)) throw new Error('combine: nFrames, width, height and bytes per pixel must be positive');
  const align = s.alignRows ?? 1;
  const unit = align > 1 ? Math.min(align, height) : 1;
  const perRow = bytesForStrips(1, s, 0) - bytesForStrips(0, s, 0);
  let rows = Math.floor(Math.floor((memoryBytes - bytesForStrips(0, s, sinkBytes)) / perRow) / unit) * unit;
  if (rows < unit) {
    const what = unit > 1 ? `one ${unit}-row stored band` : 'one row';
    throw new Error(`combine: a memory budget of ${MB(memoryBytes)} is too small for ${nFrames} frames ${width} pixels wide: ${what} of each, with the output, needs ${MB(bytesForStrips(unit, s, sinkBytes))}`);
  }
  rows = Math.min(rows, height);
  return { rows, bytes: bytesForStrips(rows, s, sinkBytes) };
}

/** What strips of `rows` rows take, everything counted: the least budget that plans them. */
export function bytesForStrips(rows: number, s: StripShape, sinkBytes = 0): number {
  const out = s.maps ? OUTPUT_BYTES_PER_PIXEL : OUTPUT_BYTES_PER_PIXEL - 4;
  return rows * s.width * (s.nFrames * s.bytesPerPixelPerFrame + (s.sharedBytesPerPixel ?? 0) + out) + combineScratchBytes(s.nFrames) + (s.reserveBytes ?? 0) + sinkBytes;
}

/**
 * Streams the combine over strips. progress(done, total) is called after each
 * strip is written; cancel is checked before each strip is read, and a
 * cancelled run throws CancelledError (strips already written stay written).
 */
export async function combineStreamed(
  source: StripSource,
  opts: CombineOptions & { memoryBytes: number },
  sink: StripSink,
  progress?: (stripsDone: number, stripsTotal: number) => void,
  cancel?: CancelToken,
): Promise<void> {
  const { nFrames, width, height } = source;
  if (!(nFrames >= 1 && width >= 1 && height >= 1)) throw new Error('combineStreamed: source must have frames, width and height >= 1');
  const bpp = source.bytesPerPixelPerFrame ?? DEFAULT_BYTES_PER_PIXEL_PER_FRAME;
  const { rows, bytes } = planStrips(opts.memoryBytes, { nFrames, width, height, bytesPerPixelPerFrame: bpp, alignRows: source.alignRows, maps: opts.maps, reserveBytes: source.reserveBytes, sharedBytesPerPixel: source.sharedBytesPerPixel }, sink.bufferBytes ?? 0);
  const total = Math.ceil(height / rows);
  // One strip per call: its inputs and result die with the call's frame, where the loop's own
  // locals could stay alive across the next strip's reads (measured: one strip's outputs more).
  const strip = async (y0: number, y1: number, alloc: Allocator): Promise<void> => {
    const expected = (y1 - y0) * width;
    const inputs: CombineInput[] = [];
    for (let k = 0; k < nFrames; k++) {
      const s = await source.readStrip(k, y0, y1, alloc);
      if (s.sci.length !== expected) {
        throw new Error(`combineStreamed: frame ${k} rows ${y0}-${y1} gave ${s.sci.length} pixels, expected ${expected}`);
      }
      inputs.push(s);
    }
    const result = combine(inputs, opts, alloc);
    await sink.writeStrip(y0, y1, result);
    inputs.forEach((s, k) => source.release?.(k, s, alloc));
    if (sink.copies) alloc.give(result.sci, result.var, result.dq, result.rejectMap, result.nUsed);
  };
  let done = 0;
  const each = async (y0: number, alloc: Allocator): Promise<void> => {
    if (isCancelRequested(cancel)) throw new CancelledError('combine cancelled');
    await strip(y0, Math.min(height, y0 + rows), alloc);
    progress?.(++done, total);
  };
  const starts = Array.from({ length: total }, (_, i) => i * rows);
  if (sink.copies) {
    // A strip's arrays (the frames' rows, their shifts, the result) are dead once it is written:
    // they are cut out of the pool's buffers, at most the strips' planned bytes of those lent, and
    // the buffers are kept whole for the steps after (kernels/scratch.ts).
    await carving(bytes, starts, each);
    return;
  }
  for (const y0 of starts) {
    // The last strip is shorter: the pool's arrays of the others would sit beside its own, over the budget.
    if (y0 > 0 && y0 + rows > height) releaseScratch();
    await each(y0, scratch);
  }
}
