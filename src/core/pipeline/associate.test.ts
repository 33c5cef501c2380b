import { describe, expect, it } from 'vitest';
import {
  ASSOCIATION_RULES, DEFAULT_RULES, associate, describeDuration, exposureMatches, firstFailure, rulesFor,
  type AssociationRules, type Candidate, type FrameFacts,
} from './associate';
import type { CalibrationStep } from './products';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The frame's start: 2026-09-01 22:00 UTC. */
const T0 = Date.UTC(2026, 8, 1, 22, 0, 0);

function frame(over: Partial<FrameFacts> = {}): FrameFacts {
  return {
    id: 'sci', name: 'raw0100.fits', instrument: 'CAM1', detector: 'CCD42', binning: '1x1', readout: 'slow/A',
    dataShape: '2048x2048', filter: 'R', exptime: 120, time: T0, ...over,
  };
}

/** A master matching frame() in everything, taken 10 min before it, made a day later. */
function cand(kind: CalibrationStep, name: string, over: Partial<Candidate> = {}): Candidate {
  return {
    id: name, name, kind, source: 'product', valid: true, createdAt: T0 + DAY,
    instrument: 'CAM1', detector: 'CCD42', binning: '1x1', readout: 'slow/A', dataShape: '2048x2048',
    filter: kind === 'flat' ? 'R' : undefined, exptime: kind === 'dark' ? 120 : undefined,
    time: T0 - 10 * MIN, ...over,
  };
}

/** The first failed rule's reason for one candidate, or null. */
function why(c: Candidate, f: FrameFacts = frame(), rules?: AssociationRules): string | null {
  return firstFailure(f, c, rules)?.reason ?? null;
}

describe('the rules as data', () => {
  it('are listed in checking order, each with its steps', () => {
    expect(ASSOCIATION_RULES.map((r) => r.name)).toEqual(
      ['valid', 'instrument', 'detector', 'binning', 'readout', 'shape', 'filter', 'exposure', 'window'],
    );
    expect(rulesFor('bias').map((r) => r.name)).toEqual(
      ['valid', 'instrument', 'detector', 'binning', 'readout', 'shape', 'window'],
    );
    expect(rulesFor('dark').map((r) => r.name)).toContain('exposure');
    expect(rulesFor('dark').map((r) => r.name)).not.toContain('filter');
    expect(rulesFor('flat').map((r) => r.name)).toContain('filter');
    expect(rulesFor('flat').map((r) => r.name)).not.toContain('exposure');
    for (const r of ASSOCIATION_RULES) expect(r.doc.length).toBeGreaterThan(0);
  });

  it('default to DESIGN.md: +-90 days for bias and dark, +-180 for flats, darks matched by exposure within 1%', () => {
    expect(DEFAULT_RULES).toEqual({ windowDays: { bias: 90, dark: 90, flat: 180 }, scaleDark: false, darkExptimeTolerance: 0.01 });
  });

  it('report the first rule a candidate fails', () => {
    const c = cand('flat', 'm', { valid: false, filter: 'V', binning: '2x2' });
    expect(firstFailure(frame(), c)).toEqual({ rule: 'valid', reason: 'marked invalid' });
    expect(firstFailure(frame(), { ...c, valid: true })).toEqual({ rule: 'binning', reason: 'binning 2x2 != 1x1' });
    expect(firstFailure(frame(), cand('flat', 'ok'))).toBeNull();
  });
});

