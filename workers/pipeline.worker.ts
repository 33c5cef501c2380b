/**
 * Pipeline worker: runs one pipeline run at a time on IndexedDB (see
 * pipelineRun.ts), exposed with comlink. Keeps the calibrations it loaded for
 * the next run: a night's science frames share their masters.
 */
import * as Comlink from 'comlink';
import { getDb } from '../src/db/schema';
import { CalibrationCache } from '../src/core/pipeline/calibrationCache';
import { calibrationBudget, type RunResult, type RunSpec } from '../src/core/pipeline/engine';
import { tokenFromTransfer, type CancelToken } from './cancel';
import { runInDb } from './pipelineRun';

let calibrations: CalibrationCache | undefined;

export interface PipelineApi {
  run(spec: RunSpec, session: string, memoryBytes: number, cancel?: CancelToken, onProgress?: (fraction: number, step: string) => void): Promise<RunResult>;
}

const api: PipelineApi = {
  async run(spec, session, memoryBytes, cancel, onProgress) {
    calibrations ??= new CalibrationCache(calibrationBudget(memoryBytes));
    return runInDb(getDb(), spec, {
      session,
      memoryBytes,
      calibrations,
      cancel: tokenFromTransfer(cancel),
      onProgress: onProgress ? (f, s) => void onProgress(f, s) : undefined,
    });
  },
};

Comlink.expose(api);
