/**
 * The schedule of the simulated night and every per-frame random choice that
 * is not pixel noise: times, exposure times, bias drift, flat levels, dithers,
 * seeing, sky, cosmic-ray hits. Cheap to compute, so the truth and the pixels
 * both start from here and always agree.
 */
import { airmass, altitudeDeg } from './astro';
import { DETECTOR, NIGHT, SITE, TARGETS, filterModel, type ResolvedOptions } from './options';
import { streamRng, type Rng } from './random';

export type FrameKind = 'bias' | 'flat' | 'science';

/** Row-dependent bias of one readout, in ADU: the same in image rows and overscan. */
export interface BiasRows {
  /** Frame-to-frame offset from the nominal level (slow drift through the day + jitter). */
  offset: number;
  /** Amplitude, period (rows) and phase of the readout wiggle of this frame. */
  wiggleAmp: number;
  wigglePeriod: number;
  wigglePhase: number;
}

export interface CosmicHit {
  /** 0-based pixel in the image area. */
  x: number;
  y: number;
  /** Deposited charge, e-. */
  electrons: number;
}

export interface FramePlan {
  /** 1-based position in time order, also in the file name. */
  index: number;
  name: string;
  kind: FrameKind;
  /** Filter name; '' for biases. */
  filter: string;
  /** OBJECT keyword. */
  object: string;
  /** Index into TARGETS for science frames, else -1. */
  target: number;
  exptime: number;
  /** Exposure start, UTC ms since 1970 (integer ms). */
  startUtc: number;
  /** Airmass at mid-exposure (1.0 for biases: the telescope parks at zenith). */
  airmass: number;
  bias: BiasRows;
  /** Flats: mean illumination level in ADU before vignetting and pixel response. */
  flatLevelAdu: number;
  /** Science: shift of the star field in pixels relative to the target's first frame (x_frame = x_field + dx). */
  dx: number;
  dy: number;
  /** Science: Moffat FWHM, pixels. */
  fwhm: number;
  /** Science: sky, e- per pixel before the flat-field pattern. */
  skyElectrons: number;
  /** Science: cosmic-ray hits (pixels of tracks listed one by one). */
  cosmics: CosmicHit[];
}

/** Bias slope from the first to the last row, ADU (the same every frame). */
export const BIAS_ROW_SLOPE = 4;

/** Nominal row bias (ADU) of a readout at row y (0-based) of `height` rows. */
export function rowBias(b: BiasRows, y: number, height: number): number {
  return (
    DETECTOR.biasLevel +
    b.offset +
    BIAS_ROW_SLOPE * (y / Math.max(1, height - 1) - 0.5) +
    b.wiggleAmp * Math.sin((2 * Math.PI * y) / b.wigglePeriod + b.wigglePhase)
  );
}

/** Largest dither, px, in each axis (the star field is generated this much wider than the frame, plus a margin). */
export const DITHER_MAX = 20;