describe('descriptor rules: pass, fail, unknown on either side passes', () => {
  const cases: { rule: string; field: keyof FrameFacts; step: CalibrationStep; same: string; other: string; fail: string }[] = [
    { rule: 'instrument', field: 'instrument', step: 'bias', same: ' cam1 ', other: 'CAM2', fail: 'instrument CAM2 != CAM1' },
    { rule: 'detector', field: 'detector', step: 'dark', same: 'ccd42', other: 'E2V', fail: 'detector E2V != CCD42' },
    { rule: 'binning', field: 'binning', step: 'bias', same: '1 x 1', other: '2x2', fail: 'binning 2x2 != 1x1' },
    { rule: 'readout', field: 'readout', step: 'flat', same: 'SLOW/a', other: 'fast/B', fail: 'readout fast/B != slow/A' },
    { rule: 'shape', field: 'dataShape', step: 'bias', same: '2048X2048', other: '1024x1024', fail: 'shape 1024x1024 != 2048x2048' },
    { rule: 'filter', field: 'filter', step: 'flat', same: ' r', other: 'V', fail: 'filter V != R' },
  ];
  for (const t of cases) {
    it(t.rule, () => {
      expect(why(cand(t.step, 'm', { [t.field]: t.same }))).toBeNull();
      expect(firstFailure(frame(), cand(t.step, 'm', { [t.field]: t.other }))).toEqual({ rule: t.rule, reason: t.fail });
      expect(why(cand(t.step, 'm', { [t.field]: undefined }))).toBeNull();
      expect(why(cand(t.step, 'm', { [t.field]: '  ' }))).toBeNull();
      expect(why(cand(t.step, 'm', { [t.field]: t.other }), frame({ [t.field]: undefined }))).toBeNull();
    });
  }

  it('filter matters for flats only', () => {
    expect(why(cand('bias', 'b', { filter: 'V' }))).toBeNull();
    expect(why(cand('dark', 'd', { filter: 'V' }))).toBeNull();
    expect(why(cand('flat', 'f', { filter: 'V' }))).toBe('filter V != R');
  });

  it('the chosen reason names a descriptor known on one side only', () => {
    const imported = cand('bias', 'ext_bias.fits', { source: 'imported', instrument: undefined, detector: undefined });
    expect(associate(frame({ readout: undefined }), 'bias', [imported]).candidates[0].reason).toBe(
      'only match (taken 10 min before the frame); instrument and detector unknown on the master; readout unknown on the frame',
    );
    // Unknown on both sides: nothing to say.
    const d = associate(frame({ instrument: undefined }), 'bias', [cand('bias', 'b', { instrument: undefined })]);
    expect(d.candidates[0].reason).toBe('only match (taken 10 min before the frame)');
  });
});

describe('darks: exposure', () => {
  it('must match unless darks are scaled', () => {
    const d300 = cand('dark', 'd300', { exptime: 300 });
    expect(firstFailure(frame(), d300)).toEqual({ rule: 'exposure', reason: 'exposure 300 s != 120 s' });
    expect(why(d300, frame(), { ...DEFAULT_RULES, scaleDark: true })).toBeNull();
    expect(why(cand('dark', 'd120'))).toBeNull();
  });

  it('passes when either exposure is unknown; with scaling the chosen reason says so', () => {
    expect(why(cand('dark', 'd', { exptime: undefined }))).toBeNull();
    expect(why(cand('dark', 'd', { exptime: 300 }), frame({ exptime: undefined }))).toBeNull();
    const scaled = associate(frame(), 'dark', [cand('dark', 'd', { exptime: undefined })], { ...DEFAULT_RULES, scaleDark: true });
    expect(scaled.summary).toBe('d: only match (taken 10 min before the frame); exposure unknown on the master');
  });

  it('tolerance is relative to the frame, with a 0.01 s floor, edges included', () => {
    // 1% of 100 s = 1 s.
    expect(why(cand('dark', 'd', { exptime: 101 }), frame({ exptime: 100 }))).toBeNull();
    expect(why(cand('dark', 'd', { exptime: 99 }), frame({ exptime: 100 }))).toBeNull();
    expect(why(cand('dark', 'd', { exptime: 101.02 }), frame({ exptime: 100 }))).toBe('exposure 101.02 s != 100 s');
    // 0.01 * 300 is 3.0000000000000004 in binary: the edge still passes.
    expect(exposureMatches(303, 300, 0.01)).toBe(true);
    // 1% of 0.5 s is below the floor: 0.01 s applies.
    expect(exposureMatches(0.51, 0.5, 0.01)).toBe(true);
    expect(exposureMatches(0.52, 0.5, 0.01)).toBe(false);
    expect(exposureMatches(0.005, 0, 0)).toBe(true);
    expect(why(cand('dark', 'd', { exptime: 0.52 }), frame({ exptime: 0.5 }))).toBe('exposure 0.52 s != 0.5 s');
    expect(why(cand('dark', 'd', { exptime: 110 }), frame({ exptime: 100 }), { ...DEFAULT_RULES, darkExptimeTolerance: 0.1 })).toBeNull();
  });
});

