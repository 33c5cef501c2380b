import { describe, expect, it } from 'vitest';
import type { Card } from '../fits/types';
import { classifyFrame } from './frameType';
import { interpretTypeWord } from './frameVocabulary';
import { HeaderLookup } from './headerLookup';
import { masterEvidence } from './masters';
import {
  cards, dragonsProcessedBiasPrimary, fors2Bias, fors2Science, gmosBiasPrimary, gmosTwilightPrimary, irafZero,
  irafZerocombine, lcoScience, maximBias, maximDark, maximFlat, maximLight, ninaLight,
} from './testing/headers';

const c = (key: string, value: Card['value']): Card => ({ key, value });
const set = (text: string, key: string, value: string) =>
  cards(text).map((k) => (k.key === key ? { ...k, value } : k));

describe('master calibrations: the type word', () => {
  it('reads PixInsight WBPP masters (IMAGETYP = Master Bias / Dark / Flat)', () => {
    const bias = classifyFrame(set(maximBias, 'IMAGETYP', 'Master Bias'));
    expect(bias).toMatchObject({
      type: 'bias', keyword: 'IMAGETYP', value: 'Master Bias',
      master: { keyword: 'IMAGETYP', value: 'Master Bias', reason: "IMAGETYP = 'Master Bias' names a master calibration" },
    });
    expect(bias.reason).toBe("IMAGETYP = 'Master Bias' (stacking-tool convention): master bias");
    expect(classifyFrame(set(maximDark, 'IMAGETYP', 'Master Dark'))).toMatchObject({ type: 'dark', master: { keyword: 'IMAGETYP' } });
    expect(classifyFrame(set(maximFlat, 'IMAGETYP', 'Master Flat'))).toMatchObject({ type: 'flat', master: { value: 'Master Flat' } });
  });

  it('knows the spellings other tools and scripts use', () => {
    for (const [word, type] of [
      ['Master Bias', 'bias'], ['MASTER_BIAS', 'bias'], ['masterbias', 'bias'], ['MasterBias', 'bias'], ['MBIAS', 'bias'],
      ['superbias', 'bias'], ['BIAS_MASTER', 'bias'], ['Bias (master)', 'bias'], ['processed bias', 'bias'],
      ['Master Zero', 'bias'], ['Master Bias Frame', 'bias'], ['master-bias', 'bias'], ['combined bias', 'bias'],
      ['Master Dark', 'dark'], ['MASTER_DARK', 'dark'], ['mdark', 'dark'], ['superdark', 'dark'], ['DARK_MASTER', 'dark'],
      ['Master DarkFlat', 'dark'], ['processed_dark', 'dark'],
      ['MasterFlat', 'flat'], ['Master Flat', 'flat'], ['mflat', 'flat'], ['superflat', 'flat'], ['normflat', 'flat'],
      ['Normalized Flat', 'flat'], ['MASTER_SKY_FLAT', 'flat'], ['Master Twilight Flat', 'flat'], ['Flat (master)', 'flat'],
      ['processed flat', 'flat'],
    ] as const) {
      expect(interpretTypeWord(word), word).toMatchObject({ type, master: true });
      const r = classifyFrame([c('IMAGETYP', word)]);
      expect(r.type, word).toBe(type);
      expect(r.master?.keyword, word).toBe('IMAGETYP');
    }
    expect(interpretTypeWord('Master Sky Flat')?.what).toBe('master sky flat');
    expect(interpretTypeWord('Master DarkFlat')?.what).toBe('master dark for flats');
  });

  it('leaves raw words raw, and a master light is a science stack, never a calibration', () => {
    for (const word of ['Bias Frame', 'BIAS', 'zero', 'Dark Frame', 'Flat Field', 'SKYFLAT', 'DARKFLAT']) {
      expect(interpretTypeWord(word)?.master, word).toBeUndefined();
      expect(classifyFrame([c('IMAGETYP', word)]).master, word).toBeUndefined();
    }
    const light = classifyFrame([c('IMAGETYP', 'Master Light'), c('NCOMBINE', 40)]);
    expect(light.type).toBe('science');
    expect(light.master).toBeUndefined();
  });
});

describe('master calibrations: DRAGONS and ESO product stamps', () => {
  it('reads DRAGONS PROCBIAS, ahead of its NCOMBINE', () => {
    const r = classifyFrame(cards(dragonsProcessedBiasPrimary));
    expect(r).toMatchObject({ type: 'bias', keyword: 'OBSTYPE', value: 'BIAS' });
    expect(r.master).toEqual({
      keyword: 'PROCBIAS', value: '2019-04-15T10:12:31',
      reason: "PROCBIAS = '2019-04-15T10:12:31': DRAGONS stamped it as a stored processed bias",
    });
  });

  it('reads PROCDARK and PROCFLAT (a processed GMOS twilight flat), each only for its own type', () => {
    const flat = classifyFrame([...cards(gmosTwilightPrimary), c('PROCFLAT', '2019-04-15T11:00:00')]);
    expect(flat).toMatchObject({ type: 'flat', master: { keyword: 'PROCFLAT' } });
    expect(classifyFrame([c('OBSTYPE', 'DARK'), c('PROCDARK', '2020-01-01T00:00:00')]).master?.keyword).toBe('PROCDARK');
    expect(classifyFrame([c('OBSTYPE', 'DARK'), c('PROCBIAS', '2020-01-01T00:00:00')]).master).toBeUndefined();
    // Some tests and tools write the stamp as a logical.
    expect(classifyFrame([c('OBSTYPE', 'BIAS'), c('PROCBIAS', true)]).master?.value).toBe('T');
  });

  it('reads ESO pipeline products (ESO PRO CATG = MASTER_...)', () => {
    const r = classifyFrame([...cards(fors2Bias), c('HIERARCH ESO PRO CATG', 'MASTER_BIAS')]);
    expect(r.type).toBe('bias');
    expect(r.master).toEqual({ keyword: 'ESO PRO CATG', value: 'MASTER_BIAS', reason: "ESO PRO CATG = 'MASTER_BIAS': an ESO pipeline master calibration" });
  });
});

