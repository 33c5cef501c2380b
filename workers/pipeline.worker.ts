/**
 * Pipeline worker: runs one pipeline run at a time on IndexedDB (see
 * pipelineRun.ts), exposed with comlink. Keeps the calibrations it loaded for
 * the next run: a night's science frames share their masters.
 */
import * as Comlink from 'comlink';
import { holdLifeline } from './lifeline';
import { getDb } from '../src/db/schema';
import { CalibrationCache } from '../src/core/pipeline/calibrationCache';
import { calibrationBudget, type RunResult, type RunSpec } from '../src/core/pipeline/engine';
import { tokenFromTransfer, type CancelToken } from './cancel';
import { runInDb } from './pipelineRun';
import { scratch, scratchLimitFor } from '../src/core/kernels/scratch';
import { defaultOpfsScratch } from '../src/db/opfsScratch';
import { defaultPixelScratch } from '../src/db/pixelFiles';
import { SpareFiles, removeSpare, workerSpareMaker } from '../src/db/spareFiles';

let calibrations: CalibrationCache | undefined;
/** The last record writes of the runs so far (runInDb's deferTail), for settled(). */
let tails: Promise<unknown> = Promise.resolve();
/** The worker memory the cache was sized for (the developer knob may change it between reductions). */
let sizedFor = 0;

export interface PipelineApi {
  /** Opens the database, so that a reduction's first run does not wait for it (pipelineClient's warmPipeline). */
  warm(): Promise<void>;
  /** Resolves once the record writes that runs left behind them have landed (runInDb's deferTail). */
  settled(): Promise<void>;
  /** `memory.worker`: this worker's own budget (its calibration cache is sized from it); `memory.run`: what this run may use. */
  run(spec: RunSpec, session: string, memory: { worker: number; run: number }, cancel?: CancelToken, onProgress?: (fraction: number, step: string) => void): Promise<RunResult>;
}

const api: PipelineApi = {
  async warm() {
    await getDb().open();
  },
  async settled() {
    await tails;
  },
  async run(spec, session, memory, cancel, onProgress) {
    if (!calibrations || sizedFor !== memory.worker) {
      calibrations = new CalibrationCache(calibrationBudget(memory.worker));
      scratch.limitBytes = scratchLimitFor(memory.worker);
      sizedFor = memory.worker;
    }
    return runInDb(getDb(), spec, {
      session,
      memoryBytes: memory.run,
      calibrations,
      cancel: tokenFromTransfer(cancel),
      onProgress: onProgress ? (f, s) => void onProgress(f, s) : undefined,
      deferTail: (write) => {
        tails = Promise.all([tails, write]);
      },
    });
  },
};

// New files (parked frames, products' pixel files) start as spares a helper worker wrote
// (src/db/spareFiles.ts): two ahead for parked frames, which come one after another, one for products.
// Where move() is missing (it came to OPFS in Chromium 110; Chromium 156 has it on
// FileSystemFileHandle, not FileSystemHandle) a spare could not become a file.
const scratchFiles = defaultOpfsScratch();
if (scratchFiles && typeof (FileSystemFileHandle.prototype as { move?: unknown }).move === 'function') {
  const spares = new SpareFiles(
    workerSpareMaker(() => new Worker(new URL('./spares.worker.ts', import.meta.url), { type: 'module', name: 'spares' })),
    (name) => removeSpare(() => navigator.storage.getDirectory(), name),
  );
  scratchFiles.useSpares(spares, 2);
  defaultPixelScratch()?.useSpares(spares, 1);
}

holdLifeline();
Comlink.expose(api);
