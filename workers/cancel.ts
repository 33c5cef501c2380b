/**
 * Cooperative cancellation across the comlink boundary.
 *
 * A kernel in a worker runs a loop over strips of rows; between strips it asks
 * "was I cancelled?". The question must be answerable *synchronously* from
 * inside that loop, so the token carries its own state to the worker:
 *
 * - `shared` mode (the page is crossOriginIsolated, so SharedArrayBuffer can
 *   be posted): one Int32 in a SharedArrayBuffer. `cancel()` stores 1 with
 *   Atomics; the worker sees it on its next `throwIfCancelled()` even inside a
 *   loop that never yields.
 * - `port` mode (everywhere else): a MessageChannel; `cancel()` posts on it.
 *   A message is only delivered when the worker's event loop turns, so the
 *   loop must `await token.checkpoint()` between strips. checkpoint() yields
 *   through a zero-delay timer only once every `checkpointMs` (default 50 ms),
 *   so the cost is a few percent of run time while cancellation still lands
 *   within about one strip plus 50 ms.
 *
 * Main side:
 *   const { token, cancel, dispose } = createCancelSource({ signal });
 *   const p = pool.run(api => api.combine(frames, token));
 *   ...cancel();                  // or abort the signal
 *   try { await p } catch (e) { if (isCancelledError(e)) ... } finally { dispose() }
 *
 * Worker side (importing this module registers the comlink transfer handler
 * named "cancel", which rebuilds the token; tokenFromTransfer also accepts
 * the raw wire form, e.g. when the token travelled inside a plain message):
 *   async combine(frames, t: CancelToken) {
 *     const token = tokenFromTransfer(t);
 *     for (const strip of strips) { await token.checkpoint(); work(strip); }
 *   }
 *
 * A CancelledError thrown in the worker reaches the main side through comlink
 * as a plain Error whose name is still "CancelledError": test with
 * isCancelledError(), not instanceof.
 */
import * as Comlink from 'comlink';
import { CancelledError } from '../src/core/cancel';

// One error class for kernels and workers alike.
export { CancelledError };

/** True for a CancelledError, including one rebuilt by comlink on this side. */
export function isCancelledError(error: unknown): boolean {
  return error instanceof Error && error.name === 'CancelledError';
}

export type CancelMode = 'shared' | 'port';

/** What crosses the boundary; tokenFromTransfer turns it back into a token. */
export type CancelWire =
  | { kind: 'cancel-token'; mode: 'shared'; flag: SharedArrayBuffer; checkpointMs: number }
  | { kind: 'cancel-token'; mode: 'port'; port: MessagePort; cancelled: boolean; checkpointMs: number }
  | { kind: 'cancel-token'; mode: 'never' };

/** Default minimum time between event-loop yields in checkpoint(). */
export const DEFAULT_CHECKPOINT_MS = 50;

const CANCEL_MESSAGE = 'cancel';

/** How one token reads its flag and, on the creating side, how it is sent. */
interface TokenState {
  isCancelled(): boolean;
  /** Only port mode needs the event loop to turn for the flag to change. */
  readonly needsYield: boolean;
  readonly checkpointMs: number;
  toWire?(): [CancelWire, Transferable[]];
}

export class CancelToken {
  private lastYield = now();

  /** Tokens come from createCancelSource or tokenFromTransfer. */
  constructor(private readonly state: TokenState) {}

  get cancelled(): boolean {
    return this.state.isCancelled();
  }

  throwIfCancelled(): void {
    if (this.state.isCancelled()) throw new CancelledError();
  }

  /**
   * Call between strips. In port mode, lets the event loop run (so a cancel
   * message can arrive) once every checkpointMs; then throws if cancelled.
   */
  async checkpoint(): Promise<void> {
    await this.letCancelArrive();
    this.throwIfCancelled();
  }

