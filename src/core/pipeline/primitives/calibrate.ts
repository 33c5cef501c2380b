/**
 * Applying master calibrations: subtractBias, subtractDark, flatCorrect
 * (DRAGONS' biasCorrect / darkCorrect / flatCorrect; ccdproc's
 * subtract_bias / subtract_dark / flat_correct). VAR propagates and DQ is
 * ORed (kernels/arith.ts, kernels/flat.ts). The engine loads the calibration
 * the plan chose for the frame; with none, the step is skipped with a note.
 */
import { addShotNoise, scale, subtract } from '../../kernels/arith';
import { sampledMedianAndSigma } from '../../kernels/stats';
import { divideByFlat } from '../../kernels/flat';
import type { Frame } from '../../kernels/frame';
import { extractDescriptors } from '../../classify/descriptors';
import { setCard } from '../cards';
import { highestFlat, moveSaturation, typicalLevel } from './saturation';
import { headerReadNoise, readNoiseCard } from './electrons';
import { matchingExt, type AstroFrame } from '../astroFrame';
import { bool, optNum, param, type FrameContext, type FramePrimitive } from '../primitive';
import type { CalibrationStep } from '../products';

/** The pixels of the calibration's extension that goes with extension k of the frame: same EXTVER, same shape. */
function calibrationPlane(frame: AstroFrame, k: number, cal: AstroFrame, step: CalibrationStep): Frame {
  const ext = frame.exts[k];
  const match = matchingExt(frame, k, cal);
  if (!match) throw new Error(`${step} ${cal.name} has no extension ${ext.extver} (it has ${cal.exts.length}, ${frame.name} has ${frame.exts.length})`);
  const a = ext.data, b = match.data;
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`${step} ${cal.name} is ${b.width}x${b.height} where ${frame.name} (ext ${ext.extver}) is ${a.width}x${a.height}: trimmed differently?`);
  }
  return b;
}

/**
 * A frame whose header gives no read noise takes its master's (measured
 * there when no header gave one either: primitives/readNoise.ts), so that
 * addVariance counts it: a master bias's read noise, or a master dark's
 * read and dark-current noise where no bias was subtracted from its darks
 * (the frame of that exposure has both).
 */
function adoptReadNoise(frame: AstroFrame, k: number, cal: AstroFrame, step: 'bias' | 'dark', ctx: FrameContext): void {
  if (headerReadNoise(frame, k) !== undefined) return;
  const match = matchingExt(frame, k, cal);
  const rn = match && readNoiseCard(cal.primary, match.header);
  if (!rn) return;
  // A master's read noise measured in ADU (no gain known) stays in ADU, and says so: readNoiseOf converts it.
  const unit = rn.adu ? 'ADU' : 'e-';
  const ext = frame.exts[k];
  for (const cards of frame.exts.length === 1 ? [ext.header, frame.primary] : [ext.header]) setCard(cards, 'RDNOISE', rn.value, `${unit}, from master ${step} ${cal.name}`);
  ctx.log(`ext ${ext.extver}: read noise ${rn.value} ${unit} from ${cal.name} (none in the frame's header)`);
}

/**
 * The calibration's pixels in the frame's unit. A master in electrons applied
 * to a frame still in ADU is divided by the frame's gain (and the other way
 * round); without a gain that cannot be done, and the step fails rather than
 * subtract numbers of the wrong unit.
 */
function inFrameUnit(frame: AstroFrame, k: number, cal: AstroFrame, plane: Frame, step: CalibrationStep, ctx: FrameContext): Frame {
  if (cal.bunit === frame.bunit) return plane;
  if (cal.bunit === 'none' || frame.bunit === 'none') throw new Error(`${step} ${cal.name} (${cal.bunit}) cannot be applied to ${frame.name} (${frame.bunit})`);
  const gain = extractDescriptors(frame.primary, frame.exts[k].header).gain;
  if (!(gain !== undefined && gain > 0)) {
    throw new Error(`${step} ${cal.name} is in ${cal.bunit} but ${frame.name} is in ${frame.bunit}, and there is no gain to convert`);
  }
  const factor = cal.bunit === 'electron' ? 1 / gain : gain;
  if (k === 0) ctx.log(`${step} ${cal.name} is in ${cal.bunit}: converted with gain ${gain} e-/ADU`);
  return scale(plane, factor);
}

