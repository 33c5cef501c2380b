/**
 * What a primitive is: a plain function beside its parameter schema. Three
 * kinds, by what they work on:
 *
 * - 'frame': one frame in memory (overscan, bias, cosmic rays...). The engine
 *   loads each input, applies consecutive frame steps, and keeps the result
 *   (in memory within the run's budget, else in scratch storage).
 * - 'group': the set of frames as a whole, from what earlier steps measured
 *   (which frames to keep, offsets, scales, weights). May read pixels through
 *   the context, one frame at a time.
 * - 'stack': many frames into one. The engine streams it strip by strip
 *   through the store, so its memory does not grow with the number or size of
 *   the frames.
 */
import type { ParamSpec, ParamValue, StepValues } from './params';
import type { AstroFrame, FrameMeta } from './astroFrame';
import type { CalibrationStep, FrameRef } from './products';
import type { StoredFrame } from './store';
import type { ResampleKernel } from '../kernels/resample';

export interface StepLog {
  /** A line for the run log. */
  log(message: string): void;
  /** A warning: in the run log, the product's header and its record. */
  warn(message: string): void;
}

export interface FrameContext extends StepLog {
  /** The calibration chosen for this frame, loaded; undefined when there is none or the step is skipped. */
  calibration(step: CalibrationStep): AstroFrame | undefined;
  /** Whether a later step of the recipe is the named primitive: a step may skip measuring what no later step reads. */
  later(primitive: string): boolean;
  /** The parameter values of the first later step of the named primitive (undefined when none follows): what it will do to the frame. */
  laterValues(primitive: string): StepValues | undefined;
  /**
   * The value an empty or 'auto' parameter took for this frame (the header's
   * gain, the overscan model chosen): HISTORY then says `gain=auto(1.6)`.
   */
  used(param: string, value: string | number): void;
}

/**
 * What a frame step may say besides changing the frame in place: that it left
 * the pixels as they were, that it did not apply (and why: the log and the
 * HISTORY card say so), or that the frame must not be used (a flat too faint
 * or saturated; the run lists it with the reason).
 */
export type FrameOutcome = void | 'unchanged' | { skipped: string } | { refused: string };

export interface FramePrimitive {
  kind: 'frame';
  name: string;
  doc: string;
  params: readonly ParamSpec[];
  /** The calibration this step applies: the engine loads it and skips the step (with a note) when there is none. */
  calibration?: CalibrationStep;
  /**
   * A calibration the step reads a fact from (a master flat's measured
   * gain): loaded when the plan chose one, as `calibration` is, but the
   * step runs without it.
   */
  consults?: CalibrationStep;
  /**
   * True when what the step would do is already done for this member (its
   * measurements came with it, or it would not change this frame): a stage
   * whose every step is satisfied does not load the frame at all.
   */
  satisfiedBy?(member: Member, p: StepValues): boolean;
  run(frame: AstroFrame, p: StepValues, ctx: FrameContext): FrameOutcome;
}

/** One frame of a set, as group and stack steps see it. */
export interface Member {
  ref: FrameRef;
  /** Where its current pixels are (the input, or the scratch copy the run made). */
  stored: StoredFrame;
  meta: FrameMeta;
  /** Set when a step leaves the frame out; later steps ignore it. */
  leftOut?: string;
  /** Offset to the reference frame (registration's convention: reference content sits at +dx, +dy in this frame). */
  offset?: { dx: number; dy: number; method: 'reference' | 'stars' | 'xcorr'; nMatched: number };
  /** Combine scale and zero (value * scale + zero) and weight; 1, 0, 1 unless a step sets them. */
  scale: number;
  zero: number;
  weight: number;
  /** Resampling applied while the stack reads the frame. */
  shift?: { dx: number; dy: number; kernel: ResampleKernel };
  /** Per extension, the read noise measureReadNoise measured (in the frame's unit), and the comment of the product's RDNOISE. */
  measuredReadNoise?: { values: (number | undefined)[]; how: string };
}

export interface GroupContext extends StepLog {
  /** Reads a member's current pixels (one frame in memory at a time, please). */
  readFrame(member: Member): Promise<AstroFrame>;
  /** The parameter values of the first later step of the named primitive (undefined when none follows). */
  laterValues(primitive: string): StepValues | undefined;
  /**
   * Gives a member's extension (index) a VAR of one number everywhere, for
   * the steps after this one and the stack: what addVariance makes of a
   * bias's read noise, where a group step measured it instead.
   */
  setConstantVar(member: Member, ext: number, value: number): void;
}

export interface GroupPrimitive {
  kind: 'group';
  name: string;
  doc: string;
  params: readonly ParamSpec[];
  /** `{ skipped }` when there was nothing for it to do here: the product says so, as for a frame step. */
  run(members: Member[], p: StepValues, ctx: GroupContext): Promise<void | { skipped: string }> | void | { skipped: string };
  /**
   * Why run() would skip for these members, where their stored headers and
   * the parameters already say so before any frame is processed; undefined
   * when it must run (or that cannot be told yet). The engine then does not
   * stop the frames' steps at this one: the steps on either side of it go
   * in one pass, and each frame is parked once instead of twice. It must
   * agree with run(): never a reason where run() would do something.
   */
  skipsFor?(members: readonly Member[], p: StepValues, ctx: Pick<GroupContext, 'laterValues'>): string | undefined;
}

export interface StackPrimitive {
  kind: 'stack';
  name: string;
  doc: string;
  params: readonly ParamSpec[];
}

export type Primitive = FramePrimitive | GroupPrimitive | StackPrimitive;

export function activeMembers(members: readonly Member[]): Member[] {
  return members.filter((m) => !m.leftOut);
}

// ---- typed access to resolved values (the schema has validated them)

export function num(p: StepValues, key: string): number {
  const v = p[key];
  if (typeof v !== 'number') throw new Error(`parameter ${key} is not a number (${String(v)})`);
  return v;
}

/** A nullable number: undefined when the user left it to the step. */
export function optNum(p: StepValues, key: string): number | undefined {
  const v = p[key];
  return typeof v === 'number' ? v : undefined;
}

export function bool(p: StepValues, key: string): boolean {
  return p[key] === true;
}

export function choice<T extends string>(p: StepValues, key: string): T {
  return String(p[key]) as T;
}

/** Shorthand for schema entries. */
export function param(
  name: string, type: ParamSpec['type'], def: ParamValue, doc: string,
  extra: Partial<Pick<ParamSpec, 'min' | 'max' | 'choices' | 'nullable' | 'format'>> = {},
): ParamSpec {
  // A nullable parameter's doc says what empty means ("...; empty = from the header"): the view shows that for null.
  const empty = extra.nullable ? /;\s*empty = ([^;]+)$/.exec(doc)?.[1] : undefined;
  if (extra.nullable && !empty) throw new Error(`parameter ${name}: a nullable parameter's doc must end with "; empty = <what it means>"`);
  return { name, type, default: def, doc, ...extra, ...(empty ? { empty } : {}) };
}
