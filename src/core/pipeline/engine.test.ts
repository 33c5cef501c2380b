/**
 * The run engine's behaviour around the steps: a memory budget that parks
 * frames in scratch (same product, nothing left behind), a stack streamed in
 * strips equal to one made in a single band, cancellation and failures that
 * commit nothing, warnings said once with a count, one log summary per step,
 * and stages that do not load frames whose measurements came with them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bytesForStrips } from '../kernels/combineStream';
import { CancelledError } from '../cancel';
import { frameBytes, loadFrame } from './astroFrame';
import { calibrationBudget, executeRun, type LogEntry, type RunInput } from './engine';
import { MemoryStore } from './memoryStore';
import { stepValues } from './params';
import { RECIPES } from './recipes';
import { detectSources } from './primitives/sources';
import { measureGain } from './primitives/gain';
import type { PlaneKind, StoredFrame } from './store';
import {
  addReduced, frameCtx, historyOf, productOf, rawInput, rawMefInput, recipeValues, runSpecFor, starGrid, type Camera, type Exposure, type StarSpec,
} from './testing/frames';

const CAM: Camera = { width: 96, height: 80, overscan: 16, gain: 2, readNoise: 6, biasLevel: 1000, biasSlope: 0.05, biasPattern: (x, y) => 4 * Math.sin(x / 6) + 3 * Math.cos(y / 5) };
const FRAME_BYTES = 96 * 80 * 4; // one trimmed bias SCI plane (its VAR is constant and its DQ zero: parked as values)

function biasNight(store: MemoryStore, n: number, cam: Camera = CAM, prefix = 'b'): RunInput[] {
  const out: RunInput[] = [];
  for (let i = 0; i < n; i++) {
    const e: Exposure = { id: `${prefix}${i + 1}`, imagetyp: 'Bias Frame', exptime: 0, dateObs: `2024-03-01T17:0${i}:00`, seed: 50 + i };
    store.add(rawInput(cam, e));
    out.push({ id: e.id, name: `${e.id}.fits` });
  }
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts the row reads of each frame. */
class ReadCountingStore extends MemoryStore {
  reads = new Map<string, number>();
  override async readRows<T extends Float32Array | Uint16Array>(frame: StoredFrame, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    this.reads.set(frame.id, (this.reads.get(frame.id) ?? 0) + 1);
    return super.readRows(frame, ext, plane, y0, y1, out);
  }
}

/** Two products' first extensions, SCI, VAR and DQ alike to the bit. */
function expectSamePlanes(got: { sci: unknown; var?: unknown; dq?: unknown }, want: { sci: unknown; var?: unknown; dq?: unknown }): void {
  expect(got.sci).toEqual(want.sci);
  expect(got.var).toEqual(want.var);
  expect(got.dq).toEqual(want.dq);
}

