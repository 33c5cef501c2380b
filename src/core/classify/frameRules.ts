/**
 * One translator per header convention. Each rule looks for its own keywords
 * and either says nothing (keywords absent), names a type, or reports a value
 * it does not understand. Supporting a new convention is adding an entry to
 * FRAME_TYPE_RULES; rules earlier in the list win, so special cases (Gemini
 * twilight flats are OBSTYPE = 'OBJECT') come before the generic keywords.
 */
import type { HeaderLookup } from './headerLookup';
import { interpretTypeWord, normalizeTypeWord, type FrameType, type Meaning } from './frameVocabulary';

export interface RuleVerdict {
  type: FrameType;
  keyword: string;
  value: string;
  reason: string;
  /** Name of the rule (convention) that decided. */
  convention: string;
  /** False when the keyword was present but its value is not a known frame type. */
  recognized: boolean;
  /** The type word itself names a processed calibration ('Master Bias', 'MFLAT'); see frameVocabulary.ts. */
  master?: boolean;
}

export interface FrameTypeRule {
  name: string;
  /** Frame-type keywords this rule reads (not its auxiliary ones), listed in the "no type keyword" message. */
  keywords: string[];
  apply(h: HeaderLookup): RuleVerdict | null;
}

const NOT_REDUCED = 'only bias, dark, flat and science frames are reduced';

function quote(v: string): string {
  return `'${v}'`;
}

function verdictFromMeaning(
  rule: string, keyword: string, value: string, meaning: Meaning | undefined, label: string,
): RuleVerdict {
  if (!meaning) {
    return {
      type: 'unclassified', keyword, value, convention: rule, recognized: false,
      reason: `${keyword} = ${quote(value)} is not a frame type this workbench knows`,
    };
  }
  const what = meaning.what === meaning.type ? '' : `: ${meaning.what}`;
  const tail = meaning.type === 'unclassified' ? `; ${NOT_REDUCED}` : '';
  return {
    type: meaning.type, keyword, value, convention: rule, recognized: true,
    reason: `${keyword} = ${quote(value)} (${label})${what}${tail}`,
    ...(meaning.master ? { master: true } : {}),
  };
}

/** A rule reading one keyword through the shared vocabulary. */
function keywordRule(name: string, keyword: string, label: (value: string) => string): FrameTypeRule {
  return {
    name,
    keywords: [keyword],
    apply(h) {
      const hit = h.str(keyword);
      if (!hit) return null;
      return verdictFromMeaning(name, hit.key, hit.value, interpretTypeWord(hit.value), label(hit.value));
    },
  };
}

/**
 * IRAF writes lower-case words ('zero', 'object', 'comp'); capture programs write 'Bias Frame', 'LIGHT', ...;
 * masters made by other tools ('Master Bias' from PixInsight, 'MASTER_DARK') follow neither.
 */
const IRAF_WORDS = new Set(['zero', 'object', 'comp', 'flat', 'dark', 'illum', 'fringe', 'focus']);
function imagetypLabel(value: string): string {
  if (IRAF_WORDS.has(value)) return 'IRAF convention';
  const meaning = interpretTypeWord(value);
  if (meaning?.master || normalizeTypeWord(value) === 'masterlight') return 'stacking-tool convention';
  return 'MaxIm/N.I.N.A. convention';
}

/** ESO: DPR.CATG (SCIENCE/CALIB/ACQUISITION/TEST) and DPR.TYPE, a comma list such as 'FLAT,SKY' or 'LAMP,WAVE'. */
const esoRule: FrameTypeRule = {
  name: 'ESO DPR',
  keywords: ['ESO DPR TYPE', 'ESO DPR CATG'],
  apply(h) {
    const catg = h.str('ESO DPR CATG');
    const type = h.str('ESO DPR TYPE');
    const label = 'ESO convention';
    if (catg && /^(ACQUISITION|TEST)$/i.test(catg.value)) {
      return verdictFromMeaning(this.name, catg.key, catg.value,
        { type: 'unclassified', what: catg.value.toUpperCase() === 'TEST' ? 'test exposure' : 'acquisition frame' }, label);
    }
    if (!type) return null;
    const words = type.value.toUpperCase().split(/[,\s]+/).filter(Boolean);
    const has = (w: string) => words.includes(w);
    let meaning: Meaning | undefined;
    if (has('BIAS')) meaning = { type: 'bias', what: 'bias' };
    else if (has('DARK')) meaning = { type: 'dark', what: 'dark' };
    else if (has('FLAT')) meaning = { type: 'flat', what: has('SKY') ? 'sky flat' : has('LAMP') ? 'lamp flat' : 'flat' };
    else if (has('WAVE') || has('LAMP')) meaning = { type: 'unclassified', what: 'arc/comparison lamp frame' };
    else if (has('OBJECT') || has('STD') || has('ASTROMETRY')) meaning = { type: 'science', what: 'science' };
    else if (words.length === 1) meaning = interpretTypeWord(words[0]);
    return verdictFromMeaning(this.name, type.key, type.value, meaning, label);
  },
};