describe('time window', () => {
  it('default: exactly +-N days passes, just past fails, worded from the calibration\'s side', () => {
    expect(why(cand('bias', 'b', { time: T0 - 90 * DAY }))).toBeNull();
    expect(why(cand('bias', 'b', { time: T0 + 90 * DAY }))).toBeNull();
    expect(why(cand('bias', 'b', { time: T0 - 90 * DAY - 1 }))).toBe('taken 90 days and 1 ms before the frame, outside +-90 days');
    expect(why(cand('dark', 'd', { time: T0 + 90 * DAY + 2 * HOUR }))).toBe('taken 90 days and 2 h after the frame, outside +-90 days');
    expect(why(cand('flat', 'f', { time: T0 + 180 * DAY }))).toBeNull();
    expect(why(cand('flat', 'f', { time: T0 - 200 * DAY }))).toBe('taken 200 days before the frame, outside +-180 days');
    expect(firstFailure(frame(), cand('flat', 'f', { time: T0 + 181 * DAY }))).toEqual({
      rule: 'window', reason: 'taken 181 days after the frame, outside +-180 days',
    });
  });

  it('follows the rules\' window per step', () => {
    const rules = { ...DEFAULT_RULES, windowDays: { bias: 1, dark: 90, flat: 180 } };
    expect(why(cand('bias', 'b', { time: T0 - 2 * DAY }), frame(), rules)).toBe('taken 2 days before the frame, outside +-1 day');
    expect(why(cand('dark', 'd', { time: T0 - 2 * DAY }), frame(), rules)).toBeNull();
  });

  it('unknown time on either side passes', () => {
    expect(why(cand('bias', 'b', { time: undefined }))).toBeNull();
    expect(why(cand('bias', 'b', { time: T0 - 900 * DAY }), frame({ time: undefined }))).toBeNull();
    expect(why(cand('bias', 'b', { validity: { start: 0, end: 1 } }), frame({ time: undefined }))).toBeNull();
  });

  it('an explicit validity window replaces the default one, edges inclusive', () => {
    const validity = { start: Date.UTC(2026, 7, 10), end: Date.UTC(2026, 8, 10) };
    const b = (over: Partial<Candidate> = {}) => cand('bias', 'b', { validity, time: T0 - 400 * DAY, ...over });
    expect(why(b())).toBeNull(); // 400 days away, but inside its own window
    expect(why(b(), frame({ time: validity.start }))).toBeNull();
    expect(why(b(), frame({ time: validity.end }))).toBeNull();
    expect(why(b(), frame({ time: Date.UTC(2026, 8, 30, 3) }))).toBe(
      'valid until 2026-09-10, but the frame was taken 2026-09-30',
    );
    expect(why(b(), frame({ time: Date.UTC(2026, 7, 1) }))).toBe(
      'valid from 2026-08-10, but the frame was taken 2026-08-01',
    );
    // Same day: the time of day tells them apart.
    expect(why(b(), frame({ time: validity.end + 18 * HOUR }))).toBe(
      'valid until 2026-09-10 00:00 UTC, but the frame was taken 2026-09-10 18:00 UTC',
    );
    // A calibration taken near the frame but whose window the user closed.
    expect(why(cand('bias', 'b', { validity: { start: T0 - DAY, end: T0 - HOUR } }))).toBe(
      'valid until 2026-09-01 21:00 UTC, but the frame was taken 2026-09-01 22:00 UTC',
    );
  });
});

