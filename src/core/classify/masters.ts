/**
 * Processed calibrations made by other tools (master bias / dark / flat), so
 * the reduction uses them as calibrations instead of combining them again as
 * raw frames. Only a frame already typed bias, dark or flat can be a master: a
 * science frame with NCOMBINE is a stack, and stays a science frame.
 *
 * Evidence, first hit wins:
 *  a) the type word names a master ('Master Bias', 'MASTER_DARK', 'mflat';
 *     see frameVocabulary.ts);
 *  b) a pipeline's processed-calibration stamp in the header:
 *     - DRAGONS writes a timestamp keyword when it stores a processed
 *       calibration (geminidr/core/primitives_calibdb.py, storeProcessedBias /
 *       Dark / Flat -> _markAsCalibration -> gt.mark_history): PROCBIAS,
 *       PROCDARK, PROCFLAT. The stamp must match the frame's type;
 *     - ESO pipeline products carry HIERARCH ESO PRO CATG = 'MASTER_BIAS',
 *       'MASTER_DARK', 'MASTER_SKY_FLAT_IMG', ... (raw frames have no PRO keys);
 *  c) a record of combining:
 *     - NCOMBINE >= 2 (IRAF imcombine/zerocombine/darkcombine/flatcombine,
 *       ccdproc's Combiner, DRAGONS stackFrames);
 *     - STACKCNT >= 2 (Siril's stacking result);
 *     - SNAPSHOT >= 2 (SBFITSEXT "number of images combined", MaxIm DL; capture
 *       programs write SNAPSHOT = 1 on raw frames, which is not evidence);
 *     - an IMCMB001 card (IRAF's list of combined images), unless NCOMBINE
 *       says fewer than two;
 *     - COMBINED = T, the mark the Astropy CCD Data Reduction Guide puts on
 *       ccdproc-combined calibrations.
 */
import type { FrameType } from './frameVocabulary';
import type { HeaderLookup } from './headerLookup';

export interface MasterCalibration {
  /** Keyword that showed the frame is a processed calibration, e.g. 'IMAGETYP', 'PROCBIAS', 'NCOMBINE'. */
  keyword: string;
  /** Its value as written ('Master Bias', '15', ...). */
  value: string;
  /** Human sentence, e.g. "NCOMBINE = 15: combined from 15 frames". */
  reason: string;
}

/** What masterEvidence needs of a classification verdict. */
export interface TypeVerdict {
  type: FrameType;
  keyword?: string;
  value?: string;
  /** The type word itself names a master (RuleVerdict.master). */
  master?: boolean;
}

/** DRAGONS' processed-calibration timestamp keyword for each calibration type. */
export const DRAGONS_PROCESSED_STAMPS: Readonly<Partial<Record<FrameType, string>>> = {
  bias: 'PROCBIAS',
  dark: 'PROCDARK',
  flat: 'PROCFLAT',
};

/** Keywords giving the number of frames a product was combined from, in the order they are read. */
export const COMBINE_COUNT_KEYWORDS: readonly string[] = ['NCOMBINE', 'STACKCNT', 'SNAPSHOT'];

const CALIBRATION_TYPES = new Set<FrameType>(['bias', 'dark', 'flat']);

function quote(v: string): string {
  return `'${v}'`;
}

/** Why this frame is a master calibration, or undefined for a raw frame (and for anything not bias/dark/flat). */
export function masterEvidence(h: HeaderLookup, v: TypeVerdict): MasterCalibration | undefined {
  if (!CALIBRATION_TYPES.has(v.type)) return undefined;

  if (v.master && v.keyword !== undefined && v.value !== undefined) {
    return { keyword: v.keyword, value: v.value, reason: `${v.keyword} = ${quote(v.value)} names a master calibration` };
  }

  const stampKey = DRAGONS_PROCESSED_STAMPS[v.type];
  const stamp = stampKey ? h.str(stampKey) : undefined;
  if (stamp) {
    return {
      keyword: stamp.key, value: stamp.value,
      reason: `${stamp.key} = ${quote(stamp.value)}: DRAGONS stamped it as a stored processed ${v.type}`,
    };
  }

  const catg = h.str('ESO PRO CATG');
  if (catg && /^MASTER/i.test(catg.value)) {
    return { keyword: catg.key, value: catg.value, reason: `${catg.key} = ${quote(catg.value)}: an ESO pipeline master calibration` };
  }

  for (const key of COMBINE_COUNT_KEYWORDS) {
    const n = h.num(key);
    if (n && n.value >= 2) {
      return { keyword: n.key, value: String(n.value), reason: `${n.key} = ${n.value}: combined from ${n.value} frames` };
    }
  }

  const ncombine = h.num('NCOMBINE');
  const first = h.str('IMCMB001');
  if (first && !(ncombine && ncombine.value < 2)) {
    return { keyword: first.key, value: first.value, reason: `${first.key} = ${quote(first.value)}: it lists the frames it was combined from` };
  }

  const combined = h.get('COMBINED');
  if (combined && (combined.value === true || (typeof combined.value === 'string' && /^\s*(T|true|yes)\s*$/i.test(combined.value)))) {
    return { keyword: combined.key, value: 'T', reason: `${combined.key} = T: marked as a combined frame` };
  }
  return undefined;
}
