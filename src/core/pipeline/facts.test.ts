import { describe, expect, it } from 'vitest';
import { cards, gmosBiasPrimary, gmosLongslitPrimary, gmosSciExtension } from '../classify/testing/headers';
import type { FrameFacts } from './associate';
import { candidateOf, configKey, dataShape, extensionCount, factsOf, frameTime, roleOf, type PlanFrame } from './facts';
import { buildPlan } from './plan';
import {
  bias, flat, frameFromCards, importedMaster, productFrame, rawFrame, science, unreadable,
} from './testing/planFrames';

const DATE = '2026-03-10T21:00:00';

/** A GMOS raw MEF: primary without data, 12 amplifiers of 288 x 2112 (DATASEC [33:288,1:2112]). */
function gmos(name: string, primary: string): PlanFrame {
  const amp = { isImage: true, naxis: [288, 2112], extname: 'SCI' };
  return frameFromCards(name, cards(primary), cards(gmosSciExtension), {
    hdus: [{ isImage: false, naxis: [], extname: 'PRIMARY' }, ...Array.from({ length: 12 }, () => amp)],
  });
}

describe('dataShape', () => {
  it('is the DATASEC size when there is no TRIMSEC', () => {
    const f = bias('b.fits', DATE);
    expect(f.descriptors.shape).toBe('2080x2048');
    expect(f.descriptors.datasec).toBe('[1:2048,1:2048]');
    expect(dataShape(f)).toBe('2048x2048');
  });

  it('prefers TRIMSEC over DATASEC', () => {
    const f = bias('b.fits', DATE, { trimsec: '[11:2040,5:2044]' });
    expect(dataShape(f)).toBe('2030x2040');
  });

  it('is the whole image without sections, and when a section does not fit the image', () => {
    expect(dataShape(bias('b.fits', DATE, { datasec: null, biassec: null }))).toBe('2080x2048');
    expect(dataShape(bias('b.fits', DATE, { datasec: '[1:4096,1:2048]' }))).toBe('2080x2048');
  });

  it('follows binning (sections are in binned pixels)', () => {
    expect(dataShape(bias('b.fits', DATE, { binning: 2 }))).toBe('1024x1024');
  });

  it("appends ' xN' for N science extensions", () => {
    const f = gmos('N20190414S0001.fits', gmosBiasPrimary);
    expect(extensionCount(f)).toBe(12);
    expect(dataShape(f)).toBe('256x2112 x12');
  });

  it('counts SCI extensions only, and other image extensions that are not VAR/DQ/masks', () => {
    const f = bias('b.fits', DATE, {
      frame: {
        hdus: [
          { isImage: false, naxis: [], extname: 'PRIMARY' },
          { isImage: true, naxis: [2080, 2048], extname: 'AMP1' },
          { isImage: true, naxis: [2080, 2048], extname: 'AMP2' },
          { isImage: true, naxis: [2080, 2048], extname: 'DQ' },
          { isImage: false, naxis: [2, 10], extname: 'OBJCAT' },
        ],
      },
    });
    expect(extensionCount(f)).toBe(2);
    expect(dataShape(f)).toBe('2048x2048 x2');
  });

  it('uses a product\'s own shape (its sections are not applied again), one SCI extension', () => {
    const raws = [bias('b1.fits', DATE), bias('b2.fits', '2026-03-10T21:01:00')];
    const run = buildPlan({ frames: raws }).runs[0];
    const p = productFrame(run, raws);
    expect(p.descriptors.shape).toBe('2048x2048');
    expect(dataShape(p)).toBe('2048x2048');
    // Even if the product header still carried the raw DATASEC, its shape is its own.
    const withSec: PlanFrame = { ...p, descriptors: { ...p.descriptors, datasec: '[1:1024,1:1024]' } };
    expect(dataShape(withSec)).toBe('2048x2048');
    expect(extensionCount(p)).toBe(1);
  });

  it('is undefined without a shape', () => {
    const f = bias('b.fits', DATE);
    expect(dataShape({ ...f, descriptors: { sources: {}, sourceHdu: {} } })).toBeUndefined();
  });
});