describe('ranking among passing candidates', () => {
  it('chooses the closest in time and says why the others lost', () => {
    const d = associate(frame(), 'bias', [
      cand('bias', 'far_bias.fits', { time: T0 - 2.1 * HOUR }),
      cand('bias', 'raw0001_bias.fits', { time: T0 - 3 * MIN }),
      cand('bias', 'after_bias.fits', { time: T0 + 5 * DAY }),
    ]);
    expect(d.outcome).toBe('chosen');
    expect(d.chosen).toBe('raw0001_bias.fits');
    expect(d.summary).toBe('raw0001_bias.fits: closest in time (taken 3 min before the frame)');
    expect(d.candidates).toEqual([
      { id: 'raw0001_bias.fits', name: 'raw0001_bias.fits', source: 'product', verdict: 'chosen', reason: 'closest in time (taken 3 min before the frame)' },
      { id: 'far_bias.fits', name: 'far_bias.fits', source: 'product', verdict: 'outranked', reason: 'farther in time (2.1 h) than raw0001_bias.fits (3 min)' },
      { id: 'after_bias.fits', name: 'after_bias.fits', source: 'product', verdict: 'outranked', reason: 'farther in time (5 days) than raw0001_bias.fits (3 min)' },
    ]);
  });

  it('an invalid candidate is never chosen, even the closest', () => {
    const d = associate(frame(), 'flat', [
      cand('flat', 'near_flat.fits', { time: T0 - MIN, valid: false }),
      cand('flat', 'old_flat.fits', { time: T0 - 30 * DAY }),
    ]);
    expect(d.chosen).toBe('old_flat.fits');
    expect(d.summary).toBe('old_flat.fits: only match (taken 30 days before the frame)');
    expect(d.candidates[1]).toEqual({
      id: 'near_flat.fits', name: 'near_flat.fits', source: 'product', verdict: 'failed', reason: 'marked invalid', failedRule: 'valid',
    });
  });

  it('same distance: the newest product; same age too: the first by name', () => {
    const t = T0 - 20 * MIN;
    const d = associate(frame(), 'bias', [
      cand('bias', 'raw0031_bias.fits', { time: t, createdAt: T0 + 2 * DAY }),
      cand('bias', 'raw0001_bias.fits', { time: t, createdAt: T0 + DAY }),
      cand('bias', 'raw0041_bias.fits', { time: t + 40 * MIN, createdAt: T0 + 3 * DAY }), // 20 min after: same distance
    ]);
    expect(d.chosen).toBe('raw0041_bias.fits');
    expect(d.summary).toBe('raw0041_bias.fits: newest at the same distance in time (taken 20 min after the frame)');
    expect(d.candidates.map((c) => [c.name, c.reason])).toEqual([
      ['raw0041_bias.fits', 'newest at the same distance in time (taken 20 min after the frame)'],
      ['raw0031_bias.fits', 'older than raw0041_bias.fits at the same distance in time'],
      ['raw0001_bias.fits', 'older than raw0041_bias.fits at the same distance in time'],
    ]);

    const tie = associate(frame(), 'bias', [cand('bias', 'b_bias.fits'), cand('bias', 'a_bias.fits')]);
    expect(tie.chosen).toBe('a_bias.fits');
    expect(tie.candidates.map((c) => c.reason)).toEqual([
      'first by name of those tied on time and age (taken 10 min before the frame)',
      'tied on time and age with a_bias.fits, which comes first by name',
    ]);
  });

  it('does not depend on the order of the input', () => {
    const list = [
      cand('dark', 'c'), cand('dark', 'a'), cand('dark', 'b', { createdAt: T0 }),
      cand('dark', 'z', { time: undefined }), cand('dark', 'x', { exptime: 5 }),
    ];
    const names = (l: Candidate[]) => associate(frame(), 'dark', l).candidates.map((c) => c.name);
    expect(names(list)).toEqual(['a', 'c', 'b', 'z', 'x']);
    expect(names([...list].reverse())).toEqual(['a', 'c', 'b', 'z', 'x']);
  });

  it('unknown times rank after known ones; with the frame\'s time unknown the newest wins', () => {
    const d = associate(frame(), 'bias', [cand('bias', 'undated', { time: undefined, createdAt: T0 + 9 * DAY }), cand('bias', 'dated')]);
    expect(d.chosen).toBe('dated');
    expect(d.candidates[1].reason).toBe('time unknown on the master, while dated is 10 min from the frame');

    const n = associate(frame({ time: undefined }), 'bias', [cand('bias', 'old', { createdAt: T0 }), cand('bias', 'new')]);
    expect(n.summary).toBe('new: newest (the frame\'s time is unknown)');
    expect(n.candidates[1].reason).toBe('older than new (the frame\'s time is unknown)');
  });

  it('only candidates of the step are considered', () => {
    const d = associate(frame(), 'dark', [cand('bias', 'b'), cand('flat', 'f'), cand('dark', 'd')]);
    expect(d.candidates.map((c) => c.id)).toEqual(['d']);
  });
});

