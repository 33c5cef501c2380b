/**
 * The frames the inspector has open, and their planes read from the stored
 * strips (never by parsing the file again). A plane is read in chunks of
 * rows, the bottom chunk first and then a few at a time; every chunk that
 * lands is announced, so the picture appears while the rest is still coming. SCI loads first, then DQ and VAR
 * in the background when they fit the memory budget (else when asked for).
 * Planes of frames no pane shows are dropped, least recently used first,
 * when the budget is exceeded; they are read again when shown.
 */
import { readPlaneRows, stripRowsFor } from '../../src/db/files';
import type { WorkbenchDb } from '../../src/db/schema';
import type { FileRecord } from '../../src/db/types';
import { frameImages, type FrameImage } from '../../src/core/display/frameImages';
import type { FrameInfo, LoadProgress, PlaneRef } from './protocol';

/** Loaded planes may take this much memory before unshown ones are dropped. */
export const MEMORY_BUDGET_BYTES = 1.5 * 2 ** 30;
/** VAR and DQ are read right after SCI when the whole frame takes at most this much. */
const EAGER_BYTES = 256 * 2 ** 20;
/**
 * Pixels per read: a 2048 x 2048 frame in one read, larger frames in several
 * so their first picture comes early. Measured (npm run bench:browser): each
 * IndexedDB read costs tens of ms beyond its bytes; 2 M-pixel reads made a
 * 2048 x 2048 float32 frame take 0.26 s, 4 M-pixel reads 0.17 s.
 */
const CHUNK_PIXELS = 4 * 2 ** 20;
/**
 * Reads in flight at once. IndexedDB serves several reads faster than one at a
 * time: measured on 8192 x 8192 float32, 3 in flight read the plane in about
 * half the time of 1 (6.1 s down to 2.6 s on a loaded machine).
 */
const READS_IN_FLIGHT = 3;

export interface Plane {
  ref: PlaneRef;
  width: number;
  height: number;
  data: Float32Array | Uint16Array;
  /** One flag per row: 1 once read. */
  loaded: Uint8Array;
  /** Rows read so far (chunks may land out of order). */
  loadedRows: number;
  /** The rows of the first chunk that landed: provisional limits come from them until the plane is complete. */
  firstRows?: [number, number];
  complete: boolean;
  error?: string;
  done: Promise<void>;
  /** Cache of derived figures (limits, histogram equalization) keyed by what they depend on. */
  derived: Map<string, unknown>;
  lastUsed: number;
}

interface OpenFrame {
  record: FileRecord;
  images: FrameImage[];
  planes: Map<string, Plane>;
}

export function planeKey(ref: PlaneRef): string {
  return `${ref.fileId}|${ref.image}|${ref.plane}|${ref.slice}`;
}

/** The message a frame that cannot be read gives, naming it and what is wrong. */
export class FrameError extends Error {
  override name = 'FrameError';
}

export class FrameStore {
  private frames = new Map<string, OpenFrame>();
  private opening = new Map<string, Promise<OpenFrame>>();
  private listeners = new Set<(p: LoadProgress, plane: Plane) => void>();

  constructor(private readonly db: WorkbenchDb, private readonly isShown: (key: string) => boolean) {}

  onProgress(listener: (p: LoadProgress, plane: Plane) => void): void {
    this.listeners.add(listener);
  }

  async open(fileId: string): Promise<FrameInfo> {
    const frame = await this.frame(fileId);
    const main = Math.max(0, frame.images.findIndex((im) => im.hdus.sci === frame.record.imageHdu));
    const ref: PlaneRef = { fileId, image: main, plane: 'sci', slice: 0 };
    const sci = this.plane(ref);
    // The other planes of a product follow in the background when they fit.
    const im = frame.images[main];
    const bytes = im.width * im.height * ((im.hdus.var !== undefined ? 4 : 0) + (im.hdus.dq !== undefined ? 2 : 0) + 4);
    if (bytes <= EAGER_BYTES) {
      void sci.done.then(() => {
        if (im.hdus.dq !== undefined) this.plane({ ...ref, plane: 'dq' });
        if (im.hdus.var !== undefined) this.plane({ ...ref, plane: 'var' });
      });
    }
    return { fileId, name: frame.record.name, images: frame.images, image: main, product: !!frame.record.product };
  }

  close(fileId: string): void {
    this.frames.delete(fileId);
  }

  private frame(fileId: string): Promise<OpenFrame> {
    const known = this.frames.get(fileId);
    if (known) return Promise.resolve(known);
    let pending = this.opening.get(fileId);
    if (!pending) {
      pending = (async () => {
        const record = await this.db.files.get(fileId);
        if (!record) throw new FrameError('This file is no longer in the library (it was deleted).');
        if (record.status !== 'ok') throw new FrameError(`${record.name} could not be read when it was added: ${record.message}`);
        const images = frameImages(record.hdus);
        if (!images.length || record.imageHdu < 0) throw new FrameError(`${record.name} has no image to show (headers only).`);
        const frame = { record, images, planes: new Map<string, Plane>() };
        this.frames.set(fileId, frame);
        return frame;
      })().finally(() => this.opening.delete(fileId));
      this.opening.set(fileId, pending);
    }
    return pending;
  }

