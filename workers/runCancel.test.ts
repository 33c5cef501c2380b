/**
 * A Cancel sent by message (the port-mode token every page that is not
 * cross-origin isolated uses) stops a run between its steps, though the
 * steps themselves never give the event loop a turn: the engine lets the
 * message arrive at each step boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cancelTransferHandler, createCancelSource, isCancelledError, type CancelSource } from './cancel';
import { executeRun, type LogEntry, type RunInput } from '../src/core/pipeline/engine';
import { MemoryStore } from '../src/core/pipeline/memoryStore';
import { rawInput, runSpecFor, type Camera } from '../src/core/pipeline/testing/frames';

const CAM: Camera = { width: 96, height: 80, overscan: 16, gain: 2, readNoise: 6, biasLevel: 1000, biasSlope: 0.05 };

function biases(store: MemoryStore, n: number): RunInput[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `b${i + 1}`;
    store.add(rawInput(CAM, { id, imagetyp: 'Bias Frame', exptime: 0, dateObs: `2024-03-01T17:0${i}:00`, seed: 50 + i }));
    return { id, name: `${id}.fits` };
  });
}

const sources: CancelSource[] = [];
afterEach(() => { for (const s of sources.splice(0)) s.dispose(); });

describe('a run cancelled by message', () => {
  it('stops at the next step boundary with CancelledError and publishes nothing', async () => {
    const store = new MemoryStore();
    const inputs = biases(store, 6);
    const source = createCancelSource({ mode: 'port', checkpointMs: 0 });
    sources.push(source);
    // The worker's side of the token: it reads the cancel from its port, not from the sender's flag.
    const [wire] = cancelTransferHandler.serialize(source.token);
    const token = cancelTransferHandler.deserialize(wire);
    let trimmed = 0;
    let afterCancel = 0;
    const events = {
      log: (e: LogEntry) => {
        if (e.step !== 'trimData' || !e.message.startsWith('ext')) return;
        if (++trimmed === 2) source.cancel();
        else if (trimmed > 2) afterCancel++;
      },
    };
    const run = executeRun(runSpecFor('makeMasterBias', inputs), store, events, { cancel: token });
    const outcome = await run.then(() => 'done', (e: unknown) => (isCancelledError(e) ? 'cancelled' : String(e)));
    expect(outcome).toBe('cancelled');
    // At most the frame being worked on when Cancel came goes on to its next trim.
    expect(afterCancel).toBeLessThanOrEqual(1);
    expect(store.products()).toEqual([]);
    expect(store.liveScratch()).toEqual([]);
  });
});