describe('memory budget', () => {
  it('parks frames in scratch when they do not fit, with the same master and no scratch left behind', async () => {
    const big = new MemoryStore();
    const small = new MemoryStore();
    const inputsBig = biasNight(big, 8);
    const inputsSmall = biasNight(small, 8);
    const a = await executeRun(runSpecFor('makeMasterBias', inputsBig), big);
    // 60% of the budget parks frames: room for one or two trimmed frames, as long as the stack's 40% holds one row of all
    // eight SCI planes (their VAR one number, their DQ zero) with the combine's outputs and scratch.
    const stackRow = bytesForStrips(1, { nFrames: 8, width: 96, height: 80, bytesPerPixelPerFrame: 4, maps: true });
    const b = await executeRun(runSpecFor('makeMasterBias', inputsSmall), small, {}, { memoryBytes: Math.max((1.5 * FRAME_BYTES) / 0.6, stackRow / 0.4) });
    expect(big.scratchCreated).toEqual([]);
    expect(small.scratchCreated.length).toBeGreaterThanOrEqual(6);
    expect(small.liveScratch()).toEqual([]);
    expectSamePlanes(productOf(small, b.product.id).planes[0], productOf(big, a.product.id).planes[0]);
  });

  it('parks no frame in memory with parkingBytes 0 (scratch in files): every frame in scratch, the same master', async () => {
    const held = new MemoryStore();
    const spilled = new MemoryStore();
    const a = await executeRun(runSpecFor('makeMasterBias', biasNight(held, 5)), held);
    const b = await executeRun(runSpecFor('makeMasterBias', biasNight(spilled, 5)), spilled, {}, { parkingBytes: 0 });
    expect(held.scratchCreated).toEqual([]);
    expect(spilled.scratchCreated).toHaveLength(5);
    expect(spilled.liveScratch()).toEqual([]);
    expectSamePlanes(productOf(spilled, b.product.id).planes[0], productOf(held, a.product.id).planes[0]);
  });

  describe('calibrations a master flat\'s frames share', () => {
    const TIGHT = 150_000;
    /** Four flats with a master bias (and a master dark when asked), made in the run's store. */
    const flatsRun = async (opts: { memoryBytes?: number; dark?: boolean } = {}) => {
      const store = new ReadCountingStore();
      const bias = await executeRun(runSpecFor('makeMasterBias', biasNight(store, 3)), store);
      let dark: RunInput['calibrations'] = {};
      if (opts.dark) {
        const darks: RunInput[] = [];
        for (let i = 0; i < 3; i++) {
          store.add(rawInput(CAM, { id: `d${i + 1}`, imagetyp: 'Dark Frame', exptime: 1, dateObs: `2024-03-01T17:3${i}:00`, seed: 30 + i }));
          darks.push({ id: `d${i + 1}`, name: `d${i + 1}.fits`, calibrations: { bias: bias.product } });
        }
        dark = { dark: (await executeRun(runSpecFor('makeMasterDark', darks), store)).product };
      }
      const inputs: RunInput[] = [];
      for (let i = 0; i < 4; i++) {
        store.add(rawInput(CAM, { id: `f${i + 1}`, imagetyp: 'Flat Field', exptime: 1, filter: 'R', dateObs: `2024-03-01T18:0${i}:00`, illumination: 30000, seed: 20 + i }));
        inputs.push({ id: `f${i + 1}`, name: `f${i + 1}.fits`, calibrations: { bias: bias.product, ...dark } });
      }
      const biasFrame = await loadFrame(store, await store.open(bias.product.id));
      store.reads.clear();
      const flat = await executeRun(runSpecFor('makeMasterFlat', inputs), store, {}, opts.memoryBytes ? { memoryBytes: opts.memoryBytes } : {});
      return {
        biasReads: store.reads.get(bias.product.id) ?? 0,
        darkReads: dark.dark ? store.reads.get(dark.dark.id) ?? 0 : 0,
        masterBytes: frameBytes(biasFrame),
        flat: productOf(store, flat.product.id).planes[0],
      };
    };

    it('reads a master bias once for all the flats, even when the calibration cache cannot keep it', async () => {
      const roomy = await flatsRun();
      const tight = await flatsRun({ memoryBytes: TIGHT });
      expect(tight.masterBytes).toBeGreaterThan(calibrationBudget(TIGHT));
      expect(roomy.biasReads).toBeGreaterThan(0);
      expect(tight.biasReads).toBe(roomy.biasReads);
      expect(tight.flat.sci).toEqual(roomy.flat.sci);
    });

    it('holds one master beyond the cache\'s budget, not two: with a bias and a dark, the dark is read for every flat', async () => {
      const roomy = await flatsRun({ dark: true });
      const tight = await flatsRun({ memoryBytes: TIGHT, dark: true });
      expect(2 * tight.masterBytes).toBeGreaterThan(calibrationBudget(TIGHT));
      // Roomy: each read once (as many reads as one load takes); tight: the bias once, the dark four times.
      expect(roomy.darkReads).toBe(roomy.biasReads);
      expect(tight.biasReads).toBe(roomy.biasReads);
      expect(tight.darkReads).toBe(4 * roomy.darkReads);
      expect(tight.flat.sci).toEqual(roomy.flat.sci);
    });
  });

  describe('a group step the headers say will skip (measureGain where the gain is known)', () => {
    /** Four flats of a camera with GAIN (or without), every processed frame parked in scratch. */
    const flatNight = async (cam: Camera, forceStep = false) => {
      const store = new MemoryStore();
      const bias = await executeRun(runSpecFor('makeMasterBias', biasNight(store, 3, cam)), store);
      const inputs: RunInput[] = [];
      for (let i = 0; i < 4; i++) {
        store.add(rawInput(cam, { id: `f${i + 1}`, imagetyp: 'Flat Field', exptime: 1, filter: 'R', dateObs: `2024-03-01T18:0${i}:00`, illumination: 30000, seed: 20 + i }));
        inputs.push({ id: `f${i + 1}`, name: `f${i + 1}.fits`, calibrations: { bias: bias.product } });
      }
      // The engine as it was: the step is not foreseen, so it splits the frames' steps in two passes.
      if (forceStep) vi.spyOn(measureGain, 'skipsFor').mockReturnValue(undefined);
      const before = store.scratchCreated.length;
      const flat = await executeRun(runSpecFor('makeMasterFlat', inputs), store, {}, { parkingBytes: 0 });
      const product = productOf(store, flat.product.id);
      return { parked: store.scratchCreated.length - before, planes: product.planes[0], history: historyOf(product.stored.primary), log: flat.log };
    };
    /** HISTORY without the steps' timestamps. */
    const untimed = (h: string[]) => h.map((l) => l.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, 'T'));

    it('parks each flat once instead of twice, and makes the same master, saying the step skipped', async () => {
      const once = await flatNight(CAM);
      const twice = await flatNight(CAM, true);
      expect(once.parked).toBe(4);
      expect(twice.parked).toBe(8);
      expectSamePlanes(once.planes, twice.planes);
      expect(untimed(once.history)).toEqual(untimed(twice.history));
      expect(once.history.some((l) => l.includes('measureGain') && l.includes('the gain is known (header)'))).toBe(true);
    });

    it('still measures where a frame has no gain: the frames go in two passes around the step', async () => {
      const night = await flatNight({ ...CAM, noGain: true });
      expect(night.parked).toBe(8);
      expect(night.log.some((e) => e.step === 'measureGain' && /gain [\d.]+ e-\/ADU \(median of 3 pairs\)/.test(e.message))).toBe(true);
    });
  });

  it('streams a stack of shifted frames in strips with the same result as in one band', async () => {
    const field: StarSpec[] = starGrid({ nx: 4, ny: 4, x0: 22, y0: 22, step: 26, fwhm: 3.2, fluxes: [20000, 40000, 60000], seed: 8 });
    const shifts = [{ dx: 0, dy: 0 }, { dx: 3.3, dy: -2.7 }, { dx: -4.6, dy: 1.2 }, { dx: 2.25, dy: 5.4 }];
    const make = () => {
      const store = new MemoryStore();
      const inputs = shifts.map((shift, i) => addReduced(store, { id: `s${i + 1}`, field, shift, size: 128, sky: 200, readNoise: 5, seed: 90 + i, dateObs: `2024-03-01T22:0${i}:00` }));
      return { store, inputs };
    };
    const one = make();
    const strips = make();
    const a = await executeRun(runSpecFor('stackScience', one.inputs), one.store);
    // Stack memory is 40% of the budget: about 10 rows of 4 shifted frames at a time.
    const stackBytes = bytesForStrips(10, { nFrames: 4, width: 128, height: 128, bytesPerPixelPerFrame: 4 + 4 + 2 + 16 });
    const b = await executeRun(runSpecFor('stackScience', strips.inputs), strips.store, {}, { memoryBytes: stackBytes / 0.4 });
    const pa = productOf(one.store, a.product.id).planes[0];
    const pb = productOf(strips.store, b.product.id).planes[0];
    let differ = 0;
    const rows = new Set<number>();
    for (let i = 0; i < pa.sci.length; i++) {
      if (pa.sci[i] !== pb.sci[i] || pa.dq![i] !== pb.dq![i]) {
        differ++;
        rows.add(Math.floor(i / 128));
      }
    }
    expect(differ, `pixels that differ, in rows ${[...rows].slice(0, 20).join(', ')}`).toBe(0);
  });
});