function exptimeOf(frame: AstroFrame): number | undefined {
  return frame.meta.exptime ?? extractDescriptors(frame.primary, frame.exts[0]?.header).exptime;
}

/**
 * Electrons per count of a frame's pixels for a Poisson term added while it
 * may still be in ADU: the gain ADUToElectrons will apply (its parameter,
 * else the header's, else the 1 it will warn of), or 1 in electrons. A CMOS
 * camera's header often gives no e-/ADU (its GAIN is a setting), and the
 * user sets it on ADUToElectrons: the term must use that one.
 */
function countsGain(frame: AstroFrame, k: number, ctx: FrameContext): number {
  if (frame.bunit !== 'adu') return 1;
  const given = optNum(ctx.laterValues('ADUToElectrons') ?? {}, 'gain');
  if (given !== undefined && given > 0) return given;
  const gain = extractDescriptors(frame.primary, frame.exts[k].header).gain;
  return gain !== undefined && gain > 0 ? gain : 1;
}

/**
 * A dark's typical level and the spread of its pixels about it (robust),
 * from a regular sample; kept per plane, as every frame a master calibrates
 * asks the same of it.
 */
const levels = new WeakMap<Float32Array, { level: number; spread: number }>();
function levelOf(d: Frame): { level: number; spread: number } {
  let l = levels.get(d.sci);
  if (!l) {
    const { median, sigma } = sampledMedianAndSigma(d.sci, d.width, d.dq, 200_000);
    levels.set(d.sci, (l = { level: median, spread: sigma }));
  }
  return l;
}

export const subtractBias: FramePrimitive = {
  kind: 'frame',
  name: 'subtractBias',
  doc: 'Subtracts the master bias chosen for the frame (BIASIM names it).',
  calibration: 'bias',
  params: [],
  run(frame, _p, ctx) {
    const bias = ctx.calibration('bias');
    if (!bias) return { skipped: 'no master bias' };
    frame.exts.forEach((ext, k) => {
      const b = inFrameUnit(frame, k, bias, calibrationPlane(frame, k, bias, 'bias'), 'bias', ctx);
      subtract(ext.data, b, ext.data);
      moveSaturation(frame, k, (s) => s - typicalLevel(b));
      adoptReadNoise(frame, k, bias, 'bias', ctx);
    });
    setCard(frame.primary, 'BIASIM', bias.name, 'master bias subtracted');
    frame.meta.levelRemoved ??= 'bias';
    ctx.log(`subtracted ${bias.name}`);
  },
};

