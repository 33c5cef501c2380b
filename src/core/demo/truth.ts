/**
 * What the simulated night really contains, for tests that score products:
 * the schedule, bias model, per-frame dithers, seeing, sky and stars, and the
 * cosmic-ray hits. Computed from the same plan as the pixels without
 * generating them. `demoDetector` gives the full-size maps (bias structure,
 * flat patterns) on demand, since they are too big to carry around.
 */
import { biasStructure, detectorDefects, flatPatterns, EDGE_GLOW_ADU, EDGE_GLOW_COLUMNS, type DetectorDefects } from './detector';
import { isoDateObs, sections } from './headers';
import { DETECTOR, TARGETS, resolveOptions, type DemoOptions } from './options';
import { BIAS_ROW_SLOPE, planNight, type BiasRows, type CosmicHit, type FrameKind } from './plan';
import { MOFFAT_BETA, frameStars, starField, type FieldStar, type FrameStar } from './stars';

export interface DemoFrameTruth {
  index: number;
  name: string;
  kind: FrameKind;
  filter: string;
  object: string;
  exptime: number;
  dateObs: string;
  airmass: number;
  /** Bias of this readout: ADU = level + offset + slope*(y/(h-1)-0.5) + amp*sin(2 pi y/period + phase). */
  bias: BiasRows;
  /** Flats: mean illumination before the (median-1) flat pattern, ADU above bias. */
  flatLevelAdu?: number;
  /** Science: star-field shift relative to the target's first frame (x_frame = x_field + dx), px. */
  dx?: number;
  dy?: number;
  fwhm?: number;
  /** Science: sky per pixel after flat-fielding, in e- and ADU. */
  skyElectrons?: number;
  skyAdu?: number;
  /** Science: stars centred on the image area (0-based pixel coordinates, pixel centres at integers). */
  stars?: FrameStar[];
  /** Science: pixels hit by cosmic rays (0-based, image area). */
  cosmics?: CosmicHit[];
}

export interface DemoTruth {
  seed: number;
  /** Image area size; the raw frame is (width + overscan) x height. */
  width: number;
  height: number;
  overscan: number;
  /** FITS sections written to every header. */
  biassec: string;
  datasec: string;
  gain: number;
  readNoise: number;
  saturate: number;
  /** Nominal bias level (ADU) at mid-frame, before per-frame offsets. */
  biasLevel: number;
  /** Bias increase from first to last row, ADU. */
  biasRowSlope: number;
  /** Readout-edge glow of the bias structure: amp * exp(-x / columns), ADU. */
  edgeGlow: { adu: number; columns: number };
  ctiTrail: number;
  moffatBeta: number;
  defects: DetectorDefects;
  targets: { name: string; raDeg: number; decDeg: number; stars: FieldStar[] }[];
  frames: DemoFrameTruth[];
}

export function demoTruth(opts: DemoOptions = {}): DemoTruth {
  const o = resolveOptions(opts);
  const plan = planNight(o);
  const fields = TARGETS.map((_, t) => (plan.some((f) => f.kind === 'science' && f.target === t) ? starField(o, t) : []));
  const frames: DemoFrameTruth[] = plan.map((f) => {
    const base: DemoFrameTruth = {
      index: f.index,
      name: f.name,
      kind: f.kind,
      filter: f.filter,
      object: f.object,
      exptime: f.exptime,
      dateObs: isoDateObs(f.startUtc),
      airmass: f.airmass,
      bias: f.bias,
    };
    if (f.kind === 'flat') return { ...base, flatLevelAdu: f.flatLevelAdu };
    if (f.kind === 'science') {
      return {
        ...base,
        dx: f.dx,
        dy: f.dy,
        fwhm: f.fwhm,
        skyElectrons: f.skyElectrons,
        skyAdu: f.skyElectrons / DETECTOR.gain,
        stars: frameStars(fields[f.target], f, o.width, o.height),
        cosmics: f.cosmics,
      };
    }
    return base;
  });
  const { biassec, datasec } = sections(o);
  return {
    seed: o.seed,
    width: o.width,
    height: o.height,
    overscan: DETECTOR.overscan,
    biassec,
    datasec,
    gain: DETECTOR.gain,
    readNoise: DETECTOR.readNoise,
    saturate: DETECTOR.saturate,
    biasLevel: DETECTOR.biasLevel,
    biasRowSlope: BIAS_ROW_SLOPE,
    edgeGlow: { adu: EDGE_GLOW_ADU, columns: EDGE_GLOW_COLUMNS },
    ctiTrail: DETECTOR.ctiTrail,
    moffatBeta: MOFFAT_BETA,
    defects: detectorDefects(o),
    targets: TARGETS.map((t, i) => ({ name: t.name, raDeg: t.raDeg, decDeg: t.decDeg, stars: fields[i] })),
    frames,
  };
}

/** Full-size truth maps: bias fixed pattern (ADU, image area) and the flat pattern of each filter (median 1). */
export function demoDetector(opts: DemoOptions = {}): { biasStructure: Float32Array; flats: Map<string, Float32Array> } {
  const o = resolveOptions(opts);
  const d = detectorDefects(o);
  return { biasStructure: biasStructure(o, d), flats: flatPatterns(o, d) };
}