describe('cancellation', () => {
  it('stops between frames with CancelledError and commits nothing, scratch included', async () => {
    const store = new MemoryStore();
    const inputs = biasNight(store, 6);
    const cancel = { cancelled: false };
    let trimmed = 0;
    const events = { log: (e: LogEntry) => { if (e.step === 'trimData' && e.message.startsWith('ext')) if (++trimmed === 4) cancel.cancelled = true; } };
    await expect(executeRun(runSpecFor('makeMasterBias', inputs), store, events, { memoryBytes: (1.5 * FRAME_BYTES) / 0.6, cancel })).rejects.toBeInstanceOf(CancelledError);
    expect(trimmed).toBe(4);
    expect(store.scratchCreated.length).toBeGreaterThan(0);
    expect(store.liveScratch()).toEqual([]);
    expect(store.products()).toEqual([]);
  });

  it('stops during the streamed stack and discards the half-written product', async () => {
    const store = new MemoryStore();
    const inputs = biasNight(store, 6);
    const cancel = { cancelled: false };
    let stackProgress = 0;
    const events = { progress: (_f: number, step: string) => { if (step === 'stackFrames' && ++stackProgress === 2) cancel.cancelled = true; } };
    // Stack memory for a few rows only, so there are many strips to cancel between.
    const memoryBytes = bytesForStrips(4, { nFrames: 6, width: 96, height: 80, bytesPerPixelPerFrame: 10, maps: true }) / 0.4;
    await expect(executeRun(runSpecFor('makeMasterBias', inputs), store, events, { memoryBytes, cancel })).rejects.toBeInstanceOf(CancelledError);
    expect(stackProgress).toBeGreaterThanOrEqual(2);
    expect(store.products()).toEqual([]);
    expect(store.liveScratch()).toEqual([]);
  });
});