describe('factsOf and frameTime', () => {
  it('takes the descriptors of a raw frame', () => {
    const f = science('s.fits', '2026-03-10T23:30:00', 'M67', 'R', { exptime: 90, binning: 2, readout: 'Fast' });
    expect(factsOf(f)).toEqual({
      id: 's.fits', name: 's.fits', instrument: 'CAM1', detector: 'CCD42', binning: '2x2', readout: 'Fast',
      dataShape: '1024x1024', filter: 'R', exptime: 90, time: expect.any(Number),
    });
    // Through the MJD the classifier derived from DATE-OBS: equal to well under a millisecond.
    expect(factsOf(f).time).toBeCloseTo(Date.parse('2026-03-10T23:30:00Z'), 0);
  });

  it("takes a product's filter, exposure and time from its record", () => {
    const raws = [flat('f1.fits', DATE, 'R'), flat('f2.fits', '2026-03-10T21:10:00', 'R')];
    const run = buildPlan({ frames: raws }).runs.find((r) => r.kind === 'flat')!;
    const p = productFrame(run, raws, { filter: 'R (product)', exptime: 7, time: 1234 });
    const facts = factsOf(p);
    expect(facts.filter).toBe('R (product)');
    expect(facts.exptime).toBe(7);
    expect(facts.time).toBe(1234);
  });

  it('reads the time from MJD, else DATE-OBS (date only = midnight UTC)', () => {
    expect(frameTime({ sources: {}, sourceHdu: {}, mjd: 61109 })).toBe(Date.UTC(2026, 2, 10));
    expect(frameTime({ sources: {}, sourceHdu: {}, dateObs: '2026-03-10' })).toBe(Date.UTC(2026, 2, 10));
    expect(frameTime({ sources: {}, sourceHdu: {}, dateObs: '2026-03-10T06:00:00' })).toBe(Date.UTC(2026, 2, 10, 6));
    expect(frameTime({ sources: {}, sourceHdu: {}, dateObs: 'garbage' })).toBeUndefined();
    expect(frameTime({ sources: {}, sourceHdu: {} })).toBeUndefined();
  });
});

describe('configKey', () => {
  const base: FrameFacts = {
    id: 'a', name: 'a', instrument: 'CAM1', detector: 'CCD42', binning: '2x2', readout: 'Slow A', dataShape: '1024x1024',
  };

  it('ignores case, surrounding blanks, inner runs of blanks and blanks in the binning', () => {
    const other: FrameFacts = {
      ...base, instrument: ' cam1 ', detector: 'ccd42', binning: '2 x 2', readout: 'slow   a', dataShape: '1024X1024',
    };
    expect(configKey(other)).toBe(configKey(base));
  });

  it('ignores filter, exposure, time and name', () => {
    expect(configKey({ ...base, id: 'b', name: 'b', filter: 'R', exptime: 30, time: 5 })).toBe(configKey(base));
  });

  it('differs with instrument, detector, binning, readout or shape', () => {
    for (const change of [
      { instrument: 'CAM2' }, { detector: 'E2V' }, { binning: '1x1' }, { readout: 'Fast A' }, { dataShape: '1024x1024 x2' },
    ] as Partial<FrameFacts>[]) {
      expect(configKey({ ...base, ...change })).not.toBe(configKey(base));
    }
  });

  it('tells a missing value apart from a present one', () => {
    expect(configKey({ ...base, readout: undefined })).not.toBe(configKey(base));
  });
});

