import { afterEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  CancelToken,
  NEVER_CANCELLED,
  cancelTransferHandler,
  createCancelSource,
  defaultCancelMode,
  isCancelledError,
  tokenFromTransfer,
  type CancelMode,
  type CancelSource,
  type CancelWire,
} from './cancel';
import { echoPools } from './echoPools.testing';
import * as Comlink from 'comlink';

const sources: CancelSource[] = [];
function source(...args: Parameters<typeof createCancelSource>): CancelSource {
  const s = createCancelSource(...args);
  sources.push(s);
  return s;
}
afterEach(() => {
  for (const s of sources.splice(0)) s.dispose();
});

/** What comlink does on the way: serialise on one side, deserialise on the other. */
function roundTrip(token: CancelToken): CancelToken {
  const [wire] = cancelTransferHandler.serialize(token);
  return cancelTransferHandler.deserialize(wire);
}

/** How many checkpoint() calls pass before one throws CancelledError (limit if none does). */
async function checkpointsUntilCancelled(token: CancelToken, limit: number): Promise<number> {
  for (let i = 0; i < limit; i++) {
    try {
      await token.checkpoint();
    } catch (error) {
      expect(error).toBeInstanceOf(CancelledError);
      return i;
    }
  }
  return limit;
}

describe('CancelSource on the creating side', () => {
  it('flips the token synchronously and throws CancelledError', () => {
    const { token, cancel } = source({ mode: 'port' });
    expect(token.cancelled).toBe(false);
    expect(() => token.throwIfCancelled()).not.toThrow();
    cancel();
    cancel(); // idempotent
    expect(token.cancelled).toBe(true);
    expect(() => token.throwIfCancelled()).toThrow(CancelledError);
  });

  it('follows an AbortSignal, including one already aborted', () => {
    const controller = new AbortController();
    const linked = source({ signal: controller.signal });
    expect(linked.token.cancelled).toBe(false);
    controller.abort();
    expect(linked.token.cancelled).toBe(true);
    expect(source({ signal: AbortSignal.abort() }).token.cancelled).toBe(true);
  });

  it('stops following the signal once disposed', () => {
    const controller = new AbortController();
    const linked = createCancelSource({ signal: controller.signal });
    linked.dispose();
    controller.abort();
    expect(linked.token.cancelled).toBe(false);
  });

  it('uses the port mode when the page is not cross-origin isolated', () => {
    expect((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated).not.toBe(true);
    expect(defaultCancelMode()).toBe('port');
  });

  it('recognises a CancelledError rebuilt by comlink (a plain Error carrying the name)', () => {
    const rebuilt = Object.assign(new Error('Operation cancelled'), { name: 'CancelledError' });
    expect(isCancelledError(rebuilt)).toBe(true);
    expect(isCancelledError(new CancelledError())).toBe(true);
    expect(isCancelledError(new Error('other'))).toBe(false);
    expect(isCancelledError('CancelledError')).toBe(false);
  });
});

describe('tokens rebuilt on the receiving side', () => {
  it('shared mode sees cancel() at once, without yielding', () => {
    const { token, cancel } = source({ mode: 'shared' });
    const remote = roundTrip(token);
    expect(remote).not.toBe(token);
    expect(remote.cancelled).toBe(false);
    cancel();
    expect(remote.cancelled).toBe(true);
    expect(() => remote.throwIfCancelled()).toThrow(CancelledError);
  });

  it('port mode sees cancel() only after checkpoint() lets the event loop turn', async () => {
    const { token, cancel } = source({ mode: 'port', checkpointMs: 0 });
    const remote = roundTrip(token);
    cancel();
    // The message is queued, not delivered: a synchronous loop cannot see it.
    expect(remote.cancelled).toBe(false);
    expect(() => remote.throwIfCancelled()).not.toThrow();
    // Each checkpoint yields one timer turn; the message lands within a few
    // (Node delivers port messages in the poll phase, after the timer).
    expect(await checkpointsUntilCancelled(remote, 10)).toBeLessThan(10);
    expect(remote.cancelled).toBe(true);
  });

  it('port mode checkpoint() does not yield before checkpointMs has passed', async () => {
    const { token, cancel } = source({ mode: 'port', checkpointMs: 60 * 60 * 1000 });
    const remote = roundTrip(token);
    cancel();
    // Within the interval checkpoint() never reaches the event loop, so the
    // message stays undelivered however often it is called.
    for (let i = 0; i < 100; i++) await remote.checkpoint();
    expect(remote.cancelled).toBe(false);
  });

  it('a token cancelled before it is sent arrives cancelled', () => {
    for (const mode of ['port', 'shared'] as CancelMode[]) {
      const { token, cancel } = source({ mode });
      cancel();
      expect(roundTrip(token).cancelled).toBe(true);
    }
  });

  it('one token sent twice is cancelled on both receivers', async () => {
    const { token, cancel } = source({ mode: 'port', checkpointMs: 0 });
    const first = roundTrip(token);
    const second = roundTrip(token);
    cancel();
    expect(await checkpointsUntilCancelled(first, 10)).toBeLessThan(10);
    expect(await checkpointsUntilCancelled(second, 10)).toBeLessThan(10);
  });

  it('tokenFromTransfer accepts tokens, wire forms and nothing', () => {
    const { token } = source({ mode: 'shared' });
    expect(tokenFromTransfer(token)).toBe(token);
    expect(tokenFromTransfer(undefined)).toBe(NEVER_CANCELLED);
    const [neverWire] = NEVER_CANCELLED.toWire();
    expect(tokenFromTransfer(neverWire)).toBe(NEVER_CANCELLED);
    expect(() => tokenFromTransfer({ kind: 'nope' } as unknown as CancelWire)).toThrow(TypeError);
  });

  it('only the creating side can forward a port-mode token; shared ones forward anywhere', () => {
    const port = roundTrip(source({ mode: 'port' }).token);
    expect(() => port.toWire()).toThrow(/side that created it/);
    const { token, cancel } = source({ mode: 'shared' });
    const forwarded = roundTrip(roundTrip(token));
    cancel();
    expect(forwarded.cancelled).toBe(true);
  });

  it('registers itself as the comlink transfer handler "cancel"', () => {
    expect(Comlink.transferHandlers.get('cancel')).toBe(cancelTransferHandler);
  });
});

describe('cancelling a task running in a worker', () => {
  const makePool = echoPools();
  // If cancellation failed, the worker loop would end after this long and
  // resolve, failing the test (well inside the test timeout).
  const MAX_MS = 20_000;

  it.each(['port', 'shared'] as CancelMode[])(
    'stops a loop that awaits checkpoint() between strips (%s mode)',
    async (mode) => {
      const pool = makePool();
      const { token, cancel } = source({ mode });
      const outcome = pool.run((api) => api.spin(token, Comlink.proxy(cancel), MAX_MS));
      const error = await outcome.then(
        (strips) => new Error(`not cancelled: ran ${strips} strips`),
        (e: unknown) => e,
      );
      expect(isCancelledError(error)).toBe(true);
      // The worker is healthy afterwards and was not replaced.
      await expect(pool.run((api) => api.echo('ok'))).resolves.toBe('ok');
      expect(pool.started).toBe(1);
    },
  );

  it('stops a loop that never yields when the token is shared memory', async () => {
    const pool = makePool();
    const { token, cancel } = source({ mode: 'shared' });
    const error = await pool
      .run((api) => api.spinSync(token, Comlink.proxy(cancel), MAX_MS))
      .then(
        (strips) => new Error(`not cancelled: ran ${strips} strips`),
        (e: unknown) => e,
      );
    expect(isCancelledError(error)).toBe(true);
  });
});
