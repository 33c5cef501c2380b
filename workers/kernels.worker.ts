/**
 * Kernels worker: the typed-array kernels off the page, exposed with comlink.
 * Buffers come in and go out as transferables (moved, not copied).
 */
import * as Comlink from 'comlink';
import { holdLifeline } from './lifeline';
import { combineRange, makeCombineResult, type CombineInput, type CombineOptions, type CombineResult } from '../src/core/kernels/combine';
import { getDb } from '../src/db/schema';
import { tokenFromTransfer, type CancelToken } from './cancel';
import { combineStored, type CombineStoredRequest, type CombineStoredResult } from './combineStored';
import { collectTransferables } from './transfer';

export interface KernelsApi {
  /** Streams a combine of stored frames into a new stored product. */
  combineStored(req: CombineStoredRequest, progress?: (done: number, total: number) => void, cancel?: CancelToken): Promise<CombineStoredResult>;
  /** Combines in-memory slabs (e.g. one band of rows of every frame); the result is transferred back. */
  combineSlab(inputs: CombineInput[], opts: CombineOptions): Promise<CombineResult>;
}

const api: KernelsApi = {
  async combineStored(req, progress, cancel) {
    return combineStored(getDb(), req, progress, tokenFromTransfer(cancel));
  },

  async combineSlab(inputs, opts) {
    const n = inputs[0].sci.length;
    const out = makeCombineResult(n, opts.maps === true);
    combineRange(inputs, opts, out, 0, n);
    return Comlink.transfer(out, collectTransferables(out));
  },
};

holdLifeline();
Comlink.expose(api);
