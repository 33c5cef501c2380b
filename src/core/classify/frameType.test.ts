import { describe, expect, it } from 'vitest';
import type { Card } from '../fits/types';
import { FRAME_TYPE_RULES, type FrameTypeRule } from './frameRules';
import { classifyFrame } from './frameType';
import {
  cards, fors2Arc, fors2Bias, fors2Science, fors2SkyFlat, gmosAcquisitionPrimary, gmosArcPrimary, gmosBiasPrimary,
  gmosGcalFlatPrimary, gmosSciExtension, gmosSciencePrimary, gmosTwilightPrimary, irafComp, irafFlat, irafObject,
  irafZero, lcoScience, lcoSkyflat, maximBias, maximDark, maximFlat, maximLight, ninaDarkFlat, ninaLight, ninaNoEgain,
} from './testing/headers';

const c = (key: string, value: Card['value']): Card => ({ key, value });

describe('classifyFrame: conventions', () => {
  it('reads MaxIm DL IMAGETYP', () => {
    expect(classifyFrame(cards(maximLight))).toMatchObject({ type: 'science', keyword: 'IMAGETYP', value: 'Light Frame' });
    expect(classifyFrame(cards(maximBias))).toMatchObject({ type: 'bias', value: 'Bias Frame' });
    expect(classifyFrame(cards(maximDark))).toMatchObject({ type: 'dark', value: 'Dark Frame' });
    expect(classifyFrame(cards(maximFlat))).toEqual({
      type: 'flat', keyword: 'IMAGETYP', value: 'Flat Field', convention: 'IMAGETYP',
      reason: "IMAGETYP = 'Flat Field' (MaxIm/N.I.N.A. convention)",
    });
  });

  it('reads N.I.N.A. IMAGETYP, DARKFLAT being a dark', () => {
    expect(classifyFrame(cards(ninaLight))).toMatchObject({ type: 'science', value: 'LIGHT' });
    expect(classifyFrame(cards(ninaNoEgain))).toMatchObject({ type: 'flat', value: 'FLAT' });
    const df = classifyFrame(cards(ninaDarkFlat));
    expect(df).toMatchObject({ type: 'dark', value: 'DARKFLAT' });
    expect(df.reason).toBe("IMAGETYP = 'DARKFLAT' (MaxIm/N.I.N.A. convention): dark for flats");
  });

  it('reads SharpCap/ASCOM/Ekos spellings, ignoring case and spaces', () => {
    for (const [v, t] of [
      ['Light', 'science'], ['Flat Frame', 'flat'], ['FLATFIELD', 'flat'], ['dark_frame', 'dark'], ['Bias', 'bias'],
      ['  Dark Flat ', 'dark'], ['Twilight Flat', 'flat'], ['Dome-Flat', 'flat'], ['SKY FLAT', 'flat'],
    ] as const) {
      expect(classifyFrame([c('IMAGETYP', v)]).type, v).toBe(t);
    }
  });

  it('reads IRAF IMAGETYP, comp being an arc that is not reduced', () => {
    expect(classifyFrame(cards(irafZero))).toMatchObject({ type: 'bias', value: 'zero', reason: "IMAGETYP = 'zero' (IRAF convention)" });
    expect(classifyFrame(cards(irafObject)).type).toBe('science');
    expect(classifyFrame(cards(irafFlat)).type).toBe('flat');
    const comp = classifyFrame(cards(irafComp));
    expect(comp).toMatchObject({ type: 'unclassified', keyword: 'IMAGETYP', value: 'comp' });
    expect(comp.reason).toContain('arc/comparison lamp');
    expect(comp.reason).toContain('only bias, dark, flat and science frames are reduced');
  });

  it('finds GMOS twilight flats (OBSTYPE = OBJECT, OBJECT = Twilight, OBSCLASS = dayCal)', () => {
    const r = classifyFrame(cards(gmosTwilightPrimary), cards(gmosSciExtension));
    expect(r).toMatchObject({ type: 'flat', keyword: 'OBJECT', value: 'Twilight', convention: 'Gemini twilight flat' });
    expect(r.reason).toBe("OBSTYPE = 'OBJECT' with OBJECT = 'Twilight' and OBSCLASS = 'dayCal' (Gemini twilight flat)");
    const variant = cards(gmosTwilightPrimary).map((k) => (k.key === 'OBJECT' ? { ...k, value: 'Evening twilight flats' } : k));
    expect(classifyFrame(variant).type).toBe('flat');
  });

  it('keeps other GMOS frames apart: bias, science, acquisition, arc, GCAL flat', () => {
    expect(classifyFrame(cards(gmosBiasPrimary))).toMatchObject({ type: 'bias', keyword: 'OBSTYPE', value: 'BIAS' });
    expect(classifyFrame(cards(gmosSciencePrimary))).toMatchObject({ type: 'science', keyword: 'OBSTYPE', value: 'OBJECT' });
    const acq = classifyFrame(cards(gmosAcquisitionPrimary));
    expect(acq).toMatchObject({ type: 'unclassified', keyword: 'OBSCLASS', value: 'acq' });
    expect(acq.reason).toContain('acquisition');
    expect(classifyFrame(cards(gmosArcPrimary))).toMatchObject({ type: 'unclassified', value: 'ARC' });
    const gcal = classifyFrame(cards(gmosGcalFlatPrimary));
    expect(gcal).toMatchObject({ type: 'flat', convention: 'Gemini GCAL flat' });
    expect(gcal.reason).toBe("OBSTYPE = 'FLAT' with GCALSHUT = 'OPEN', GCALLAMP = 'QH' (Gemini GCAL flat)");
  });

  it('reads a generic OBSTYPE observatory (Las Cumbres)', () => {
    expect(classifyFrame(cards(lcoSkyflat))).toMatchObject({ type: 'flat', keyword: 'OBSTYPE', value: 'SKYFLAT' });
    expect(classifyFrame(cards(lcoScience))).toMatchObject({ type: 'science', value: 'EXPOSE' });
    for (const [v, t] of [
      ['BIAS', 'bias'], ['ZERO', 'bias'], ['DARK', 'dark'], ['FLAT', 'flat'], ['DOMEFLAT', 'flat'], ['dome flat', 'flat'],
      ['TWILIGHT', 'flat'], ['LAMPFLAT', 'flat'], ['OBJECT', 'science'], ['SCIENCE', 'science'], ['STANDARD', 'science'],
      ['ARC', 'unclassified'], ['FOCUS', 'unclassified'], ['GUIDE', 'unclassified'],
    ] as const) {
      expect(classifyFrame([c('OBSTYPE', v)]).type, v).toBe(t);
    }
  });

  it('reads ESO DPR keywords, with or without HIERARCH in the key', () => {
    expect(classifyFrame(cards(fors2SkyFlat))).toMatchObject({ type: 'flat', keyword: 'ESO DPR TYPE', value: 'FLAT,SKY' });
    expect(classifyFrame(cards(fors2SkyFlat)).reason).toBe("ESO DPR TYPE = 'FLAT,SKY' (ESO convention): sky flat");
    expect(classifyFrame(cards(fors2Bias)).type).toBe('bias');
    expect(classifyFrame(cards(fors2Science)).type).toBe('science');
    expect(classifyFrame(cards(fors2Arc)).type).toBe('unclassified');
    expect(classifyFrame([c('HIERARCH ESO DPR TYPE', 'DARK')]).type).toBe('dark');
    expect(classifyFrame([c('ESO DPR CATG', 'ACQUISITION'), c('ESO DPR TYPE', 'OBJECT')]).type).toBe('unclassified');
  });

  it('reads FRAMETYP, IMAGETYPE, EXPTYPE and Subaru DATA-TYP', () => {
    expect(classifyFrame([c('FRAMETYP', 'Bias')])).toMatchObject({ type: 'bias', keyword: 'FRAMETYP' });
    expect(classifyFrame([c('IMAGETYPE', 'FLAT')])).toMatchObject({ type: 'flat', keyword: 'IMAGETYPE' });
    expect(classifyFrame([c('EXPTYPE', 'dark')])).toMatchObject({ type: 'dark', keyword: 'EXPTYPE' });
    expect(classifyFrame([c('DATA-TYP', 'DOMEFLAT')])).toMatchObject({ type: 'flat', keyword: 'DATA-TYP' });
    expect(classifyFrame([c('DATA-TYP', 'COMPARISON')]).type).toBe('unclassified');
  });

  it("reads INDI's FRAME (KStars/Ekos), and only when it names a frame type", () => {
    // As INDI's camera drivers write it, beside IMAGETYP-less headers.
    const indi = (type: string) => classifyFrame([c('INSTRUME', 'ZWO CCD ASI294MM Pro'), c('EXPTIME', 60), c('FRAME', type)]);
    expect(indi('Light')).toMatchObject({ type: 'science', keyword: 'FRAME', reason: "FRAME = 'Light' (INDI/KStars convention)" });
    expect(indi('Bias').type).toBe('bias');
    expect(indi('Dark').type).toBe('dark');
    expect(indi('Flat').type).toBe('flat');
    // FRAME as a celestial reference frame says nothing about the type.
    const fk5 = classifyFrame([c('FRAME', 'FK5')]);
    expect(fk5.type).toBe('unclassified');
    expect(fk5.reason).toMatch(/^No frame-type keyword found \(looked for .*FRAME\)/);
    expect(classifyFrame([c('FRAME', 'FK5'), c('IMAGETYP', 'LIGHT')])).toMatchObject({ type: 'science', keyword: 'IMAGETYP' });
  });
});

