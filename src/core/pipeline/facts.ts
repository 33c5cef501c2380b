/**
 * What the plan knows of a library file: the descriptors association
 * compares, the time, the configuration that groups calibrations, and what
 * role the file plays (raw frame, our product, a master made elsewhere).
 */
import { messageBesideName } from '../fileMessage';
import type { DescriptorSet } from '../classify/descriptors';
import { mjdToMs } from '../classify/dates';
import { spectroscopyReason } from '../classify/imaging';
import { parseSection } from '../kernels/section';
import type { Candidate, FrameFacts } from './associate';
import type { CalibrationStep, ProductInfo } from './products';
import { scienceHdus } from './store';

/** A library file as the plan sees it. The browser's FileRecord satisfies it; the command builds them from headers. */
export interface PlanFrame {
  id: string;
  name: string;
  status: 'ok' | 'error';
  message?: string;
  /** Effective type: the user's tag, else the classifier's. */
  type: string;
  descriptors: DescriptorSet;
  /** A processed calibration made by another tool (classification or the user's tag). */
  master?: boolean;
  hdus: readonly { isImage: boolean; naxis: readonly number[]; extname: string }[];
  /** Set for this workbench's products. */
  product?: ProductInfo;
  /** Validity window and valid flag the user set on an imported master. */
  calibration?: { validity?: { start: number; end: number }; valid?: boolean };
  /**
   * The folder the file came from, relative to what was reduced ('' at the top):
   * products are written beside their first input's folder, so nights whose files
   * share names (numbering restarts every night) never overwrite each other.
   */
  folder?: string;
  addedAt?: number;
}

/** Science extensions in the file (amplifiers or CCDs of a raw MEF; SCI of a product), counted as the engine will find them. */
export function extensionCount(f: PlanFrame): number {
  return scienceHdus(f.hdus).length || 1;
}

/** Start of exposure, ms since epoch. */
export function frameTime(d: DescriptorSet): number | undefined {
  if (d.mjd !== undefined) return mjdToMs(d.mjd);
  if (!d.dateObs) return undefined;
  const t = Date.parse(d.dateObs.length <= 10 ? `${d.dateObs}T00:00:00Z` : `${d.dateObs}Z`);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Shape of the data once trimmed: TRIMSEC, else DATASEC, else the whole
 * image; ' xN' for N extensions. Raw frames and masters (already trimmed)
 * compare equal this way.
 */
export function dataShape(f: PlanFrame): string | undefined {
  const d = f.descriptors;
  let shape = d.shape;
  const sec = f.product ? undefined : d.trimsec ?? d.datasec;
  if (sec && d.width && d.height) {
    try {
      const s = parseSection(sec, d.width, d.height);
      shape = `${s.x1 - s.x0}x${s.y1 - s.y0}`;
    } catch {
      // A section that does not fit the image: compare the whole shape; the run will say what is wrong.
    }
  }
  if (!shape) return undefined;
  const n = extensionCount(f);
  return n > 1 ? `${shape} x${n}` : shape;
}

export function factsOf(f: PlanFrame): FrameFacts {
  const d = f.descriptors;
  return {
    id: f.id,
    name: f.name,
    instrument: d.instrument,
    detector: d.detector,
    binning: d.binning,
    readout: d.readout,
    dataShape: dataShape(f),
    filter: f.product?.filter ?? d.filter,
    exptime: f.product?.exptime ?? d.exptime,
    time: f.product?.time ?? frameTime(d),
  };
}

/** The grouping key of a calibration configuration (DESIGN.md section 4's "must match"). */
export function configKey(facts: FrameFacts): string {
  const norm = (s?: string) => (s ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  return [facts.instrument, facts.detector, facts.binning?.replace(/\s+/g, ''), facts.readout, facts.dataShape].map(norm).join('|');
}

export type Role =
  | { kind: 'raw'; type: 'bias' | 'dark' | 'flat' | 'science' }
  | { kind: 'product'; product: ProductInfo }
  | { kind: 'imported'; step: CalibrationStep }
  | { kind: 'out'; reason: string };

/** What a file is to the plan, or why it stays out. */
export function roleOf(f: PlanFrame): Role {
  if (f.status !== 'ok') {
    // The reason goes beside the name.
    const message = messageBesideName(f.name, f.message);
    return { kind: 'out', reason: `could not be read${message ? `: ${message}` : ''}` };
  }
  if (f.product) return { kind: 'product', product: f.product };
  if (!f.hdus.some((h) => h.isImage && h.naxis.length >= 2)) return { kind: 'out', reason: 'no image data' };
  const t = f.type;
  if (t !== 'bias' && t !== 'dark' && t !== 'flat' && t !== 'science') {
    return { kind: 'out', reason: t === 'unclassified' ? 'type unknown: tag it bias, dark, flat or science to reduce it' : `a ${t} frame is not reduced by the imaging recipes` };
  }
  const spectro = spectroscopyReason(f.descriptors);
  if (spectro && t !== 'bias' && t !== 'dark') return { kind: 'out', reason: `spectroscopy, not imaging: ${spectro}` };
  if (f.master && t !== 'science') return { kind: 'imported', step: t };
  return { kind: 'raw', type: t };
}

/** An existing master (ours or imported) as an association candidate. */
export function candidateOf(f: PlanFrame, step: CalibrationStep, source: 'product' | 'imported'): Candidate {
  const facts = factsOf(f);
  const own = f.product;
  return {
    ...facts,
    kind: step,
    source,
    validity: own?.validity ?? f.calibration?.validity,
    valid: own ? own.valid : f.calibration?.valid ?? true,
    createdAt: own?.createdAt ?? f.addedAt ?? 0,
  };
}
