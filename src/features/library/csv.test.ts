import { describe, expect, it } from 'vitest';
import { rowsToCsv } from './csv';
import type { LibraryRow } from './rows';

const row: LibraryRow = {
  id: 'abc', name: 'a,"b".fits', path: '', type: 'flat', typeClass: 'flat', tagSource: 'auto', tagReason: "IMAGETYP = 'Flat Field'", tagKeyword: "IMAGETYP = 'Flat Field'",
  filter: 'R', exptime: 1.5, date_obs: '2024-01-01T00:00:00', night: '2023-12-31', binning: '1x1',
  object: '=HYPERLINK("x")', instrument: 'Cam', detector: '', size: 123456789, shape: '10×10',
  median: 1234.56789012, sigma: NaN, saturated: 0, fwhm: undefined, sky: undefined, stale: false, status: 'ok', message: 'line1\nline2',
};

describe('rowsToCsv', () => {
  it('writes the header row and quotes what needs quoting', () => {
    const csv = rowsToCsv([row]);
    const [header, line] = csv.split('\r\n');
    expect(header.split(',')).toEqual(expect.arrayContaining(['name', 'type', 'filter', 'exptime', 'date_obs', 'binning', 'object', 'median', 'status', 'message']));
    expect(line.startsWith('"a,""b"".fits",')).toBe(true);
    expect(line).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(line).toContain('1234.5679');
    expect(line).toContain(',123456789,');
    // The shape in plain ASCII, whatever the view shows.
    expect(line).toContain(',10x10,');
    expect(csv).toContain('"line1\nline2"');
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