describe('planned, product and imported candidates', () => {
  it('compete by the same rules: a planned master (newest) beats an earlier product of the same time', () => {
    const planned = cand('bias', 'raw0001_bias.fits', { id: 'plan:bias', source: 'planned', createdAt: T0 + 10 * DAY });
    const product = cand('bias', 'raw0001_bias.fits', { id: 'lib:bias' });
    const d = associate(frame(), 'bias', [product, planned]);
    expect(d.chosen).toBe('plan:bias');
    expect(d.candidates.map((c) => [c.source, c.verdict])).toEqual([['planned', 'chosen'], ['product', 'outranked']]);
  });

  it('an imported master lacking keywords can win when closest', () => {
    const imported = cand('flat', 'skyflat_R.fits', {
      source: 'imported', instrument: undefined, binning: undefined, readout: undefined, time: T0 - 5 * MIN, createdAt: T0 - 100 * DAY,
    });
    const planned = cand('flat', 'raw0050_flat.fits', { source: 'planned', time: T0 - 3 * HOUR, createdAt: T0 + 10 * DAY });
    const d = associate(frame(), 'flat', [planned, imported]);
    expect(d.summary).toBe(
      'skyflat_R.fits: closest in time (taken 5 min before the frame); instrument, binning and readout unknown on the master',
    );
    expect(d.candidates[1].reason).toBe('farther in time (3 h) than skyflat_R.fits (5 min)');
  });
});

describe('overrides', () => {
  const near = cand('flat', 'near_flat.fits', { time: T0 - 3 * MIN });
  const far = cand('flat', 'far_flat.fits', { time: T0 - 2 * DAY });
  const wrong = cand('flat', 'V_flat.fits', { filter: 'V' });

  it('a pin to a passing candidate wins over the closest', () => {
    const d = associate(frame(), 'flat', [near, far, wrong], DEFAULT_RULES, { pin: 'far_flat.fits' });
    expect(d.outcome).toBe('pinned');
    expect(d.chosen).toBe('far_flat.fits');
    expect(d.summary).toBe('pinned by you: far_flat.fits');
    expect(d.candidates).toEqual([
      { id: 'far_flat.fits', name: 'far_flat.fits', source: 'product', verdict: 'chosen', reason: 'pinned by you' },
      { id: 'near_flat.fits', name: 'near_flat.fits', source: 'product', verdict: 'outranked', reason: 'the rules\' choice: closest in time (taken 3 min before the frame); you pinned far_flat.fits' },
      { id: 'V_flat.fits', name: 'V_flat.fits', source: 'product', verdict: 'failed', reason: 'filter V != R', failedRule: 'filter' },
    ]);
  });

  it('a pin to the rules\' own choice says both', () => {
    const d = associate(frame(), 'flat', [near, far], DEFAULT_RULES, { pin: 'near_flat.fits' });
    expect(d.candidates[0].reason).toBe('pinned by you, also the rules\' choice: closest in time (taken 3 min before the frame)');
    expect(d.candidates[1].reason).toBe('farther in time (2 days) than near_flat.fits (3 min)');
  });

  it('a pin chooses a candidate the rules refuse, saying which rule', () => {
    const d = associate(frame(), 'flat', [near, wrong], DEFAULT_RULES, { pin: 'V_flat.fits' });
    expect(d.outcome).toBe('pinned');
    expect(d.chosen).toBe('V_flat.fits');
    expect(d.summary).toBe('pinned by you: V_flat.fits (note: filter V != R)');
    expect(d.candidates[0]).toEqual({
      id: 'V_flat.fits', name: 'V_flat.fits', source: 'product', verdict: 'chosen',
      reason: 'pinned by you (note: filter V != R)', failedRule: 'filter',
    });
    const invalid = associate(frame(), 'flat', [{ ...near, valid: false }], DEFAULT_RULES, { pin: 'near_flat.fits' });
    expect(invalid.summary).toBe('pinned by you: near_flat.fits (note: marked invalid)');
  });

  it('a pin to a calibration no longer there gives no calibration, and says so', () => {
    const d = associate(frame(), 'flat', [near, wrong], DEFAULT_RULES, { pin: 'gone' });
    expect(d.outcome).toBe('none');
    expect(d.chosen).toBeUndefined();
    expect(d.summary).toBe('the flat you pinned is no longer in the library (the rules would choose near_flat.fits)');
    expect(d.candidates.map((c) => [c.verdict, c.reason])).toEqual([
      ['outranked', 'the rules\' choice: only match (taken 3 min before the frame); you pinned a flat that is no longer in the library'],
      ['failed', 'filter V != R'],
    ]);
    // A pin to a calibration of another step is not a candidate of this one.
    expect(associate(frame(), 'bias', [], DEFAULT_RULES, { pin: 'near_flat.fits' }).summary).toBe(
      'the bias you pinned is no longer in the library',
    );
  });

  it('a skip chooses nothing but still shows what the rules would use', () => {
    const d = associate(frame(), 'flat', [far, near, wrong], DEFAULT_RULES, { skip: true });
    expect(d.outcome).toBe('skipped');
    expect(d.chosen).toBeUndefined();
    expect(d.summary).toBe('skipped by you');
    expect(d.candidates.map((c) => [c.name, c.verdict, c.reason])).toEqual([
      ['near_flat.fits', 'outranked', 'the rules\' choice: closest in time (taken 3 min before the frame); skipped by you'],
      ['far_flat.fits', 'outranked', 'farther in time (2 days) than near_flat.fits (3 min)'],
      ['V_flat.fits', 'failed', 'filter V != R'],
    ]);
  });
});

