/**
 * Cooperative cancellation as the kernels see it: something to look at
 * between strips. The worker-side token (workers/cancel.ts) and an
 * AbortSignal both fit this shape.
 */
export type CancelCheck = { readonly cancelled: boolean } | { readonly aborted: boolean };

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