describe('master calibrations: records of combining', () => {
  it('reads IRAF zerocombine output (IMAGETYP = zero, NCOMBINE, IMCMBnnn)', () => {
    const r = classifyFrame(cards(irafZerocombine));
    expect(r).toMatchObject({ type: 'bias', value: 'zero' });
    expect(r.master).toEqual({ keyword: 'NCOMBINE', value: '3', reason: 'NCOMBINE = 3: combined from 3 frames' });
    expect(classifyFrame([...cards(maximFlat), c('NCOMBINE', 15)]).master?.reason).toBe('NCOMBINE = 15: combined from 15 frames');
  });

  it('reads an IMCMB001 card alone, unless NCOMBINE says fewer than two', () => {
    const r = classifyFrame([...cards(irafZero), c('IMCMB001', 'a001.fits')]);
    expect(r.master).toEqual({ keyword: 'IMCMB001', value: 'a001.fits', reason: "IMCMB001 = 'a001.fits': it lists the frames it was combined from" });
    expect(classifyFrame([...cards(irafZero), c('NCOMBINE', 1), c('IMCMB001', 'a001.fits')]).master).toBeUndefined();
  });

  it('reads Siril STACKCNT, SBFITSEXT SNAPSHOT and the ccdproc guide COMBINED = T', () => {
    const siril = classifyFrame([...set(ninaLight, 'IMAGETYP', 'DARK'), c('STACKCNT', 30)]);
    expect(siril).toMatchObject({ type: 'dark', master: { keyword: 'STACKCNT', value: '30', reason: 'STACKCNT = 30: combined from 30 frames' } });
    expect(classifyFrame([...cards(maximDark), c('SNAPSHOT', 20)]).master?.keyword).toBe('SNAPSHOT');
    expect(classifyFrame([c('IMAGETYP', 'Bias'), c('COMBINED', true)]).master).toEqual({
      keyword: 'COMBINED', value: 'T', reason: 'COMBINED = T: marked as a combined frame',
    });
    expect(classifyFrame([c('IMAGETYP', 'Bias'), c('COMBINED', false)]).master).toBeUndefined();
  });

  it('takes the type word first, then the stamps, then the counts', () => {
    const r = classifyFrame([c('IMAGETYP', 'Master Bias'), c('PROCBIAS', '2020-01-01T00:00:00'), c('NCOMBINE', 9)]);
    expect(r.master?.keyword).toBe('IMAGETYP');
    expect(classifyFrame([c('OBSTYPE', 'BIAS'), c('NCOMBINE', 9), c('PROCBIAS', 'x')]).master?.keyword).toBe('PROCBIAS');
  });
});

describe('master calibrations: frames that stay raw', () => {
  it('leaves raw bias, dark and flat frames without master', () => {
    for (const hdr of [maximBias, maximDark, maximFlat, irafZero, gmosBiasPrimary, fors2Bias]) {
      expect(classifyFrame(cards(hdr)).master).toBeUndefined();
    }
  });

  it('never flags a science frame, stacked or not', () => {
    const stack = classifyFrame([...cards(maximLight), c('NCOMBINE', 3), c('IMCMB001', 'light1.fits')]);
    expect(stack.type).toBe('science');
    expect(stack.master).toBeUndefined();
    expect(classifyFrame([...cards(lcoScience), c('STACKCNT', 12)]).master).toBeUndefined();
    expect(classifyFrame([...cards(fors2Science), c('ESO PRO CATG', 'MASTER_BIAS')]).master).toBeUndefined();
  });

  it('does not count one frame as a combination (capture programs write SNAPSHOT = 1)', () => {
    expect(classifyFrame([...cards(maximBias), c('SNAPSHOT', 1)]).master).toBeUndefined();
    expect(classifyFrame([c('IMAGETYP', 'Bias'), c('NCOMBINE', 1)]).master).toBeUndefined();
    expect(classifyFrame([c('IMAGETYP', 'Bias'), c('ESO PRO CATG', 'REDUCED_IMG')]).master).toBeUndefined();
  });

  it('is a pure function of the header and the verdict, usable without classifyFrame', () => {
    const h = new HeaderLookup([c('NCOMBINE', 5)]);
    expect(masterEvidence(h, { type: 'flat' })?.value).toBe('5');
    expect(masterEvidence(h, { type: 'science' })).toBeUndefined();
    expect(masterEvidence(h, { type: 'unclassified' })).toBeUndefined();
  });
});
