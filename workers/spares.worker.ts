/**
 * Spares worker: writes the pipeline worker's spare files (src/db/spareFiles.ts)
 * on its own thread, one at a time, and answers each request when its file
 * is ready (or could not be made). Started by the pipeline worker itself.
 */
import { writeSpare, type SpareReply, type SpareRequest } from '../src/db/spareFiles';

const zeros = new Uint8Array(1 << 20);
let queue: Promise<unknown> = Promise.resolve();

self.onmessage = (e: MessageEvent<SpareRequest>) => {
  const { name, bytes } = e.data;
  // One file at a time: two written at once would only share this thread.
  queue = queue.then(async () => {
    const ok = await writeSpare(() => navigator.storage.getDirectory(), name, bytes, zeros);
    self.postMessage({ name, ok } satisfies SpareReply);
  });
};
