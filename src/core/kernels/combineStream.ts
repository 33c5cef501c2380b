/**
 * Combining a stack too large for memory, strip by strip: every frame's rows
 * y0..y1 are read, combined with combine() and handed to a sink, so the
 * memory used is bounded by the budget whatever the number and size of the
 * frames (ccdproc's mem_limit, DRAGONS' `memory` parameter). Each output
 * pixel depends only on the input pixels at the same place, so the streamed
 * result is identical to combining everything at once.
 */
import { combine, type CombineInput, type CombineOptions, type CombineResult } from './combine';
import { CancelledError, isCancelRequested, type CancelCheck } from '../cancel';

export interface StripSource {
  nFrames: number;
  width: number;
  height: number;
  /**
   * Bytes per pixel per frame the strips will hold; default
   * DEFAULT_BYTES_PER_PIXEL_PER_FRAME (sci + var + dq). A source that knows
   * its frames have no VAR or DQ can say 4 and get taller strips.
   */
  bytesPerPixelPerFrame?: number;
  /**
   * Height of the bands the frames are stored in. When the budget allows
   * strips at least this tall, their height is rounded down to a multiple of
   * it, so every stored band is read once rather than once per strip it spans.
   */
  alignRows?: number;
  /** Rows y0 (inclusive) to y1 (exclusive) of one frame: planes of (y1 - y0) * width pixels. */
  readStrip(frameIndex: number, y0: number, y1: number): Promise<CombineInput>;
}

export interface StripSink {
  writeStrip(y0: number, y1: number, result: CombineResult): Promise<void>;
}

/** What combineStreamed checks between strips (a worker token or an AbortSignal). */
export type CancelToken = CancelCheck;
export { CancelledError };

/** sci float32 + var float32 + dq uint16. */
export const DEFAULT_BYTES_PER_PIXEL_PER_FRAME = 10;
/** Output planes of one strip: sci, var (float32), dq, rejectMap, nUsed (uint16). */
export const OUTPUT_BYTES_PER_PIXEL = 4 + 4 + 2 + 2 + 2;

/**
 * Rows per strip so that all frames' strips plus the output planes fit in
 * memoryBytes:
 *   rows = floor(memoryBytes / (width * (nFrames * bytesPerPixelPerFrame + OUTPUT_BYTES_PER_PIXEL)))
 * and at least 1 (one row is the least a strip can be; a budget below that
 * is exceeded rather than refused). The combine scratch (a few times nFrames
 * numbers) is negligible and not counted.
 */
export function stripHeightFor(memoryBytes: number, nFrames: number, width: number, bytesPerPixelPerFrame: number): number {
  if (!(nFrames >= 1 && width >= 1 && bytesPerPixelPerFrame > 0)) throw new Error('stripHeightFor: nFrames, width and bytesPerPixelPerFrame must be positive');
  const perRow = width * (nFrames * bytesPerPixelPerFrame + OUTPUT_BYTES_PER_PIXEL);
  const rows = Math.floor(memoryBytes / perRow);
  return rows >= 1 ? rows : 1;
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
  let rows = Math.min(height, stripHeightFor(opts.memoryBytes, nFrames, width, bpp));
  const align = source.alignRows ?? 0;
  if (align > 1 && rows >= align && rows < height) rows -= rows % align;
  const total = Math.ceil(height / rows);
  let done = 0;
  for (let y0 = 0; y0 < height; y0 += rows) {
    if (isCancelRequested(cancel)) throw new CancelledError('combine cancelled');
    const y1 = Math.min(height, y0 + rows);
    const expected = (y1 - y0) * width;
    // A fresh list per strip: the previous strips become garbage before these are read.
    const inputs: CombineInput[] = [];
    for (let k = 0; k < nFrames; k++) {
      const strip = await source.readStrip(k, y0, y1);
      if (strip.sci.length !== expected) {
        throw new Error(`combineStreamed: frame ${k} rows ${y0}-${y1} gave ${strip.sci.length} pixels, expected ${expected}`);
      }
      inputs.push(strip);
    }
    const result = combine(inputs, opts);
    await sink.writeStrip(y0, y1, result);
    done++;
    progress?.(done, total);
  }
}