describe('classifyFrame: no guessing', () => {
  it('leaves a 0 s exposure without a type keyword unclassified, with a hint', () => {
    const r = classifyFrame([c('EXPTIME', 0), c('OBJECT', '')]);
    expect(r.type).toBe('unclassified');
    expect(r.keyword).toBeUndefined();
    expect(r.reason).toMatch(/^No frame-type keyword found \(looked for .*OBSTYPE.*IMAGETYP/);
    expect(r.hint).toBe('EXPTIME = 0 suggests a bias');
  });

  it('hints from OBJECT but does not decide from it', () => {
    const r = classifyFrame([c('EXPTIME', 3), c('OBJECT', 'Dome Flat R')]);
    expect(r).toMatchObject({ type: 'unclassified', hint: "OBJECT = 'Dome Flat R' suggests a flat" });
    expect(classifyFrame([c('EXPTIME', 30)]).hint).toBeUndefined();
  });

  it('names the keyword and value it does not understand', () => {
    const r = classifyFrame([c('IMAGETYP', 'Tricolor Image')]);
    expect(r).toMatchObject({ type: 'unclassified', keyword: 'IMAGETYP', value: 'Tricolor Image' });
    expect(r.reason).toBe("IMAGETYP = 'Tricolor Image' is not a frame type this workbench knows");
    // A bare 'Master' does not say which calibration it is ('Master Bias' does: masters.test.ts).
    expect(classifyFrame([c('IMAGETYP', 'Master')]).type).toBe('unclassified');
  });

  it('falls through an unknown value to another convention that is understood', () => {
    expect(classifyFrame([c('OBSTYPE', 'WEIRD'), c('IMAGETYP', 'Bias Frame')])).toMatchObject({ type: 'bias', keyword: 'IMAGETYP' });
  });

  it('flags a zero-second dark and a long bias with hints, keeping the header type', () => {
    expect(classifyFrame([c('IMAGETYP', 'Dark Frame'), c('EXPTIME', 0)])).toMatchObject({
      type: 'dark', hint: 'EXPTIME = 0: a zero-second dark is effectively a bias',
    });
    expect(classifyFrame([c('IMAGETYP', 'BIAS'), c('EXPTIME', 10)]).hint).toContain('normally has zero exposure time');
  });

  it('takes convention rules as data: a new convention is one more entry', () => {
    const custom: FrameTypeRule = {
      name: 'Observatory X',
      keywords: ['XTYPE'],
      apply: (h) => {
        const v = h.str('XTYPE');
        return v && v.value === 'B'
          ? { type: 'bias', keyword: v.key, value: v.value, reason: "XTYPE = 'B' (Observatory X)", convention: 'Observatory X', recognized: true }
          : null;
      },
    };
    expect(classifyFrame([c('XTYPE', 'B')]).type).toBe('unclassified');
    expect(classifyFrame([c('XTYPE', 'B')], undefined, [custom, ...FRAME_TYPE_RULES])).toMatchObject({ type: 'bias', convention: 'Observatory X' });
    expect(FRAME_TYPE_RULES.map((r) => r.name)).toEqual(expect.arrayContaining(['OBSTYPE', 'IMAGETYP', 'Gemini twilight flat', 'ESO DPR']));
  });
});
