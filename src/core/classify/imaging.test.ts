import { describe, expect, it } from 'vitest';
import type { Card } from '../fits/types';
import { extractDescriptors } from './descriptors';
import { isEmptyOpticsSlot, observingTechnique, spectroscopyReason } from './imaging';
import {
  alfoscImaging, alfoscSpectrum, cards, fors2LongslitScience, fors2Science, fors2SkyFlat, gmosImagingPrimary,
  gmosLongslitPrimary, gmosSciExtension, gmosSciencePrimary, gmosTwilightPrimary, irafObject, lcoScience, maximLight,
  ninaLight,
} from './testing/headers';

const c = (key: string, value: Card['value']): Card => ({ key, value });
const reason = (primary: Card[], image?: Card[]) => spectroscopyReason(extractDescriptors(primary, image));

describe('spectroscopyReason: realistic headers', () => {
  it('leaves out a GMOS-S long-slit spectrum that is OBSTYPE = OBJECT', () => {
    const d = extractDescriptors(cards(gmosLongslitPrimary), cards(gmosSciExtension));
    expect(d).toMatchObject({
      disperser: 'R400+_G5325', slit: '1.0arcsec', sources: { disperser: 'GRATING', slit: 'MASKNAME' }, sourceHdu: { disperser: 'primary' },
    });
    expect(spectroscopyReason(d)).toBe("GRATING = 'R400+_G5325': a disperser is in the beam");
  });

  it('keeps GMOS imaging (GRATING = MIRROR, MASKNAME absent or None), twilight flats included', () => {
    expect(reason(cards(gmosSciencePrimary))).toBeUndefined();
    expect(extractDescriptors(cards(gmosImagingPrimary))).toMatchObject({ disperser: 'MIRROR', slit: 'None' });
    expect(reason(cards(gmosImagingPrimary))).toBeUndefined();
    expect(reason(cards(gmosTwilightPrimary), cards(gmosSciExtension))).toBeUndefined();
  });

  it('leaves out a GMOS through-slit image (MIRROR with a slit), naming the slit', () => {
    const thruSlit = cards(gmosImagingPrimary).map((k) => (k.key === 'MASKNAME' ? { ...k, value: '0.75arcsec' } : k));
    expect(reason(thruSlit)).toBe("MASKNAME = '0.75arcsec': a slit or mask is in the beam");
  });

  it('tells a FORS2 imaging frame from a FORS2 long-slit spectrum', () => {
    expect(extractDescriptors(cards(fors2Science))).toMatchObject({ obsmode: 'IMAGE', sources: { obsmode: 'ESO DPR TECH' } });
    expect(reason(cards(fors2Science))).toBeUndefined();
    expect(reason(cards(fors2SkyFlat))).toBeUndefined();
    const lss = extractDescriptors(cards(fors2LongslitScience));
    expect(lss).toMatchObject({
      disperser: 'GRIS_300V', slit: 'lSlit1_0arcsec', obsmode: 'LSS',
      sources: { disperser: 'ESO INS GRIS1 NAME', slit: 'ESO INS SLIT NAME', obsmode: 'ESO INS MODE' },
    });
    expect(spectroscopyReason(lss)).toBe("ESO INS GRIS1 NAME = 'GRIS_300V': a disperser is in the beam");
    // DPR TECH alone is enough, with or without HIERARCH in the key.
    expect(reason([c('HIERARCH ESO DPR TECH', 'SPECTRUM')])).toBe("ESO DPR TECH = 'SPECTRUM': a spectroscopic observing mode");
    expect(reason([c('ESO DPR TECH', 'ECHELLE,ABSORPTION-CELL')])).toContain('spectroscopic observing mode');
    expect(reason([c('ESO DPR TECH', 'IMAGE,JITTER')])).toBeUndefined();
  });

  it('reads NOT ALFOSC: Open (Lyot) grism and Open aperture are imaging', () => {
    expect(extractDescriptors(cards(alfoscImaging))).toMatchObject({
      disperser: 'Open (Lyot)', slit: 'Open', obsmode: 'IMAGING', sources: { disperser: 'ALGRNM', slit: 'ALAPRTNM', obsmode: 'OBS_MODE' },
    });
    expect(reason(cards(alfoscImaging))).toBeUndefined();
    expect(reason(cards(alfoscSpectrum))).toBe("ALGRNM = 'Grism_#4': a disperser is in the beam");
  });

  it('keeps amateur and IRAF-era imaging headers that have none of these keywords', () => {
    for (const hdr of [maximLight, ninaLight, irafObject, lcoScience]) {
      const d = extractDescriptors(cards(hdr));
      expect(d.disperser).toBeUndefined();
      expect(d.slit).toBeUndefined();
      expect(d.obsmode).toBeUndefined();
      expect(spectroscopyReason(d)).toBeUndefined();
    }
    expect(spectroscopyReason({})).toBeUndefined();
  });
});