export function planNight(o: ResolvedOptions): FramePlan[] {
  const frames: FramePlan[] = [];
  const biasDrift = (utc: number, rng: Rng) =>
    // A slow ~2 ADU swing with the dome temperature plus 0.3 ADU of jitter.
    1.5 * Math.sin((2 * Math.PI * (utc - NIGHT.biasStartUtc)) / (10 * 3600e3)) + 0.3 * rng.normal();

  const push = (f: Omit<FramePlan, 'index' | 'name' | 'bias'>) => {
    const index = frames.length + 1;
    const rng = streamRng(o.seed, `bias-rows:${index}`);
    const bias: BiasRows = {
      offset: biasDrift(f.startUtc, rng),
      wiggleAmp: rng.range(1.5, 3),
      wigglePeriod: rng.range(80, 250) * (o.height / 512),
      wigglePhase: rng.range(0, 2 * Math.PI),
    };
    const tag = f.kind === 'science' ? `${f.object.toLowerCase()}_${f.filter}` : f.kind === 'flat' ? `flat_${f.filter}` : 'bias';
    const name = `demo_${String(index).padStart(4, '0')}_${safeName(tag)}.fits`;
    frames.push({ ...f, index, name, bias });
  };

  const blank = { filter: '', target: -1, flatLevelAdu: 0, dx: 0, dy: 0, fwhm: 0, skyElectrons: 0, cosmics: [] as CosmicHit[] };

  // Afternoon biases, back to back.
  let t = NIGHT.biasStartUtc + streamRng(o.seed, 'bias-start').int(0, 999);
  for (let i = 0; i < o.nBias; i++) {
    push({ ...blank, kind: 'bias', object: 'Bias', exptime: 0, startUtc: t, airmass: 1 });
    t += (NIGHT.readoutS + 4) * 1000 + streamRng(o.seed, `bias-gap:${i}`).int(0, 999);
  }

  // Twilight flats: the sky fades (e-folding ~9 min), so exposures lengthen to keep 20-30 kADU.
  const tauMs = 540e3;
  t = NIGHT.flatStartUtc;
  for (const filter of o.filters) {
    const fm = filterModel(filter);
    for (let i = 0; i < o.nFlatPerFilter; i++) {
      const rng = streamRng(o.seed, `flat:${filter}:${i}`);
      const rate = fm.twilightRate * Math.exp(-(t - NIGHT.flatStartUtc) / tauMs);
      const wanted = rng.range(20000, 30000) - DETECTOR.biasLevel;
      const exptime = Math.max(0.5, Math.round((wanted / rate) * 10) / 10);
      // The fading during the exposure: mean rate over [t, t + exptime].
      const k = (exptime * 1000) / tauMs;
      const meanRate = (rate * (1 - Math.exp(-k))) / k;
      push({ ...blank, kind: 'flat', filter, object: 'Twilight flat', exptime, startUtc: t, airmass: 1.0, flatLevelAdu: meanRate * exptime });
      t += Math.round((exptime + NIGHT.readoutS + 5) * 1000) + rng.int(0, 999);
    }
  }

  // Science: blocks of dithered frames spread over the night.
  const blocks: { target: number; filter: string; n: number }[] = [];
  for (const filter of o.filters) blocks.push({ target: 0, filter, n: o.nSciencePerFilter });
  if (o.nSecondTarget > 0 && o.filters.length > 0) blocks.push({ target: 1, filter: o.filters[o.filters.length - 1], n: o.nSecondTarget });
  const activeBlocks = blocks.filter((b) => b.n > 0);
  const span = NIGHT.scienceEndUtc - NIGHT.scienceStartUtc;
  const ditherCount = [0, 0];
  activeBlocks.forEach((blk, bi) => {
    const fm = filterModel(blk.filter);
    const tgt = TARGETS[blk.target];
    t = NIGHT.scienceStartUtc + Math.round((span * bi) / Math.max(1, activeBlocks.length)) + streamRng(o.seed, `block:${bi}`).int(0, 60000);
    for (let i = 0; i < blk.n; i++) {
      const k = ditherCount[blk.target]++;
      const rng = streamRng(o.seed, `science:${blk.target}:${k}`);
      const [dx, dy] = k === 0 ? [0, 0] : ditherOffset(rng);
      const mid = t + (fm.exptime * 1000) / 2;
      const x = airmass(altitudeDeg(mid, tgt.raDeg, tgt.decDeg, SITE.latitudeDeg, SITE.longitudeDeg));
      // Sky brightens a little towards the horizon.
      const skyAdu = fm.skyRate * fm.exptime * (1 + 0.2 * (x - 1)) * rng.range(0.97, 1.03);
      const plan = {
        ...blank,
        kind: 'science' as const,
        filter: blk.filter,
        object: tgt.name,
        target: blk.target,
        exptime: fm.exptime,
        startUtc: t,
        airmass: Math.round(x * 10000) / 10000,
        dx,
        dy,
        fwhm: rng.range(2.6, 3.4),
        skyElectrons: skyAdu * DETECTOR.gain,
        cosmics: cosmicHits(streamRng(o.seed, `cosmics:${frames.length + 1}`), o.width, o.height),
      };
      push(plan);
      t += Math.round((fm.exptime + NIGHT.readoutS + 20) * 1000) + rng.int(0, 999);
    }
  });
  return frames;
}

/** A dither of 3..20 px in each axis with a random sign, never integer. */
function ditherOffset(rng: Rng): [number, number] {
  const one = () => (rng.uniform() < 0.5 ? -1 : 1) * rng.range(3, DITHER_MAX);
  return [one(), one()];
}

/**
 * 5-20 hits: about half single pixels (sometimes a 2-pixel pair), the rest
 * short straight tracks of 3-8 pixels. Charge per pixel 1500-30000 e- (log-uniform),
 * far sharper than any star, as real hits are.
 */
function cosmicHits(rng: Rng, width: number, height: number): CosmicHit[] {
  const n = rng.int(5, 20);
  const hits: CosmicHit[] = [];
  const seen = new Set<number>();
  const add = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const key = y * width + x;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ x, y, electrons: Math.round(1500 * Math.pow(20, rng.uniform())) });
  };
  for (let i = 0; i < n; i++) {
    const x0 = rng.int(0, width - 1);
    const y0 = rng.int(0, height - 1);
    if (rng.uniform() < 0.5) {
      add(x0, y0);
      if (rng.uniform() < 0.3) add(x0 + (rng.uniform() < 0.5 ? 1 : 0), y0 + 1);
    } else {
      const len = rng.int(3, 8);
      const ang = rng.range(0, Math.PI);
      for (let s = 0; s < len; s++) add(Math.round(x0 + s * Math.cos(ang)), Math.round(y0 + s * Math.sin(ang)));
    }
  }
  return hits;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_+-]+/g, '-');
}