/** Gemini OBSCLASS 'acq'/'acqCal': acquisition images, whatever OBSTYPE says (as DRAGONS tags them). */
const geminiAcquisitionRule: FrameTypeRule = {
  name: 'Gemini acquisition',
  keywords: ['OBSCLASS'],
  apply(h) {
    const cls = h.str('OBSCLASS');
    if (!cls || !/^acq(cal)?$/i.test(cls.value)) return null;
    return {
      type: 'unclassified', keyword: cls.key, value: cls.value, convention: this.name, recognized: true,
      reason: `OBSCLASS = ${quote(cls.value)} (Gemini convention): acquisition frame; ${NOT_REDUCED}`,
    };
  },
};

/** GMOS twilight flats are taken as OBSTYPE = 'OBJECT' on target 'Twilight' with OBSCLASS = 'dayCal'. */
const geminiTwilightRule: FrameTypeRule = {
  name: 'Gemini twilight flat',
  keywords: ['OBSTYPE'],
  apply(h) {
    const obstype = h.str('OBSTYPE');
    const object = h.str('OBJECT');
    const cls = h.str('OBSCLASS');
    if (!obstype || !object || !cls) return null;
    if (obstype.value.toUpperCase() !== 'OBJECT' || !/twilight/i.test(object.value) || cls.value.toLowerCase() !== 'daycal') {
      return null;
    }
    return {
      type: 'flat', keyword: object.key, value: object.value, convention: this.name, recognized: true,
      reason: `OBSTYPE = ${quote(obstype.value)} with OBJECT = ${quote(object.value)} and OBSCLASS = ${quote(cls.value)} (Gemini twilight flat)`,
    };
  },
};

/** Gemini GCAL lamp flats: OBSTYPE = 'FLAT' with the calibration unit's shutter keyword. */
const geminiGcalRule: FrameTypeRule = {
  name: 'Gemini GCAL flat',
  keywords: ['OBSTYPE'],
  apply(h) {
    const obstype = h.str('OBSTYPE');
    const shut = h.str('GCALSHUT');
    if (!obstype || !shut || obstype.value.toUpperCase() !== 'FLAT') return null;
    const lamp = h.str('GCALLAMP');
    const lampText = lamp ? `, GCALLAMP = ${quote(lamp.value)}` : '';
    const off = shut.value.toUpperCase() === 'CLOSED' ? ', lamp off' : '';
    return {
      type: 'flat', keyword: obstype.key, value: obstype.value, convention: this.name, recognized: true,
      reason: `OBSTYPE = ${quote(obstype.value)} with GCALSHUT = ${quote(shut.value)}${lampText} (Gemini GCAL flat${off})`,
    };
  },
};

/**
 * Products of this workbench carry PRODTYPE. Masters come back as masters
 * (usable as calibrations); a reduced frame or a stack is not raw data and
 * must not be reduced a second time.
 */
const workbenchProductRule: FrameTypeRule = {
  name: 'CCD workbench product',
  keywords: ['PRODTYPE'],
  apply(h) {
    const hit = h.str('PRODTYPE');
    if (!hit) return null;
    const m = /^MASTER (BIAS|DARK|FLAT)$/i.exec(hit.value.trim());
    if (m) {
      const type = m[1].toLowerCase() as 'bias' | 'dark' | 'flat';
      return {
        type, keyword: hit.key, value: hit.value, convention: this.name, recognized: true, master: true,
        reason: `PRODTYPE = ${quote(hit.value)} (a master made by the CCD workbench)`,
      };
    }
    return {
      type: 'unclassified', keyword: hit.key, value: hit.value, convention: this.name, recognized: true,
      reason: `PRODTYPE = ${quote(hit.value)}: a product of the CCD workbench, not raw data; ${NOT_REDUCED}`,
    };
  },
};

/**
 * INDI camera drivers (KStars/Ekos, and the capture programs built on INDI)
 * write the type as FRAME = 'Light' / 'Bias' / 'Dark' / 'Flat'. FRAME means
 * other things elsewhere (a celestial reference frame, 'FK5'), so this rule
 * speaks only for a frame-type word and is the last one asked.
 */
const indiFrameRule: FrameTypeRule = {
  name: 'INDI FRAME',
  keywords: ['FRAME'],
  apply(h) {
    const hit = h.str('FRAME');
    const meaning = hit && interpretTypeWord(hit.value);
    if (!hit || !meaning) return null;
    return verdictFromMeaning(this.name, hit.key, hit.value, meaning, 'INDI/KStars convention');
  },
};

export const FRAME_TYPE_RULES: readonly FrameTypeRule[] = [
  workbenchProductRule,
  esoRule,
  geminiAcquisitionRule,
  geminiTwilightRule,
  geminiGcalRule,
  keywordRule('OBSTYPE', 'OBSTYPE', () => 'OBSTYPE convention'),
  keywordRule('IMAGETYP', 'IMAGETYP', imagetypLabel),
  keywordRule('IMAGETYPE', 'IMAGETYPE', () => 'IMAGETYPE convention'),
  keywordRule('FRAMETYP', 'FRAMETYP', () => 'FRAMETYP convention'),
  keywordRule('FRAMETYPE', 'FRAMETYPE', () => 'FRAMETYPE convention'),
  keywordRule('EXPTYPE', 'EXPTYPE', () => 'EXPTYPE convention'),
  keywordRule('EXP_TYPE', 'EXP_TYPE', () => 'EXP_TYPE convention'),
  keywordRule('IMGTYPE', 'IMGTYPE', () => 'IMGTYPE convention'),
  keywordRule('Subaru DATA-TYP', 'DATA-TYP', () => 'Subaru convention'),
  indiFrameRule,
];