describe('no calibration', () => {
  it('with no candidate at all', () => {
    expect(associate(frame(), 'flat', [])).toEqual({ step: 'flat', outcome: 'none', summary: 'no flat in the library', candidates: [] });
    expect(associate(frame(), 'dark', [cand('bias', 'b')]).summary).toBe('no dark in the library');
  });

  it('with only failing candidates, counting failures by rule', () => {
    const d = associate(frame(), 'flat', [
      cand('flat', 'v1', { filter: 'V' }),
      cand('flat', 'v2', { filter: 'V', time: T0 - DAY }),
      cand('flat', 'bad', { valid: false }),
    ]);
    expect(d.outcome).toBe('none');
    expect(d.chosen).toBeUndefined();
    expect(d.summary).toBe('no usable flat: 3 candidates, none matches (filter V != R for 2, marked invalid for 1)');
    expect(d.candidates.map((c) => [c.name, c.verdict, c.failedRule])).toEqual([
      ['bad', 'failed', 'valid'], ['v1', 'failed', 'filter'], ['v2', 'failed', 'filter'],
    ]);
  });

  it('groups different reasons of one rule under its short label', () => {
    const d = associate(frame(), 'flat', [
      cand('flat', 'v', { filter: 'V' }), cand('flat', 'b', { filter: 'B' }),
      cand('flat', 'old', { time: T0 - 300 * DAY }), cand('flat', 'older', { time: T0 - 400 * DAY }),
      cand('flat', 'other', { time: T0 - 500 * DAY }), cand('flat', 'bin', { binning: '2x2' }),
    ]);
    expect(d.summary).toBe(
      'no usable flat: 6 candidates, none matches (outside the validity window for 3, other filter for 2, binning 2x2 != 1x1 for 1)',
    );
  });

  it('with a single failing candidate', () => {
    expect(associate(frame(), 'dark', [cand('dark', 'd', { exptime: 300 })]).summary).toBe(
      'no usable dark: the only candidate does not match (exposure 300 s != 120 s)',
    );
    expect(associate(frame(), 'bias', [cand('bias', 'b', { time: T0 + 100 * DAY })]).summary).toBe(
      'no usable bias: the only candidate does not match (taken 100 days after the frame, outside +-90 days)',
    );
  });
});

describe('describeDuration', () => {
  it('uses the unit a person would', () => {
    expect(describeDuration(0)).toBe('0 s');
    expect(describeDuration(250)).toBe('250 ms');
    expect(describeDuration(4.5 * SEC)).toBe('4.5 s');
    expect(describeDuration(42 * SEC)).toBe('42 s');
    expect(describeDuration(59.97 * SEC)).toBe('1 min');
    expect(describeDuration(3 * MIN)).toBe('3 min');
    expect(describeDuration(-3 * MIN)).toBe('3 min');
    expect(describeDuration(90 * SEC)).toBe('1.5 min');
    expect(describeDuration(2.1 * HOUR)).toBe('2.1 h');
    expect(describeDuration(23.99 * HOUR)).toBe('1 day');
    expect(describeDuration(36 * HOUR)).toBe('1.5 days');
    expect(describeDuration(200 * DAY)).toBe('200 days');
    expect(describeDuration(200.4 * DAY)).toBe('200 days');
  });
});
