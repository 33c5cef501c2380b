import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Comlink from 'comlink';
import { collectTransferables, progressProxy, throttle, transferTree } from './transfer';
import { echoPools } from './echoPools.testing';

describe('collectTransferables', () => {
  it('finds every buffer in a nested tree once', () => {
    const a = new Float32Array(8);
    const aView = a.subarray(2, 4); // same buffer as a
    const b = new Uint16Array(4);
    const bare = new ArrayBuffer(16);
    const dv = new DataView(new ArrayBuffer(8));
    const inMap = new Int32Array(2);
    const inSet = new Uint8Array(3);
    const tree = {
      a,
      nested: { list: [b, aView, { deeper: bare }], dv },
      map: new Map<unknown, unknown>([['k', inMap]]),
      set: new Set([inSet]),
      n: 3,
      s: 'text',
      nothing: null,
    };
    const found = collectTransferables(tree);
    expect(new Set(found)).toEqual(new Set([a.buffer, b.buffer, bare, dv.buffer, inMap.buffer, inSet.buffer]));
    expect(found).toHaveLength(6);
  });

  it('skips SharedArrayBuffers, empty and detached buffers, and survives cycles', () => {
    const shared = new Float32Array(new SharedArrayBuffer(16));
    const empty = new Float32Array(0);
    const detached = new Float32Array(4);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(detached.byteLength).toBe(0);
    const kept = new Float64Array(2);
    const cyclic: Record<string, unknown> = { kept, shared, sharedBuffer: shared.buffer, empty, detached };
    cyclic.self = cyclic;
    expect(collectTransferables(cyclic)).toEqual([kept.buffer]);
  });

  it('does not enter comlink proxies, which are not cloned', () => {
    const callback = Comlink.proxy({ scratch: new Float32Array(4) });
    expect(collectTransferables({ callback })).toEqual([]);
  });

  it('accepts a typed array or primitive at the root', () => {
    const a = new Int16Array(3);
    expect(collectTransferables(a)).toEqual([a.buffer]);
    expect(collectTransferables(42)).toEqual([]);
  });

  it('gives a list postMessage accepts, moving the buffers', () => {
    const a = new Float32Array([1, 2, 3]);
    const tree = { a, alias: a.subarray(1) };
    const copy = structuredClone(tree, { transfer: collectTransferables(tree) });
    expect(a.byteLength).toBe(0);
    expect(Array.from(copy.a)).toEqual([1, 2, 3]);
    expect(copy.alias.buffer).toBe(copy.a.buffer);
  });
});

describe('moving typed arrays to and from a worker', () => {
  const makePool = echoPools();
  const makeData = () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Uint16Array([10, 20]);
    return { a, nested: { b, alias: a.subarray(1, 3) } };
  };

  it('transferTree detaches the sender side buffers (moved, not copied)', async () => {
    const pool = makePool();
    const data = makeData();
    const result = await pool.run((api) => api.sum(transferTree(data)));
    expect(result).toEqual({ total: 40, aliasShared: true });
    expect(data.a.byteLength).toBe(0);
    expect(data.nested.b.byteLength).toBe(0);
    expect(data.nested.alias.byteLength).toBe(0);
  });

  it('without transferTree the sender keeps its copy', async () => {
    const pool = makePool();
    const data = makeData();
    await expect(pool.run((api) => api.sum(data))).resolves.toEqual({ total: 40, aliasShared: true });
    expect(data.a.byteLength).toBe(16);
    expect(Array.from(data.nested.b)).toEqual([10, 20]);
  });

  it('receives an array the worker transferred back', async () => {
    const pool = makePool();
    const ramp = await pool.run((api) => api.ramp(5));
    expect(ramp).toBeInstanceOf(Float32Array);
    expect(Array.from(ramp)).toEqual([0, 1, 2, 3, 4]);
  });

  it('progressProxy delivers the final progress call of a burst', async () => {
    const pool = makePool();
    const seen: number[] = [];
    const progress = progressProxy((done: number) => void seen.push(done));
    await expect(pool.run((api) => api.count(500, progress))).resolves.toBe(500);
    // The trailing call may land after the result: it travels on its own port.
    await vi.waitFor(() => expect(seen.at(-1)).toBe(500), { timeout: 5_000, interval: 20 });
    expect(seen[0]).toBe(1);
    // Deliveries are in order and never repeat a value.
    expect(seen.every((v, i) => i === 0 || v > seen[i - 1]!)).toBe(true);
  });
});

describe('throttle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the first call at once and collapses a burst into one trailing call', () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const t = throttle((n: number) => void calls.push(n), 100);
    t(1);
    expect(calls).toEqual([1]);
    for (let i = 2; i <= 50; i++) t(i);
    expect(calls).toEqual([1]);
    vi.advanceTimersByTime(99);
    expect(calls).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([1, 50]);
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual([1, 50]);
  });

  it('delivers at most once per interval under a steady stream', () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const t = throttle((n: number) => void calls.push(n), 100);
    for (let ms = 0; ms < 1000; ms += 10) {
      t(ms);
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(100);
    expect(calls.length).toBeGreaterThanOrEqual(10);
    expect(calls.length).toBeLessThanOrEqual(11);
    expect(calls.at(-1)).toBe(990); // the last call always arrives
  });

  it('calls again at once after a quiet interval', () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const t = throttle((n: number) => void calls.push(n), 100);
    t(1);
    vi.advanceTimersByTime(150);
    t(2);
    expect(calls).toEqual([1, 2]);
  });

  it('flush delivers the pending call now; cancel drops it', () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const t = throttle((n: number) => void calls.push(n), 100);
    t(1);
    t(2);
    t.flush();
    expect(calls).toEqual([1, 2]);
    t.flush(); // nothing pending
    expect(calls).toEqual([1, 2]);
    vi.advanceTimersByTime(200);
    t(3);
    t(4);
    t.cancel();
    vi.advanceTimersByTime(200);
    expect(calls).toEqual([1, 2, 3]);
  });

  it('logs, not throws, when the callback fails', async () => {
    vi.useFakeTimers();
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const sync = throttle(() => {
        throw new Error('sync');
      });
      expect(() => sync()).not.toThrow();
      const rejecting = throttle(() => Promise.reject(new Error('async')));
      rejecting();
      await vi.advanceTimersByTimeAsync(0);
      expect(log).toHaveBeenCalledTimes(2);
    } finally {
      log.mockRestore();
    }
  });
});