  /** The plane if it has been asked for (loaded or loading). */
  peek(ref: PlaneRef): Plane | undefined {
    return this.frames.get(ref.fileId)?.planes.get(planeKey(ref));
  }

  /** The image a reference points at, once its frame is open. */
  image(ref: Pick<PlaneRef, 'fileId' | 'image'>): FrameImage | undefined {
    return this.frames.get(ref.fileId)?.images[ref.image];
  }

  /** The plane, loading it if needed (the frame must be open). */
  plane(ref: PlaneRef): Plane {
    const frame = this.frames.get(ref.fileId);
    if (!frame) throw new FrameError('This frame is not open in the inspector.');
    const key = planeKey(ref);
    let plane = frame.planes.get(key);
    if (!plane) {
      plane = this.startLoading(frame, ref);
      frame.planes.set(key, plane);
      this.enforceBudget();
    }
    plane.lastUsed = performance.now();
    return plane;
  }

  /** Opens the frame if needed, then the plane; resolves when it is complete (rejects with its error). */
  async load(ref: PlaneRef): Promise<Plane> {
    await this.frame(ref.fileId);
    const plane = this.plane(ref);
    await plane.done;
    if (plane.error) throw new FrameError(plane.error);
    return plane;
  }

  private startLoading(frame: OpenFrame, ref: PlaneRef): Plane {
    const image = frame.images[ref.image];
    if (!image) throw new FrameError(`${frame.record.name} has no image ${ref.image + 1}.`);
    const hdu = image.hdus[ref.plane];
    if (hdu === undefined) throw new FrameError(`${frame.record.name} has no ${ref.plane.toUpperCase()} plane.`);
    if (ref.slice < 0 || ref.slice >= image.depth) throw new FrameError(`${frame.record.name} has no plane ${ref.slice + 1}.`);
    const { width, height } = image;
    const plane: Plane = {
      ref,
      width,
      height,
      data: ref.plane === 'dq' ? new Uint16Array(width * height) : new Float32Array(width * height),
      loaded: new Uint8Array(height),
      loadedRows: 0,
      complete: false,
      done: Promise.resolve(),
      derived: new Map(),
      lastUsed: performance.now(),
    };
    const file = { id: frame.record.id, width, stripRows: stripRowsFor(width) };
    // Whole strips per read, about CHUNK_PIXELS each, a few in flight, bottom rows first.
    const rowsPerRead = Math.max(1, Math.round(CHUNK_PIXELS / width / file.stripRows)) * file.stripRows;
    const chunks: [number, number][] = [];
    for (let y0 = 0; y0 < height; y0 += rowsPerRead) chunks.push([y0, Math.min(height, y0 + rowsPerRead)]);
    const readChunk = async ([y0, y1]: [number, number]) => {
      await readPlaneRows(this.db, file, hdu, ref.slice, y0, y1, plane.data.subarray(y0 * width, y1 * width));
      plane.loaded.fill(1, y0, y1);
      plane.loadedRows += y1 - y0;
      plane.firstRows ??= [y0, y1];
      if (plane.loadedRows === height) plane.complete = true;
      this.announce(plane);
    };
    let next = 1;
    const reader = async (): Promise<void> => {
      while (next < chunks.length && !plane.error && this.frames.has(ref.fileId)) await readChunk(chunks[next++]);
    };
    // The first chunk alone (the first picture as early as it can be), then the rest a few at a time.
    plane.done = readChunk(chunks[0])
      .then(() => Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, chunks.length - 1) }, reader)))
      .then(() => undefined)
      .catch((err: unknown) => {
        const why = err instanceof Error ? err.message : String(err);
        plane.error = /incomplete/.test(why)
          ? `${frame.record.name}: its stored pixels are incomplete (${ref.plane.toUpperCase()} rows missing). Delete the file and add it again.`
          : `${frame.record.name}: its pixels could not be read (${why}).`;
        this.announce(plane);
      });
    return plane;
  }

  private announce(plane: Plane): void {
    const { ref } = plane;
    const p: LoadProgress = { ...ref, loadedRows: plane.loadedRows, height: plane.height, error: plane.error };
    for (const l of this.listeners) l(p, plane);
  }

  /** Drops complete planes no pane shows, oldest first, until the loaded planes fit the budget. */
  private enforceBudget(): void {
    const all: Plane[] = [];
    let bytes = 0;
    for (const f of this.frames.values()) {
      for (const p of f.planes.values()) {
        all.push(p);
        bytes += p.data.byteLength;
      }
    }
    if (bytes <= MEMORY_BUDGET_BYTES) return;
    all.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const p of all) {
      if (bytes <= MEMORY_BUDGET_BYTES) break;
      const key = planeKey(p.ref);
      if (!p.complete || this.isShown(key)) continue;
      this.frames.get(p.ref.fileId)?.planes.delete(key);
      bytes -= p.data.byteLength;
    }
  }
}