describe('spectroscopyReason: the rules', () => {
  it('reads SOAR Goodman and EFOSC2 empty-slot words', () => {
    expect(reason([c('GRATING', '<NO GRATING>'), c('SLIT', '<NO MASK>')])).toBeUndefined();
    expect(reason([c('GRATING', 'SYZY_400'), c('SLIT', '1.0_LONG_SLIT')])).toBe("GRATING = 'SYZY_400': a disperser is in the beam");
    expect(reason([c('ESO INS GRIS1 NAME', 'Free'), c('ESO INS SLIT1 NAME', 'Free'), c('ESO DPR TECH', 'IMAGE')])).toBeUndefined();
    expect(reason([c('ESO INS GRIS1 NAME', 'Gr#11'), c('ESO INS SLIT1 NAME', 'slit#1.0')])).toBe("ESO INS GRIS1 NAME = 'Gr#11': a disperser is in the beam");
  });

  it('takes a spectroscopic mode without disperser keywords, and a slit without a mode', () => {
    expect(reason([c('OBSMODE', 'OsirisLongSlitSpectroscopy')])).toBe("OBSMODE = 'OsirisLongSlitSpectroscopy': a spectroscopic observing mode");
    expect(reason([c('OBSMODE', 'OsirisMOS')])).toContain('OBSMODE');
    expect(reason([c('OBSMODE', 'OsirisBroadBandImage'), c('GRISM', 'OPEN')])).toBeUndefined();
    expect(reason([c('SLITNAME', 'long_1.0')])).toBe("SLITNAME = 'long_1.0': a slit or mask is in the beam");
    expect(reason([c('DECKER', 'C5')])).toBe("DECKER = 'C5': a slit or mask is in the beam");
  });

  it('lets a stated imaging mode win over a slit keyword, but never over a disperser', () => {
    expect(reason([c('INSTMODE', 'IMAGING'), c('SLIT', 'slit_1.0')])).toBeUndefined();
    expect(reason([c('INSTMODE', 'IMAGING'), c('GRISM', 'R1000B')])).toBe("GRISM = 'R1000B': a disperser is in the beam");
  });

  it('reads APERTURE only when it names a slit (elsewhere it is the telescope aperture)', () => {
    expect(extractDescriptors([c('APERTURE', 200)]).slit).toBeUndefined();
    expect(extractDescriptors([c('APERTURE', '8 inch')]).slit).toBeUndefined();
    expect(reason([c('APERTURE', 200)])).toBeUndefined();
    expect(reason([c('APERTURE', 'SLIT 1.5 arcsec')])).toBe("APERTURE = 'SLIT 1.5 arcsec': a slit or mask is in the beam");
  });

  it('names the field when the descriptors carry no sources', () => {
    expect(spectroscopyReason({ disperser: 'G141' })).toBe("disperser = 'G141': a disperser is in the beam");
    expect(spectroscopyReason({ slit: 'MIRROR', obsmode: 'NORMAL' })).toBeUndefined();
  });

  it('knows empty-slot words, not just any word', () => {
    for (const v of [
      'MIRROR', 'Open', 'open2-8', 'OPEN (Lyot)', 'Clear', 'Empty', 'None', 'none', 'Free', '<NO GRATING>', 'NO_GRISM',
      'nograting', 'IMAGING', 'Image', 'direct', 'blank', 'Out', 'parked', '', '  ', '0', '0.0', 'N/A', 'unknown',
    ]) {
      expect(isEmptyOpticsSlot(v), v).toBe(true);
    }
    for (const v of ['R400+_G5325', 'GRIS_300V', '1.0arcsec', '0.5arcsec', '0.75', 'IFU-2', 'Image slicer', 'Slit_1.0', 'B600', 'G5305']) {
      expect(isEmptyOpticsSlot(v), v).toBe(false);
    }
  });

  it('reads observing-mode words, splitting camel case and lists', () => {
    for (const v of ['SPECTRUM', 'SPECTRUM,NODDING', 'LSS', 'MOS', 'MXU', 'IFU', 'ECHELLE', 'LONGSLIT', 'long-slit', 'SPECTROSCOPY', 'SpecPol', 'LS']) {
      expect(observingTechnique(v), v).toBe('spectroscopy');
    }
    for (const v of ['IMAGE', 'IMAGING', 'IMG', 'IMAGE,JITTER', 'OsirisTunableFilterImage']) {
      expect(observingTechnique(v), v).toBe('imaging');
    }
    for (const v of ['SPECKLE', 'POLARIMETRY', 'NORMAL', 'FALSE', '']) {
      expect(observingTechnique(v), v).toBeUndefined();
    }
  });
});
