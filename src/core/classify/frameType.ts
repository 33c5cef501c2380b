/**
 * Frame type (bias / dark / flat / science) from the header, with the keyword
 * that decided and a sentence saying why. Nothing is inferred from exposure
 * time or pixel values: a frame with no type keyword stays 'unclassified' and
 * the reason (plus a hint) tells the user what to tag. A bias, dark or flat
 * that another tool already combined is marked `master` (see masters.ts).
 */
import type { Card } from '../fits/types';
import { FRAME_TYPE_RULES, type FrameTypeRule, type RuleVerdict } from './frameRules';
import type { FrameType } from './frameVocabulary';
import { HeaderLookup } from './headerLookup';
import { masterEvidence, type MasterCalibration } from './masters';

export interface Classification {
  type: FrameType;
  /** Keyword that decided, e.g. 'IMAGETYP' (absent when no type keyword was found). */
  keyword?: string;
  /** Its value as written, e.g. 'Flat Field'. */
  value?: string;
  /** Human sentence, e.g. "IMAGETYP = 'Flat Field' (MaxIm/N.I.N.A. convention)". */
  reason: string;
  /** Name of the convention rule that decided. */
  convention?: string;
  /** A suggestion that is not a decision, e.g. "EXPTIME = 0 suggests a bias". */
  hint?: string;
  /**
   * Set when the frame is a processed calibration (master bias / dark / flat)
   * made by another tool: use it as a calibration, do not combine it again.
   * Only bias, dark and flat frames carry it.
   */
  master?: MasterCalibration;
}

export function classifyFrame(
  primary: readonly Card[],
  image?: readonly Card[],
  rules: readonly FrameTypeRule[] = FRAME_TYPE_RULES,
): Classification {
  const h = new HeaderLookup(primary, image);
  let firstUnknown: RuleVerdict | undefined;
  for (const rule of rules) {
    const verdict = rule.apply(h);
    if (!verdict) continue;
    if (verdict.recognized) return finish(verdict, h);
    // Keep looking: another convention's keyword in the same header may be readable.
    firstUnknown ??= verdict;
  }
  if (firstUnknown) return finish(firstUnknown, h);

  const looked = [...new Set(rules.flatMap((r) => r.keywords))].join(', ');
  const hint = hintFromOtherKeywords(h);
  return {
    type: 'unclassified',
    reason: `No frame-type keyword found (looked for ${looked})`,
    ...(hint ? { hint } : {}),
  };
}

function finish(v: RuleVerdict, h: HeaderLookup): Classification {
  const out: Classification = { type: v.type, keyword: v.keyword, value: v.value, reason: v.reason, convention: v.convention };
  const exptime = h.firstNum(['EXPTIME', 'EXPOSURE']);
  if (v.type === 'dark' && exptime && exptime.value === 0) {
    out.hint = `${exptime.key} = 0: a zero-second dark is effectively a bias`;
  } else if (v.type === 'bias' && exptime && exptime.value > 0) {
    out.hint = `${exptime.key} = ${exptime.value}: a bias normally has zero exposure time`;
  } else if (!v.recognized) {
    out.hint = hintFromOtherKeywords(h);
    if (out.hint === undefined) delete out.hint;
  }
  const master = masterEvidence(h, v);
  if (master) out.master = master;
  return out;
}

/** What other keywords suggest, never used to decide. */
function hintFromOtherKeywords(h: HeaderLookup): string | undefined {
  const hints: string[] = [];
  const exptime = h.firstNum(['EXPTIME', 'EXPOSURE']);
  if (exptime && exptime.value === 0) hints.push(`${exptime.key} = 0 suggests a bias`);
  const object = h.str('OBJECT');
  if (object) {
    const m = /\b(bias|zero|dark|flat|twilight)/i.exec(object.value);
    if (m) {
      const word = m[1].toLowerCase();
      const type = word === 'zero' ? 'bias' : word === 'twilight' ? 'flat' : word;
      hints.push(`OBJECT = '${object.value}' suggests a ${type}`);
    }
  }
  return hints.length ? hints.join('; ') : undefined;
}