describe('roleOf', () => {
  it('raw bias, dark, flat and science frames', () => {
    expect(roleOf(bias('b.fits', DATE))).toEqual({ kind: 'raw', type: 'bias' });
    expect(roleOf(rawFrame({ name: 'd.fits', date: DATE, type: 'dark' }))).toEqual({ kind: 'raw', type: 'dark' });
    expect(roleOf(flat('f.fits', DATE, 'R'))).toEqual({ kind: 'raw', type: 'flat' });
    expect(roleOf(science('s.fits', DATE, 'M67', 'R'))).toEqual({ kind: 'raw', type: 'science' });
  });

  it('an unreadable file, with the reader\'s message', () => {
    expect(roleOf(unreadable('x.fits', 'truncated: 2880-byte block expected'))).toEqual({
      kind: 'out', reason: 'could not be read: truncated: 2880-byte block expected',
    });
    expect(roleOf({ ...unreadable('x.fits', ''), message: undefined })).toEqual({ kind: 'out', reason: 'could not be read' });
    // The reader's message begins with the file's name, which the views show beside the reason already.
    expect(roleOf(unreadable('x.fits', 'x.fits: HDU 0: file ends inside the header'))).toEqual({ kind: 'out', reason: 'could not be read: HDU 0: file ends inside the header' });
  });

  it('a file without image data', () => {
    const f = science('t.fits', DATE, 'M67', 'R', { frame: { hdus: [{ isImage: false, naxis: [], extname: 'PRIMARY' }, { isImage: false, naxis: [8, 100], extname: 'CAT' }] } });
    expect(roleOf(f)).toEqual({ kind: 'out', reason: 'no image data' });
  });

  it('an unclassified frame: the reason says to tag it', () => {
    const f = rawFrame({ name: 'u.fits', date: DATE, type: null, exptime: 30 });
    expect(f.type).toBe('unclassified');
    const role = roleOf(f);
    expect(role.kind).toBe('out');
    expect(role.kind === 'out' && role.reason).toMatch(/tag it bias, dark, flat or science/);
  });

  it('a type the imaging recipes do not reduce', () => {
    const f = { ...science('s.fits', DATE, 'M67', 'R'), type: 'product' };
    expect(roleOf(f)).toEqual({ kind: 'out', reason: expect.stringMatching(/product.*not reduced by the imaging recipes/) });
  });

  it('a spectroscopic science frame (GMOS-S long slit, OBSTYPE OBJECT) is out with the disperser reason', () => {
    const f = gmos('S20190414S0100.fits', gmosLongslitPrimary);
    expect(f.type).toBe('science');
    expect(roleOf(f)).toEqual({
      kind: 'out', reason: "spectroscopy, not imaging: GRATING = 'R400+_G5325': a disperser is in the beam",
    });
  });

  it('a spectroscopic flat is out, but a bias or dark taken with the grating in is raw', () => {
    const spectro = { GRATING: 'R400+_G5325', MASKNAME: '1.0arcsec' };
    expect(roleOf(flat('f.fits', DATE, 'R', { extra: spectro })).kind).toBe('out');
    expect(roleOf(bias('b.fits', DATE, { extra: spectro }))).toEqual({ kind: 'raw', type: 'bias' });
    expect(roleOf(rawFrame({ name: 'd.fits', date: DATE, type: 'dark', extra: spectro }))).toEqual({ kind: 'raw', type: 'dark' });
  });

  it('a slit alone (no disperser) is spectroscopy too', () => {
    const f = science('s.fits', DATE, 'M67', 'R', { extra: { MASKNAME: '1.0arcsec' } });
    expect(roleOf(f)).toEqual({ kind: 'out', reason: "spectroscopy, not imaging: MASKNAME = '1.0arcsec': a slit or mask is in the beam" });
  });

  it('a master made elsewhere is imported, for its step', () => {
    const m = importedMaster('mbias.fits', 'bias', DATE);
    expect(m.master).toBe(true);
    expect(roleOf(m)).toEqual({ kind: 'imported', step: 'bias' });
    expect(roleOf(importedMaster('mflat.fits', 'flat', DATE, { filter: 'R' }))).toEqual({ kind: 'imported', step: 'flat' });
    expect(roleOf(importedMaster('mdark.fits', 'dark', DATE))).toEqual({ kind: 'imported', step: 'dark' });
  });

  it('a science frame marked master (a stack from elsewhere) stays a raw science frame', () => {
    expect(roleOf({ ...science('s.fits', DATE, 'M67', 'R'), master: true })).toEqual({ kind: 'raw', type: 'science' });
  });

  it('a product of this workbench, whatever its type', () => {
    const raws = [bias('b1.fits', DATE), bias('b2.fits', DATE)];
    const run = buildPlan({ frames: raws }).runs[0];
    const p = productFrame(run, raws);
    expect(roleOf(p)).toEqual({ kind: 'product', product: p.product });
    expect(roleOf({ ...p, type: 'product' })).toEqual({ kind: 'product', product: p.product });
  });
});

describe('candidateOf', () => {
  it('an imported master: its validity and valid flag from the calibration record, createdAt = addedAt', () => {
    const m = { ...importedMaster('mbias.fits', 'bias', DATE), addedAt: 77 };
    expect(candidateOf(m, 'bias', 'imported')).toMatchObject({
      id: 'mbias.fits', kind: 'bias', source: 'imported', valid: true, createdAt: 77, validity: undefined, dataShape: '2048x2048',
    });
    const edited = { ...m, calibration: { valid: false, validity: { start: 1, end: 2 } } };
    expect(candidateOf(edited, 'bias', 'imported')).toMatchObject({ valid: false, validity: { start: 1, end: 2 } });
  });

  it('a product: from its record', () => {
    const raws = [bias('b1.fits', DATE), bias('b2.fits', DATE)];
    const run = buildPlan({ frames: raws }).runs[0];
    const p = productFrame(run, raws, { valid: false, validity: { start: 10, end: 20 }, createdAt: 99 });
    expect(candidateOf(p, 'bias', 'product')).toMatchObject({
      id: p.id, name: 'b1_bias.fits', source: 'product', valid: false, validity: { start: 10, end: 20 }, createdAt: 99,
      instrument: 'CAM1', binning: '1x1', dataShape: '2048x2048',
    });
    expect(candidateOf(p, 'bias', 'product').time).toBeCloseTo(Date.parse(`${DATE}Z`), 0);
  });
});
