/**
 * Cooperative cancellation as the kernels see it: something to look at
 * between strips. The worker-side token (workers/cancel.ts) and an
 * AbortSignal both fit this shape.
 */
export type CancelCheck = ({ readonly cancelled: boolean } | { readonly aborted: boolean }) & {
  /**
   * Lets a cancel sent as a message arrive: a worker's token that is not
   * backed by shared memory learns of Cancel only when its event loop turns,
   * which a run of synchronous steps never lets it do. Yields at most every
   * few tens of milliseconds; absent where the flag is read directly.
   */
  letCancelArrive?(): Promise<void>;
};

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(message = 'Operation cancelled') {
    super(message);
  }
}

export function isCancelRequested(token: CancelCheck | undefined): boolean {
  if (!token) return false;
  return ('cancelled' in token && token.cancelled) || ('aborted' in token && token.aborted);
}

/** Between two steps: lets a cancel arrive, then says whether there was one. */
export async function cancelRequestedNow(token: CancelCheck | undefined): Promise<boolean> {
  if (!token) return false;
  await token.letCancelArrive?.();
  return isCancelRequested(token);
}
