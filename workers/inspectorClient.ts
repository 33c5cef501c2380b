/**
 * The page's side of the inspector worker: one worker for the page, made on
 * first use. If it dies (a frame too large for the memory left, say), the
 * next call makes a new one and `generation` changes, so the views remount
 * their canvases (a canvas can be handed to a worker only once) and reopen
 * their frames.
 */
import * as Comlink from 'comlink';
import type { InspectorApi, LoadProgress } from './inspector/protocol';
import { lifelineName, watchLifeline } from './lifeline';

export type { InspectorApi } from './inspector/protocol';

interface Connection {
  worker: Worker;
  api: Comlink.Remote<InspectorApi>;
  generation: number;
}

let connection: Connection | undefined;
let generation = 0;
const progressListeners = new Set<(p: LoadProgress) => void>();
const crashListeners = new Set<(message: string) => void>();

function connect(): Connection {
  if (connection) return connection;
  const worker = new Worker(new URL('./inspector.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<InspectorApi>(worker);
  const conn: Connection = { worker, api, generation: ++generation };
  const died = (why: string) => {
    if (connection !== conn) return;
    connection = undefined;
    worker.terminate();
    for (const l of crashListeners) l(`The inspector's worker stopped (${why}). The frames are opened again.`);
  };
  worker.addEventListener('error', (e) => died(e.message || 'it ran out of memory or failed to load'));
  // A worker the browser stops (out of memory) or that closes fires no error: its lifeline lock says so.
  const onLifeline = (e: MessageEvent) => {
    const name = lifelineName(e.data);
    if (!name) return;
    worker.removeEventListener('message', onLifeline);
    watchLifeline(name, () => died('closed, killed or out of memory'));
  };
  worker.addEventListener('message', onLifeline);
  void api.watch(Comlink.proxy((p: LoadProgress) => { for (const l of progressListeners) l(p); }));
  connection = conn;
  return conn;
}

/** The worker's API (starting the worker if needed). */
export function inspector(): Comlink.Remote<InspectorApi> {
  return connect().api;
}

/** Changes whenever a new worker replaced a dead one. */
export function inspectorGeneration(): number {
  return connection?.generation ?? generation;
}

export function onLoadProgress(listener: (p: LoadProgress) => void): () => void {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

export function onInspectorCrash(listener: (message: string) => void): () => void {
  crashListeners.add(listener);
  return () => crashListeners.delete(listener);
}

/**
 * Starts the worker and opens its database connection while the page is
 * idle, so the first Inspect pays for neither (about 0.1 s measured).
 */
export function warmInspector(): void {
  const start = () => void inspector().warm().catch(() => undefined);
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 5000 });
  else setTimeout(start, 2000);
}

/** Hands a canvas to the worker, which paints it from then on. */
export async function attachCanvas(paneId: string, canvas: HTMLCanvasElement): Promise<void> {
  const offscreen = canvas.transferControlToOffscreen();
  await inspector().attachPane(paneId, Comlink.transfer(offscreen, [offscreen]));
}
