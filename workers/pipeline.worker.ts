/**
 * Pipeline worker: runs one pipeline run at a time on IndexedDB (see
 * pipelineRun.ts), exposed with comlink; the next may begin while the one
 * before waits for its product's commit. Keeps the calibrations it loaded for
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

let calibrations: CalibrationCache | undefined;
/** The worker memory the cache was sized for (the developer knob may change it between reductions). */
let sizedFor = 0;

export interface PipelineApi {
  /** `memory.worker`: this worker's own budget (its calibration cache is sized from it); `memory.run`: what this run may use. */
  /**
   * `onPublishing`: the run's product is written and being committed; it computes nothing more.
   * The page may then start the next run here (workers/pool.ts, lend): the two overlap only by
   * that wait, so one run at a time computes, with its memory.
   */
  run(spec: RunSpec, session: string, memory: { worker: number; run: number }, cancel?: CancelToken, onProgress?: (fraction: number, step: string) => void, onPublishing?: () => void): Promise<RunResult>;
}

const api: PipelineApi = {
  async run(spec, session, memory, cancel, onProgress, onPublishing) {
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
      onPublishing: onPublishing ? () => void onPublishing() : undefined,
    });
  },
};

holdLifeline();
Comlink.expose(api);