  /** In port mode, a turn of the event loop (so a cancel message can arrive) once every checkpointMs. */
  async letCancelArrive(): Promise<void> {
    if (!this.state.needsYield) return;
    const t = now();
    if (t - this.lastYield < this.state.checkpointMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.lastYield = now();
  }

  /** @internal the transfer handler's serialiser. */
  toWire(): [CancelWire, Transferable[]] {
    if (!this.state.toWire) {
      throw new Error('A port-mode cancel token can only be sent from the side that created it');
    }
    return this.state.toWire();
  }
}

/** A token that is never cancelled: the default for callers without one. */
export const NEVER_CANCELLED: CancelToken = new CancelToken({
  isCancelled: () => false,
  needsYield: false,
  checkpointMs: DEFAULT_CHECKPOINT_MS,
  toWire: () => [{ kind: 'cancel-token', mode: 'never' }, []],
});

export interface CancelSource {
  token: CancelToken;
  /** Idempotent. */
  cancel(): void;
  /** Closes the message ports and unhooks the signal; call once the task has settled. */
  dispose(): void;
}

export interface CancelSourceOptions {
  /** 'shared' needs SharedArrayBuffer and, in a browser, crossOriginIsolated. Default: 'shared' when crossOriginIsolated, else 'port'. */
  mode?: CancelMode;
  /** Aborting this signal cancels the source. */
  signal?: AbortSignal;
  /** Minimum time between event-loop yields in checkpoint() (port mode). */
  checkpointMs?: number;
}

export function defaultCancelMode(): CancelMode {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return isolated && typeof SharedArrayBuffer === 'function' ? 'shared' : 'port';
}

export function createCancelSource(options: CancelSourceOptions = {}): CancelSource {
  const mode = options.mode ?? defaultCancelMode();
  const checkpointMs = options.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
  let cancelled = false;
  let disposed = false;
  // Port mode: one channel per time the token is sent, so one token can go to
  // several workers (or to the same worker twice).
  const ports = new Set<MessagePort>();
  const flag = mode === 'shared' ? new Int32Array(new SharedArrayBuffer(4)) : undefined;

  const state: TokenState = {
    isCancelled: () => cancelled,
    needsYield: false, // on the creating side the flag is set synchronously by cancel()
    checkpointMs,
    toWire() {
      if (flag) {
        return [{ kind: 'cancel-token', mode: 'shared', flag: flag.buffer as SharedArrayBuffer, checkpointMs }, []];
      }
      const { port1, port2 } = new MessageChannel();
      if (disposed) port1.close();
      else ports.add(port1);
      return [{ kind: 'cancel-token', mode: 'port', port: port2, cancelled, checkpointMs }, [port2]];
    },
  };

  const cancel = (): void => {
    if (cancelled) return;
    cancelled = true;
    if (flag) Atomics.store(flag, 0, 1);
    for (const port of ports) port.postMessage(CANCEL_MESSAGE);
  };
  const onAbort = (): void => cancel();
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    options.signal?.removeEventListener('abort', onAbort);
    for (const port of ports) port.close();
    ports.clear();
  };

  return { token: new CancelToken(state), cancel, dispose };
}

function isCancelWire(value: unknown): value is CancelWire {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'cancel-token';
}

/** Rebuilds a token on the receiving side; a token that is already one is returned as is. */
export function tokenFromTransfer(value: CancelToken | CancelWire | undefined | null): CancelToken {
  if (value == null) return NEVER_CANCELLED;
  if (value instanceof CancelToken) return value;
  if (!isCancelWire(value)) throw new TypeError('Not a cancel token');
  if (value.mode === 'never') return NEVER_CANCELLED;
  const checkpointMs = value.checkpointMs;
  if (value.mode === 'shared') {
    const flag = new Int32Array(value.flag);
    return new CancelToken({
      isCancelled: () => Atomics.load(flag, 0) !== 0,
      needsYield: false,
      checkpointMs,
      // The same memory can be forwarded to another worker.
      toWire: () => [{ kind: 'cancel-token', mode: 'shared', flag: value.flag, checkpointMs }, []],
    });
  }
  let cancelled = value.cancelled;
  const port = value.port;
  const onMessage = (event: MessageEvent): void => {
    if (event.data === CANCEL_MESSAGE) {
      cancelled = true;
      // Nothing more will come; let the channel be collected.
      port.close();
    }
  };
  if (!cancelled) {
    port.addEventListener('message', onMessage);
    port.start();
  } else {
    port.close();
  }
  return new CancelToken({ isCancelled: () => cancelled, needsYield: true, checkpointMs });
}

/** Comlink transfer handler "cancel": CancelToken <-> CancelWire. */
export const cancelTransferHandler: Comlink.TransferHandler<CancelToken, CancelWire> = {
  canHandle: (value: unknown): value is CancelToken => value instanceof CancelToken,
  serialize: (token) => token.toWire(),
  deserialize: (wire) => tokenFromTransfer(wire),
};

Comlink.transferHandlers.set('cancel', cancelTransferHandler as Comlink.TransferHandler<unknown, unknown>);

function now(): number {
  return performance.now();
}
