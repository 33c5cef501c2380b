/** Runs the single-thread benchmark cases inside a Web Worker (same data and cases as `npm run bench`). */
import * as Comlink from 'comlink';
import { cases } from './cases';
import { floorSeconds, line, skyFrame, type BenchLine } from './lib';
import { benchStorage } from './storageProbe';

export interface BenchApi {
  benchCases(size: number, nFrames: number, only?: string[]): Promise<BenchLine[]>;
  /** IndexedDB and OPFS read/write speeds in this worker, over `mb` MB (./storageProbe.ts). */
  benchStorage(mb: number, stripMb?: number): Promise<BenchLine[]>;
}

const api: BenchApi = {
  async benchCases(size, nFrames, only) {
    const frames: Float32Array[] = [];
    for (let i = 0; i < nFrames; i++) frames.push(skyFrame(size, size, 1000 + i, { dx: (i % 5) * 1.7, dy: Math.floor(i / 5) * 2.3 }));
    const lines: BenchLine[] = [];
    for (const c of cases(frames, size, size)) {
      if (only && !only.includes(c.kernel)) continue;
      const floor = floorSeconds(frames.slice(0, c.frames));
      lines.push(line(c.kernel, c.frames, size, size, c.run(), floor, { workers: 1, ...(c.extra?.() ?? {}) }));
    }
    return lines;
  },
  benchStorage,
};

Comlink.expose(api);
