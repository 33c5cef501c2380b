import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_FIELDS } from './fields';
import { compileSelect, SelectError } from './select';

const rows = [
  { file: 'a.fits', type: 'flat', filter: 'R', exptime: 5, object: 'FLAT', binning: '1x1', date_obs: '2024-03-01T18:00:00' },
  { file: 'b.fits', type: 'flat', filter: 'g', exptime: 4, object: 'FLAT', binning: '2x2', date_obs: '2024-02-28T18:00:00' },
  { file: 'c.fits', type: 'science', filter: 'r', exptime: 120, object: 'M 31', binning: '1x1', date_obs: '2024-03-02T01:00:00' },
  { file: 'd.fits', type: 'science', filter: 'g', exptime: 30, object: 'NGC 7331', binning: '2x2', date_obs: '2024-03-02T02:00:00' },
  { file: 'e.fits', type: 'bias', exptime: 0, object: '', binning: '1x1', date_obs: '2024-03-01T17:00:00' },
  { file: 'f.fits', type: 'science', filter: 'R', exptime: 60, object: 'ngc 891', binning: '1x1' },
];

function pick(expr: string): string[] {
  const f = compileSelect(expr);
  return rows.filter((r) => f(r)).map((r) => r.file[0]);
}

describe('compileSelect: the language', () => {
  it('compares strings ignoring case', () => {
    expect(pick('type == "flat" and filter == "R"')).toEqual(['a']);
    expect(pick("filter == 'r'")).toEqual(['a', 'c', 'f']);
    expect(pick('TYPE = "FLAT"')).toEqual(['a', 'b']);
  });

  it('gives and precedence over or, and not over and', () => {
    expect(pick('exptime > 30 or object != "M 31"')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(pick('type == "bias" or type == "flat" and filter == "g"')).toEqual(['b', 'e']);
    expect(pick('(type == "bias" or type == "flat") and filter == "g"')).toEqual(['b']);
    expect(pick('not type == "science" and exptime > 1')).toEqual(['a', 'b']);
    expect(pick('not (binning == "2x2")')).toEqual(['a', 'c', 'e', 'f']);
    expect(pick('not not binning == "2x2"')).toEqual(['b', 'd']);
  });

  it('supports in, not in, glob, and numeric comparisons', () => {
    expect(pick('filter in ("g", "r")')).toEqual(['a', 'b', 'c', 'd', 'f']);
    expect(pick('filter not in ("g", "r")')).toEqual(['e']);
    expect(pick('object ~ "NGC*"')).toEqual(['d', 'f']);
    expect(pick('object ~ "m ?1"')).toEqual(['c']);
    expect(pick('object ~ "[mn]*"')).toEqual(['c', 'd', 'f']);
    expect(pick('object !~ "*flat*" and type != "bias"')).toEqual(['c', 'd', 'f']);
    expect(pick('exptime >= 30 and exptime < 120')).toEqual(['d', 'f']);
    expect(pick('exptime == 0')).toEqual(['e']);
    expect(pick('exptime <= -1')).toEqual([]);
    expect(pick('exptime == "120"')).toEqual(['c']); // numeric text against a number compares as numbers
    expect(pick('exptime in (4, 5.0)')).toEqual(['a', 'b']);
  });

  it('compares ISO dates as text', () => {
    expect(pick('date_obs >= "2024-03-01"')).toEqual(['a', 'c', 'd', 'e']);
    expect(pick('date_obs < "2024-03-01T17:30"')).toEqual(['b', 'e']);
    expect(pick('DATE-OBS >= "2024-03-02"')).toEqual(['c', 'd']); // FITS spelling of the field works too
  });

  it('treats a missing value as failing everything but the negations', () => {
    expect(pick('filter == "R" or filter != "R"')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(pick('filter != "g"')).toEqual(['a', 'c', 'e', 'f']);
    expect(pick('date_obs < "9999"')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pick('binning == 2')).toEqual([]); // '2x2' is not the number 2
  });

  it('selects everything for an empty expression and accepts && || !', () => {
    expect(pick('   ')).toHaveLength(6);
    expect(pick('type == "flat" && (filter == "g" || exptime > 4)')).toEqual(['a', 'b']);
    expect(pick('!(type == "flat")')).toEqual(['c', 'd', 'e', 'f']);
  });

  it('reads escapes in strings', () => {
    const f = compileSelect('object == "say \\"hi\\""', ['object']);
    expect(f({ object: 'say "hi"' })).toBe(true);
    expect(compileSelect("object == 'it''s'", ['object'])({ object: "it's" })).toBe(true);
    expect(compileSelect("object == 'it\\'s'", ['object'])({ object: "it's" })).toBe(true);
  });

  it('checks fields against the list it is given', () => {
    expect(compileSelect('foo > 1', ['foo'])({ foo: 2 })).toBe(true);
    expect(() => compileSelect('filter == "R"', ['foo'])).toThrow(SelectError);
    expect(DESCRIPTOR_FIELDS.map((f) => f.name)).toEqual(expect.arrayContaining([
      'type', 'filter', 'exptime', 'date_obs', 'night', 'binning', 'object', 'instrument', 'detector', 'gain', 'rdnoise', 'readout', 'shape',
      'disperser', 'slit', 'obsmode',
    ]));
    expect(compileSelect('disperser !~ "MIRROR" and slit == "1.0arcsec"')({ disperser: 'R400+_G5325', slit: '1.0arcsec' })).toBe(true);
    expect(compileSelect('obsmode == "IMAGE"')({ obsmode: 'image' })).toBe(true);
  });
});

describe('compileSelect: errors point at the problem', () => {
  function err(expr: string): SelectError {
    try {
      compileSelect(expr);
    } catch (e) {
      if (e instanceof SelectError) return e;
      throw e;
    }
    throw new Error(`no error for ${expr}`);
  }

  it('names an unknown field, suggests the closest, and lists the known ones', () => {
    const e = err('type == "flat" and fitler == "R"');
    expect(e.position).toBe(19);
    expect(e.message).toContain("unknown field 'fitler'; did you mean 'filter'?");
    expect(e.message).toContain('Known fields: file, type, filter');
    expect(e.message).toContain('(at column 20)');
    expect(e.pointer).toBe('type == "flat" and fitler == "R"\n                   ^');
    expect(err('zzzzzzzz == 1').message).not.toContain('did you mean');
  });

  it('explains unquoted text, missing operators and values', () => {
    expect(err('filter == R')).toMatchObject({ position: 10 });
    expect(err('filter == R').message).toContain('put text in quotes, e.g. "R"');
    expect(err('binning == 2x2').message).toContain("'2x2' is neither a number nor a field name");
    expect(err('filter "R"').message).toContain("expected an operator (==, !=, <, <=, >, >=, ~, in) after field 'filter'");
    expect(err('exptime >').message).toContain('the end of the expression');
    expect(err('"R" == filter').message).toContain('expected a field name, found the value "R"');
  });

  it('reports unbalanced parentheses and quotes, and stray tokens', () => {
    expect(err('(type == "flat"')).toMatchObject({ position: 15 });
    expect(err('(type == "flat"').message).toContain("expected ')' to close the '(' at column 1");
    expect(err('type == "flat")').message).toContain("')' without a matching '('");
    expect(err('type == "flat').message).toContain('has no closing "');
    expect(err('type == "flat" filter == "R"').message).toContain("join conditions with 'and' or 'or'");
    expect(err('type == "flat" and').message).toContain('ends too early');
    expect(err('type == "flat" $').message).toContain("unexpected character '$'");
  });

  it('checks the shape of in-lists and glob patterns', () => {
    expect(err('filter in "g"').message).toContain("expected '(' after 'in'");
    expect(err('filter in ("g" "r")').message).toContain("expected ',' or ')'");
    expect(err('filter in ()').position).toBe(11);
    expect(err('exptime ~ 3').message).toContain('pattern must be quoted text');
  });
});
