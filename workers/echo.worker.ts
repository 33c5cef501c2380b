/**
 * Test-only worker for the pool, cancel and transfer tests (Node
 * worker_threads; started with spawnNodeWorker). Each method exercises one
 * behaviour the app's real workers rely on.
 */
import { parentPort, threadId } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { tokenFromTransfer, type CancelToken } from './cancel';
import { transferTree } from './transfer';

function sumOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/** One "strip" of make-work, small enough that a loop checks its token often. */
function strip(buffer: Float64Array): number {
  for (let i = 0; i < buffer.length; i++) buffer[i] = Math.sqrt(buffer[i]! + i);
  return buffer[0]!;
}

const api = {
  echo<T>(value: T): T {
    return value;
  },
  threadId(): number {
    return threadId;
  },
  fail(message: string): never {
    throw new Error(message);
  },
  /** Sums every typed array it receives; reports what arrived. */
  sum(data: { a: Float32Array; nested: { b: Uint16Array; alias: Float32Array } }) {
    return {
      total: sumOf(data.a) + sumOf(data.nested.b),
      aliasShared: data.nested.alias.buffer === data.a.buffer,
    };
  },
  /** Returns a new array moved (not copied) back to the caller. */
  ramp(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return transferTree(out);
  },
  /**
   * Loops over strips until cancelled, awaiting token.checkpoint() between
   * strips (works in both modes). Calls onStarted once the loop runs.
   * Returns the strip count if not cancelled within maxMs, which a test
   * treats as failure.
   */
  async spin(t: CancelToken, onStarted: () => void, maxMs: number): Promise<number> {
    const token = tokenFromTransfer(t);
    const work = new Float64Array(256);
    const t0 = performance.now();
    let strips = 0;
    void onStarted();
    while (performance.now() - t0 < maxMs) {
      await token.checkpoint();
      strip(work);
      strips++;
    }
    return strips;
  },
  /**
   * Same loop without ever yielding: only a shared-memory token can stop it.
   * onStarted is called (a message posted) before the loop blocks the thread.
   */
  spinSync(t: CancelToken, onStarted: () => void, maxMs: number): number {
    const token = tokenFromTransfer(t);
    const work = new Float64Array(256);
    const t0 = performance.now();
    let strips = 0;
    void onStarted();
    while (performance.now() - t0 < maxMs) {
      token.throwIfCancelled();
      strip(work);
      strips++;
    }
    return strips;
  },
  /** Calls onProgress(1..n) in a tight loop, as a kernel reporting strips would. */
  count(n: number, onProgress: (done: number, total: number) => void): number {
    for (let i = 1; i <= n; i++) void onProgress(i, n);
    return n;
  },
  /** Dies: by an uncaught exception or by exiting. Never answers. */
  crash(how: 'throw' | 'exit'): Promise<never> {
    setTimeout(() => {
      if (how === 'exit') process.exit(3);
      throw new Error('boom from the echo worker');
    }, 0);
    return new Promise<never>(() => undefined);
  },
};

export type EchoApi = typeof api;

Comlink.expose(api, nodeEndpoint(parentPort!));
