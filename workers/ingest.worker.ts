/**
 * Ingest worker: reads dropped File objects (the bytes never pass through the
 * page), parses and stores them. Exposed with comlink.
 */
import * as Comlink from 'comlink';
import { holdLifeline } from './lifeline';
import { getDb } from '../src/db/schema';
import { ingestOne, type IngestOutcome } from './ingest';
import { generateDemoNight } from '../src/core/demo';
import { humanBytes, LIMITS } from '../src/core/fits/keywords';
import { scratch } from '../src/core/kernels/scratch';

export interface IngestApi {
  /** Reads, parses and stores one file. Never throws for bad input: the outcome says what went wrong. */
  ingestFile(file: File, path: string): Promise<IngestOutcome>;
  /** Generates the demo night here (off the page) and stores it like dropped files. */
  ingestDemoNight(onFile: (outcome: IngestOutcome, done: number, total: number) => void): Promise<IngestOutcome[]>;
}

const api: IngestApi = {
  async ingestFile(file, path) {
    // Refused before reading: a 2 GB file read whole, then decoded, would take the worker and the tab with it.
    if (file.size > LIMITS.maxBytes) {
      const message = `${file.name}: file is ${humanBytes(file.size)}, more than the ${humanBytes(LIMITS.maxBytes)} this reader can hold; it was not read`;
      return { id: '', name: file.name, size: file.size, status: 'error', stored: 'failed', message, type: 'unclassified' };
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { id: '', name: file.name, size: file.size, status: 'error', stored: 'failed', message: `${file.name}: could not be read from disk (${reason})`, type: 'unclassified' };
    }
    return ingestOne(getDb(), { name: file.name, path, bytes });
  },

  async ingestDemoNight(onFile) {
    const files = generateDemoNight();
    const outcomes: IngestOutcome[] = [];
    for (const [i, f] of files.entries()) {
      const outcome = await ingestOne(getDb(), { name: f.name, path: 'demo-night', bytes: f.bytes });
      outcomes.push(outcome);
      await onFile(outcome, i + 1, files.length);
    }
    return outcomes;
  },
};

// The ingest keeps one file's decoded planes for the next (a 2k raw frame and its data section: ~33 MB);
// the worker lives as long as the page and never knows when a batch ends, so it keeps little.
scratch.limitBytes = 64 * 2 ** 20;

holdLifeline();
Comlink.expose(api);
