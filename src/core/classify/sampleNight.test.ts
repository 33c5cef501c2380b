/**
 * The simulated night in ../shared/sample-night: every file must get the type,
 * filter and exposure its truth.json says.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeHeader } from './index';
import { compileSelect } from './select';
import { headerTextFromBytes, parseCardText } from './testing/cardText';

const dir = fileURLToPath(new URL('../../../../shared/sample-night/', import.meta.url));

interface TruthFrame { file: string; kind: 'bias' | 'dark' | 'flat' | 'sci'; filter: string | null; exptime: number; object: string | null; date: string }
const truth = JSON.parse(readFileSync(`${dir}truth.json`, 'utf8')) as { gain: number; rn: number; size: number; nover: number; frames: TruthFrame[] };

function headerOf(file: string) {
  const bytes = readFileSync(`${dir}${file}`);
  return parseCardText(headerTextFromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
}

const described = truth.frames.map((t) => ({ truth: t, ...describeHeader(headerOf(t.file), undefined, t.file) }));

describe('sample night', () => {
  it('has all 27 files', () => {
    expect(described).toHaveLength(27);
  });

  it.each(described.map((d) => [d.truth.file, d] as const))('%s gets the right type, filter, exposure and date', (_file, d) => {
    const t = d.truth;
    expect(d.classification.type).toBe(t.kind === 'sci' ? 'science' : t.kind);
    expect(d.classification.keyword).toBe('IMAGETYP');
    expect(d.descriptors.filter).toBe(t.filter ?? undefined);
    expect(d.descriptors.exptime).toBe(t.exptime);
    expect(d.descriptors.dateObs).toBe(t.date);
    if (t.kind === 'sci') expect(d.descriptors.object).toBe(t.object);
    expect(d.descriptors).toMatchObject({
      gain: truth.gain, readNoise: truth.rn, night: '2026-03-13', binning: '1x1', instrument: 'SIMCAM',
      shape: `${truth.size + truth.nover}x${truth.size}`,
      biassec: `[${truth.size + 1}:${truth.size + truth.nover},1:${truth.size}]`, datasec: `[1:${truth.size},1:${truth.size}]`,
    });
    expect(d.descriptors.sources.gain).toBe('EGAIN');
  });

  it('selects the night with the select language', () => {
    const names = (expr: string) => {
      const f = compileSelect(expr);
      return described.filter((d) => f(d.row)).map((d) => d.truth.file);
    };
    expect(names('type == "flat" and filter == "R"')).toEqual(['raw0008.fits', 'raw0009.fits', 'raw0010.fits', 'raw0011.fits', 'raw0012.fits', 'raw0013.fits']);
    expect(names('type == "bias"')).toHaveLength(7);
    expect(names('object ~ "m6*" and exptime > 60 and filter in ("v")')).toEqual(['raw0024.fits', 'raw0025.fits', 'raw0026.fits', 'raw0027.fits']);
    expect(names('date_obs >= "2026-03-14T01:25" or file ~ "raw000[1-2]*"')).toEqual(['raw0001.fits', 'raw0002.fits', 'raw0026.fits', 'raw0027.fits']);
  });
});