describe('failures', () => {
  it('a failing step leaves no product and no scratch, and says what failed', async () => {
    const store = new MemoryStore();
    const inputs = biasNight(store, 5);
    // A sixth bias from a camera with another data size: the stack refuses it after the others were parked.
    inputs.push(...biasNight(store, 1, { ...CAM, width: 90 }, 'odd'));
    await expect(executeRun(runSpecFor('makeMasterBias', inputs), store, {}, { memoryBytes: (1.5 * FRAME_BYTES) / 0.6 })).rejects.toThrow(/odd1\.fits is 90x80 where b1\.fits is 96x80/);
    expect(store.products()).toEqual([]);
    expect(store.scratchCreated.length).toBeGreaterThan(0);
    expect(store.liveScratch()).toEqual([]);
  });

  it('a calibration of the wrong shape fails the run, naming both frames', async () => {
    const store = new MemoryStore();
    const bias = await executeRun(runSpecFor('makeMasterBias', biasNight(store, 3, { ...CAM, width: 90 })), store);
    const e: Exposure = { id: 'sci', imagetyp: 'Light Frame', exptime: 10, dateObs: '2024-03-01T22:00:00', illumination: 100, seed: 3 };
    store.add(rawInput(CAM, e));
    await expect(executeRun(runSpecFor('reduceScience', [{ id: 'sci', name: 'sci.fits', calibrations: { bias: bias.product } }]), store))
      .rejects.toThrow(/b1_bias\.fits is 90x80 where sci\.fits \(ext 1\) is 96x80/);
    expect(store.products().map((p) => p.name)).toEqual(['b1_bias.fits']);
  });

  it('fails a master flat whose every flat was refused, listing each with its reason', async () => {
    const store = new MemoryStore();
    const inputs: RunInput[] = [];
    for (const [i, level] of [2000, 3000].entries()) {
      store.add(rawInput(CAM, { id: `f${i + 1}`, imagetyp: 'Flat Field', exptime: 1, filter: 'R', dateObs: '2024-03-01T18:00:00', illumination: level, seed: 9 + i }));
      inputs.push({ id: `f${i + 1}`, name: `f${i + 1}.fits` });
    }
    await expect(executeRun(runSpecFor('makeMasterFlat', inputs), store)).rejects.toThrow(
      /no frame left to stack: f1\.fits \(median \d+ ADU is 0\.03 of saturation 65535: too faint \(allowed 0\.2-0\.8\)\); f2\.fits \(median \d+ ADU is 0\.04/,
    );
    expect(store.products()).toEqual([]);
  });

  it('refuses runs without inputs, or with several for a one-frame recipe', async () => {
    const store = new MemoryStore();
    const inputs = biasNight(store, 2);
    await expect(executeRun({ ...runSpecFor('makeMasterBias', inputs), inputs: [] }, store)).rejects.toThrow(/no input frames/);
    await expect(executeRun(runSpecFor('reduceScience', inputs), store)).rejects.toThrow(/reduceScience takes one frame/);
  });
});

describe('warnings', () => {
  it('says a warning repeated for every frame once, with a count', async () => {
    const store = new MemoryStore();
    const amps: Camera[] = [{ ...CAM, width: 40, height: 30 }, { ...CAM, width: 40, height: 30, noBiassec: true }];
    const inputs: RunInput[] = [];
    for (let i = 0; i < 5; i++) {
      store.add(rawMefInput(amps, { id: `m${i}`, imagetyp: 'BIAS', exptime: 0, dateObs: '2024-03-01T17:00:00', seed: i }));
      inputs.push({ id: `m${i}`, name: `m${i}.fits` });
    }
    const r = await executeRun(runSpecFor('makeMasterBias', inputs), store);
    const text = '1 of 2 extensions have no BIASSEC: their overscan was not subtracted';
    expect(r.info.warnings).toEqual([`${text} (x5)`]);
    expect(r.log.filter((e) => e.level === 'warn')).toEqual([expect.objectContaining({ step: 'overscanCorrect', message: text })]);
    expect(historyOf(productOf(store, r.product.id).stored.primary)).toContain(`warning: ${text} (x5)`);
  });

  it('says, for the frame and in the product, that a pinned calibration is one the rules refuse', async () => {
    const store = new MemoryStore();
    const bias = await executeRun(runSpecFor('makeMasterBias', biasNight(store, 3)), store);
    store.add(rawInput(CAM, { id: 'sci', imagetyp: 'Light Frame', exptime: 10, dateObs: '2024-03-01T22:00:00', illumination: 100, seed: 3 }));
    const pinned = { ...bias.product, againstRule: 'binning 2x2 != 1x1' };
    const r = await executeRun(runSpecFor('reduceScience', [{ id: 'sci', name: 'sci.fits', calibrations: { bias: pinned } }]), store);
    const text = 'bias b1_bias.fits pinned by you though the rules refuse it (binning 2x2 != 1x1)';
    expect(r.info.warnings).toContain(text);
    expect(r.log).toContainEqual(expect.objectContaining({ level: 'warn', step: 'subtractBias', message: text }));
    expect(historyOf(productOf(store, r.product.id).stored.primary).join('\n')).toContain('pinned by you though the rules refuse it');
    // A calibration the rules chose says nothing of the kind.
    const plain = await executeRun(runSpecFor('reduceScience', [{ id: 'sci', name: 'sci.fits', calibrations: { bias: bias.product } }]), store);
    expect((plain.info.warnings ?? []).filter((w) => /pinned/.test(w))).toEqual([]);

    // The frames of a master sharing the pin: said once, with a count. Their per-frame lines name each frame;
    // the lines of the steps after the stack (the combined flat) name none.
    const flats: RunInput[] = [];
    for (let i = 0; i < 3; i++) {
      store.add(rawInput(CAM, { id: `f${i + 1}`, imagetyp: 'Flat Field', exptime: 1, filter: 'R', dateObs: `2024-03-01T18:0${i}:00`, illumination: 30000, seed: 20 + i }));
      flats.push({ id: `f${i + 1}`, name: `f${i + 1}.fits`, calibrations: { bias: pinned } });
    }
    const m = await executeRun(runSpecFor('makeMasterFlat', flats), store);
    expect(m.info.warnings).toContain('bias b1_bias.fits pinned by you though the rules refuse it (binning 2x2 != 1x1) (x3)');
    expect(m.log.filter((e) => e.step === 'overscanCorrect' && e.seconds === undefined).map((e) => e.frame)).toEqual(['f1.fits', 'f2.fits', 'f3.fits']);
    const afterStack = m.log.filter((e) => e.step === 'normalizeFlat' && e.seconds === undefined);
    expect(afterStack.length).toBeGreaterThan(0);
    expect(afterStack.map((e) => e.frame)).toEqual(afterStack.map(() => undefined));
  });

  it('measures the read noise of biases whose headers give none, says it on the master, and passes it to the frames the master calibrates', async () => {
    const NO_RN: Camera = { ...CAM, width: 256, height: 200, noReadNoise: true };
    const store = new MemoryStore();
    const bias = await executeRun(runSpecFor('makeMasterBias', biasNight(store, 5, NO_RN)), store);
    // No "assumed 0 e-": measureReadNoise measured it, and the stack had a VAR of it.
    expect(bias.info.warnings ?? []).toEqual([]);
    const master = productOf(store, bias.product.id);
    const rnCard = (cards: readonly { key: string; value?: unknown; comment?: string }[]) => cards.find((c) => c.key === 'RDNOISE');
    const rn = rnCard(master.stored.exts[0].header ?? [])!;
    // The frames were made with 6 e- at 2 e-/ADU, then rounded to whole ADU (+1/12 ADU^2: +0.5%); the robust
    // sigma of one difference of 256 x 200 pixels is good to ~0.5% (6.027 measured).
    expect(Number(rn.value)).toBeGreaterThan(6 * 0.985);
    expect(Number(rn.value)).toBeLessThan(6 * 1.02);
    expect(rn.comment).toBe("e-, measured on two biases' difference");
    // The master's VAR is that read noise's, over the frames combined, as a header's RDNOISE would have made it.
    const v = master.planes[0].var!;
    const expected = (Number(rn.value) / 2) ** 2 / 5;
    expect(v.every((x) => Math.abs(x - expected) < 1e-3 * expected)).toBe(true);
    // The same with every frame parked in scratch (the browser's way): the measured VAR is read back as one number.
    const spilled = new MemoryStore();
    const again = await executeRun(runSpecFor('makeMasterBias', biasNight(spilled, 5, NO_RN)), spilled, {}, { parkingBytes: 0 });
    const other = productOf(spilled, again.product.id);
    expect(other.planes[0].var).toEqual(v);
    expect(other.planes[0].sci).toEqual(master.planes[0].sci);
    expect(rnCard(other.stored.exts[0].header ?? [])).toEqual(rn);

    // A flat field without read noise in its header takes the master's, and its VAR counts it.
    store.add(rawInput(NO_RN, { id: 'f1', imagetyp: 'Flat Field', exptime: 1, filter: 'R', dateObs: '2024-03-01T18:00:00', illumination: 400, seed: 21 }));
    const spec = runSpecFor('reduceScience', [{ id: 'f1', name: 'f1.fits', calibrations: { bias: bias.product } }]);
    const reduced = await executeRun(spec, store);
    expect((reduced.info.warnings ?? []).filter((w) => /read noise/.test(w))).toEqual([]);
    const product = productOf(store, reduced.product.id);
    expect(rnCard(product.stored.exts[0].header ?? [])).toMatchObject({ value: rn.value, comment: 'e-, from master bias b1_bias.fits' });
    // VAR in electrons: 400 of signal (Poisson) + rn^2 (36.3) + the master bias's (36.3 / 5) = 444 on
    // average (443.6 measured); without the read noise it would be 400.
    const rv = product.planes[0].var!;
    const mean = rv.reduce((a, b) => a + b, 0) / rv.length;
    expect(mean).toBeGreaterThan(440);
    expect(mean).toBeLessThan(448);
  });
});

describe('frames that still hold the camera\'s level', () => {
  it('a master dark of darks no bias or overscan took the level out of has the VAR of their scatter, not the level\'s Poisson noise', async () => {
    // A CMOS night: no biases, no overscan, no read noise in the headers; the darks hold the 1000 ADU level
    // (500 e- at 2 e-/ADU).
    const cmos: Camera = { width: 64, height: 48, overscan: 0, gain: 2, readNoise: 6, biasLevel: 1000, noReadNoise: true };
    const store = new MemoryStore();
    const darks: RunInput[] = [];
    for (let i = 0; i < 5; i++) {
      store.add(rawInput(cmos, { id: `d${i + 1}`, imagetyp: 'Dark Frame', exptime: 60, dateObs: `2024-03-01T17:3${i}:00`, seed: 80 + i }));
      darks.push({ id: `d${i + 1}`, name: `d${i + 1}.fits` });
    }
    const r = await executeRun(runSpecFor('makeMasterDark', darks), store);
    const v = productOf(store, r.product.id).planes[0].var!;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    // The scatter of 5 frames of 3 ADU (+1/12 for whole ADU), as a population variance over 5: 1.45 ADU^2 on
    // average over 3072 pixels (good to ~1.3%; 1.426 measured); the level counted as Poisson noise gave
    // (1000 / 2) / 5 = 100.
    expect(mean).toBeGreaterThan(1.45 * 0.95);
    expect(mean).toBeLessThan(1.45 * 1.05);
    expect(historyOf(productOf(store, r.product.id).stored.primary).join(' ')).toMatch(/addVariance: .*skipped: the bias level is still in the pixels/);
    // No header gives the read noise: measured on two of the darks (no dark current here: the read noise, 6 e-
    // at 2 e-/ADU in whole ADU, 6.03; one difference of 3072 pixels is good to ~1.3%; 6.036 measured).
    const card = productOf(store, r.product.id).stored.exts[0].header.find((c) => c.key === 'RDNOISE')!;
    expect(card.comment).toBe("e-, read+dark noise of two darks' difference");
    expect(Number(card.value)).toBeGreaterThan(6.03 * 0.95);
    expect(Number(card.value)).toBeLessThan(6.03 * 1.05);
    // A light frame of the dark's exposure, without bias either, takes it: its VAR counts the read noise.
    store.add(rawInput(cmos, { id: 'l1', imagetyp: 'Light Frame', exptime: 60, filter: 'L', dateObs: '2024-03-01T20:00:00', illumination: 200, seed: 90 }));
    const light = await executeRun(runSpecFor('reduceScience', [{ id: 'l1', name: 'l1.fits', calibrations: { dark: r.product } }]), store);
    const lp = productOf(store, light.product.id);
    expect(lp.stored.exts[0].header.find((c) => c.key === 'RDNOISE')).toMatchObject({ value: card.value, comment: 'e-, from master dark d1_dark.fits' });
    const lv = lp.planes[0].var!;
    const lmean = lv.reduce((a, b) => a + b, 0) / lv.length;
    // 200 e- of signal + rn^2 (36.4) + the master dark's (1.45 ADU^2 x 4 = 5.8): 242 (242.3 measured; 206
    // without the read noise).
    expect(lmean).toBeGreaterThan(242 * 0.98);
    expect(lmean).toBeLessThan(242 * 1.02);
  });
});

describe('log', () => {
  it('ends with one summary entry per step, with its parameters and seconds', async () => {
    const store = new MemoryStore();
    const spec = runSpecFor('makeMasterBias', biasNight(store, 4), { values: { overscanCorrect: { order: 4 } } });
    const seen: LogEntry[] = [];
    const r = await executeRun(spec, store, { log: (e) => void seen.push(e) });
    expect(seen).toEqual(r.log);
    const summary = r.log.filter((e) => e.seconds !== undefined && e.step !== 'storage');
    expect(summary.map((e) => e.step)).toEqual(RECIPES.makeMasterBias.steps.map((s) => s.id));
    // Last, what the storage cost: the inputs read, the product written.
    expect(r.log.at(-1)).toMatchObject({ step: 'storage', level: 'info', message: expect.stringMatching(/^read [\d.]+ MB in [\d.]+ s, wrote [\d.]+ MB in [\d.]+ s, published in/) });
    for (const e of summary) {
      expect(e.params).toEqual(stepValues(spec.params, e.step));
      expect(e.seconds).toBeGreaterThanOrEqual(0);
      // The frames' headers give their read noise: nothing to measure.
      expect(e.message).toBe(e.step === 'measureReadNoise' ? 'skipped: the read noise is known (header or parameter)' : 'done on 4 frames');
    }
    expect(summary.find((e) => e.step === 'overscanCorrect')!.params!.order).toBe(4);
    // The step's own lines come before its summary: per-frame overscan lines for each frame.
    const perFrame = r.log.filter((e) => e.step === 'overscanCorrect' && e.seconds === undefined);
    expect(perFrame).toHaveLength(4);
    // Each names the frame it is about.
    expect(perFrame.map((e) => e.frame)).toEqual(['b1.fits', 'b2.fits', 'b3.fits', 'b4.fits']);
  });

  it('says which steps were skipped and why', async () => {
    const store = new MemoryStore();
    const e: Exposure = { id: 'sci', imagetyp: 'Light Frame', exptime: 10, dateObs: '2024-03-01T22:00:00', illumination: 100, seed: 3 };
    store.add(rawInput(CAM, e));
    const r = await executeRun(runSpecFor('reduceScience', [{ id: 'sci', name: 'sci.fits' }]), store);
    const summary = new Map(r.log.filter((x) => x.seconds !== undefined).map((x) => [x.step, x.message]));
    expect(summary.get('subtractBias')).toBe('skipped: no master bias');
    expect(summary.get('subtractDark')).toBe('skipped: no master dark');
    expect(summary.get('flatCorrect')).toBe('skipped: no master flat');
    expect(summary.get('overscanCorrect')).toBe('done');
    // A run of one frame needs no frame on each line.
    expect(r.log.filter((x) => x.frame !== undefined)).toEqual([]);
  });
});

describe('progress', () => {
  it('moves step by step through a run of one frame, and frame by frame through a master', async () => {
    const store = new MemoryStore();
    const e: Exposure = { id: 'sci', imagetyp: 'Light Frame', exptime: 10, dateObs: '2024-03-01T22:00:00', illumination: 100, seed: 3 };
    store.add(rawInput(CAM, e));
    const seen: [number, string][] = [];
    await executeRun(runSpecFor('reduceScience', [{ id: 'sci', name: 'sci.fits' }]), store, { progress: (f, step) => seen.push([f, step]) });
    const steps = RECIPES.reduceScience.steps;
    // One report per step, before it, at its share of the frame (0, 1/n, 2/n...), then done.
    expect(seen.map(([, s]) => s)).toEqual([...steps.map((s) => s.id), 'done']);
    expect(seen.map(([f]) => f)).toEqual([...steps.map((_, k) => k / steps.length), 1]);

    const masters = new MemoryStore();
    const seenMaster: [number, string][] = [];
    await executeRun(runSpecFor('makeMasterBias', biasNight(masters, 4)), masters, { progress: (f, step) => seenMaster.push([f, step]) });
    const fractions = seenMaster.map(([f]) => f);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(seenMaster[0][1]).toMatch(/ · b1\.fits, frame 1 of 4$/);
    expect(seenMaster.some(([, s]) => / · b4\.fits, frame 4 of 4$/.test(s))).toBe(true);
  });
});

describe('stages whose steps are satisfied', () => {

  it('do not load frames whose measurements came with them (stackScience on measured inputs)', async () => {
    const field = starGrid({ nx: 4, ny: 4, x0: 22, y0: 22, step: 26, fwhm: 3.2, fluxes: [20000, 40000, 60000], seed: 8 });
    const shifts = [{ dx: 0, dy: 0 }, { dx: 1.3, dy: -0.7 }, { dx: -1.6, dy: 1.2 }, { dx: 8, dy: 8 }];
    const make = () => {
      const store = new ReadCountingStore();
      // The fourth frame is blurred: selectFrames leaves it out before the stack reads anything.
      const inputs: RunInput[] = shifts.map((shift, i) => addReduced(store, { id: `s${i + 1}`, field, shift, size: 128, sky: 200, readNoise: 5, seed: 70 + i, fwhm: i === 3 ? 9 : 3.2, dateObs: `2024-03-01T22:0${i}:00` }));
      return { store, inputs };
    };
    // What an earlier run measured: detectSources with the stack's own values.
    const p = recipeValues('stackScience', 'detectSources');
    const measured = make();
    for (const input of measured.inputs) {
      const f = await loadFrame(measured.store, await measured.store.open(input.id));
      detectSources.run(f, p, frameCtx());
      input.meta = { quality: f.meta.quality, stars: f.meta.stars, measuredWith: f.meta.measuredWith };
    }
    measured.store.reads.clear();
    const spy = vi.spyOn(detectSources, 'run');
    const withMeta = await executeRun(runSpecFor('stackScience', measured.inputs), measured.store);
    expect(spy).not.toHaveBeenCalled();
    expect(measured.store.reads.get('s4')).toBeUndefined();
    expect(withMeta.info.leftOut?.map((l) => l.name)).toEqual(['s4_reduced.fits']);
    // Said as a warning too (the command line prints those), not only in the product's HISTORY.
    expect(withMeta.info.warnings).toContainEqual(expect.stringMatching(/^s4_reduced\.fits left out: /));

    const plain = make();
    const without = await executeRun(runSpecFor('stackScience', plain.inputs), plain.store);
    expect(spy).toHaveBeenCalledTimes(4);
    expect(plain.store.reads.get('s4')).toBeGreaterThan(0);
    // The same stack either way.
    expect(productOf(measured.store, withMeta.product.id).planes[0].sci).toEqual(productOf(plain.store, without.product.id).planes[0].sci);
    // The summary still lists detectSources, as done on every frame.
    expect(withMeta.log.find((e) => e.step === 'detectSources' && e.seconds !== undefined)?.message).toBe('done on 4 frames');
  });
});