export const subtractDark: FramePrimitive = {
  kind: 'frame',
  name: 'subtractDark',
  doc: 'Subtracts the master dark chosen for the frame, scaled by the ratio of exposure times when asked (DARKIM names it).',
  calibration: 'dark',
  params: [
    param('scale', 'boolean', false, 'Scale the dark by exposure time (any exposure then does; the dark must be bias-subtracted). At this default, a science frame with a bias but no dark of its exposure still gets a bias-subtracted one of another exposure, scaled, unless a parameter file or preset sets false or its dark is skipped or pinned'),
    param('shotNoise', 'boolean', true, 'Add the shot noise of the dark current subtracted to VAR (the Poisson term addVariance takes after the dark does not see it); of a dark that holds the level, only where it stands out of it'),
  ],
  run(frame, p, ctx) {
    const dark = ctx.calibration('dark');
    if (!dark) return { skipped: 'no master dark' };
    // The dark current the master takes out is electrons this frame detected, whose shot noise the
    // Poisson term (counted after the dark, in addVariance) misses. With the level out before the dark,
    // the master holds dark current alone: all of it counts. On a cooled CCD's 300 s frame at 1 e-/s that
    // is as much VAR as a sky of 300 e-, and far more at a hot pixel. A dark that takes the level out
    // itself (no bias: CMOS nights) holds the level too: only what stands out above the dark's typical
    // level (hot pixels, amp glow) counts here, and the typical pixel's dark noise comes to the frame with
    // the read noise measured on the darks (adoptReadNoise; not where a header gives a read noise).
    const shotNoise = bool(p, 'shotNoise');
    const darkOnLevel = frame.meta.levelRemoved === undefined;
    const te = exptimeOf(frame);
    const td = exptimeOf(dark);
    let factor = 1;
    if (bool(p, 'scale')) {
      if (!(te !== undefined && td !== undefined && td > 0)) throw new Error(`cannot scale dark ${dark.name}: exposure time unknown (frame ${te ?? '?'} s, dark ${td ?? '?'} s)`);
      factor = te / td;
    } else if (te !== undefined && td !== undefined && Math.abs(te - td) > Math.max(0.01, 0.01 * te)) {
      ctx.warn(`dark ${dark.name} has ${td} s exposure, ${frame.name} ${te} s, and scaling is off: dark current is over- or under-subtracted`);
    }
    frame.exts.forEach((ext, k) => {
      let d = inFrameUnit(frame, k, dark, calibrationPlane(frame, k, dark, 'dark'), 'dark', ctx);
      if (factor !== 1) d = scale(d, factor);
      subtract(ext.data, d, ext.data);
      if (shotNoise) {
        const perCount = 1 / countsGain(frame, k, ctx);
        const excess = darkOnLevel ? { ...levelOf(d), sigmas: 3 } : undefined;
        addShotNoise(ext.data, d, perCount, excess);
      }
      moveSaturation(frame, k, (s) => s - typicalLevel(d));
      adoptReadNoise(frame, k, dark, 'dark', ctx);
    });
    if (shotNoise) ctx.log(`VAR += the shot noise of the dark current subtracted${darkOnLevel ? ' where it stands above the dark\'s level (hot pixels, amp glow)' : ''}`);
    setCard(frame.primary, 'DARKIM', dark.name, 'master dark subtracted');
    // A dark not scaled holds the level it was taken with, where no bias was subtracted from it.
    if (factor === 1) frame.meta.levelRemoved ??= 'dark';
    if (factor !== 1) setCard(frame.primary, 'DARKSCL', factor, 'dark scaled by exposure ratio');
    ctx.log(`subtracted ${dark.name}${factor !== 1 ? ` scaled by ${factor.toPrecision(6)} (${te} s / ${td} s)` : ''}`);
  },
};

export const flatCorrect: FramePrimitive = {
  kind: 'frame',
  name: 'flatCorrect',
  doc: 'Divides by the normalized master flat of the frame\'s filter (FLATIM names it); flat pixels <= 0 become DQ unilluminated.',
  calibration: 'flat',
  params: [
    param('minValue', 'number', null, 'Flat values below this are raised to it before dividing (ccdproc min_value); empty = not changed', { nullable: true, min: 0 }),
  ],
  run(frame, p, ctx) {
    const flat = ctx.calibration('flat');
    if (!flat) return { skipped: 'no master flat' };
    const minValue = optNum(p, 'minValue');
    frame.exts.forEach((ext, k) => {
      const plane = calibrationPlane(frame, k, flat, 'flat');
      divideByFlat(ext.data, plane, { minValue, out: ext.data });
      // Saturated pixels read lowest where the flat is highest.
      const top = highestFlat(plane);
      if (top > 0 && Number.isFinite(top)) moveSaturation(frame, k, (s) => s / top);
    });
    setCard(frame.primary, 'FLATIM', flat.name, 'master flat divided');
    ctx.log(`divided by ${flat.name}`);
  },
};

