/**
 * fitsjs (the design card's reader) run in Node, for tests only: a second,
 * independent reader of the shared fixtures (see src/core/fits/fitsjsAgreement.test.ts).
 * The app never imports this file or fitsjs.
 *
 * fitsjs is a browser script: it registers itself on `this.astro`, refers to
 * the global `astro`, reads Files through FileReader and decodes image frames
 * in a Worker made from a blob URL. Here it runs in its own vm context with a
 * FileReader over Node's Blob; image frames are decoded by fitsjs's own
 * `_getFrame` (the function its worker runs), called directly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const SOURCE = readFileSync(require.resolve('fitsjs'), 'utf8');

export type FitsjsValue = string | number | boolean | undefined;

export interface FitsjsHdu {
  /** fitsjs's value of a keyword (its own parsing: quotes stripped, numbers through parseFloat). */
  get(key: string): FitsjsValue;
  /** The data unit's class name (Image, CompressedImage, BinaryTable, Table), or undefined. */
  dataType?: string;
  /** Pixels of frame `k` as fitsjs decodes them, as plain numbers. */
  frame?(k: number): Promise<number[]>;
  depth?: number;
}

export type FitsjsOutcome =
  | { kind: 'read'; hdus: FitsjsHdu[] }
  | { kind: 'error'; message: string }
  /** fitsjs never called back: it read past the end of the file, or waited forever. */
  | { kind: 'stalled'; message: string };

/** FileReader over Node's Blob: reads fail loudly past the end instead of looping on empty blocks. */
function fileReaderFor(onFail: (message: string) => void) {
  return class FileReader {
    result: ArrayBuffer | null = null;
    onloadend: ((e: { target: FileReader }) => void) | null = null;
    frame?: number;
    readAsArrayBuffer(blob: Blob) {
      if (blob.size === 0) {
        onFail('read an empty block past the end of the file');
        return;
      }
      void blob.arrayBuffer().then((buffer) => {
        this.result = buffer;
        try {
          this.onloadend?.({ target: this });
        } catch (e) {
          onFail(e instanceof Error ? e.message : String(e));
        }
      });
    }
  };
}

interface FitsjsInternals {
  hdus: { header: { get(k: string): FitsjsValue }; data?: Record<string, unknown> & { constructor: { name: string } } }[];
}

/** Reads `bytes` with fitsjs; settles within `timeoutMs` whatever fitsjs does. */
export function readWithFitsjs(bytes: Uint8Array, name: string, timeoutMs = 5000): Promise<FitsjsOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const settle = (o: FitsjsOutcome) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(o);
      }
    };
    const timer = setTimeout(() => settle({ kind: 'stalled', message: `no callback within ${timeoutMs} ms` }), timeoutMs);
    const context: Record<string, unknown> = {
      Blob,
      File,
      FileReader: fileReaderFor((message) => settle({ kind: 'stalled', message })),
      console,
    };
    vm.createContext(context);
    try {
      vm.runInContext(SOURCE, context, { filename: 'fitsjs/lib/fits.js' });
      const FITS = (context.astro as { FITS: new (arg: Blob, cb: (f: FitsjsInternals) => void) => unknown }).FITS;
      new FITS(new File([new Uint8Array(bytes)], name), (fits) => {
        settle({ kind: 'read', hdus: fits.hdus.map((h) => wrapHdu(h)) });
      });
    } catch (e) {
      settle({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
}

function wrapHdu(h: FitsjsInternals['hdus'][number]): FitsjsHdu {
  const data = h.data;
  const out: FitsjsHdu = { get: (k) => h.header.get(k), dataType: data?.constructor.name };
  if (data && out.dataType === 'Image') {
    const img = data as unknown as {
      blob: Blob; frameOffsets: { begin: number }[]; frameLength: number; depth: number; bitpix: number; bzero: number; bscale: number;
      _getFrame(b: ArrayBuffer, bitpix: number, bzero: number, bscale: number): ArrayLike<number>;
    };
    out.depth = img.depth;
    out.frame = async (k) => {
      const begin = img.frameOffsets[k].begin;
      const buffer = await img.blob.slice(begin, begin + img.frameLength).arrayBuffer();
      return Array.from(img._getFrame(buffer, img.bitpix, img.bzero, img.bscale));
    };
  } else if (data && out.dataType === 'CompressedImage') {
    const img = data as unknown as { getFrame(n: number, cb: (a: ArrayLike<number>) => void): void };
    out.depth = 1;
    out.frame = (k) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('fitsjs getFrame never called back')), 5000);
      try {
        img.getFrame(k, (a) => { clearTimeout(t); resolve(Array.from(a)); });
      } catch (e) {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }
  return out;
}
