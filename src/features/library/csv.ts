/** CSV export of the library: one row per file, RFC 4180 quoting. */
import type { LibraryRow } from './rows';

export const CSV_COLUMNS: { key: keyof LibraryRow; header: string; text?: (v: unknown) => string }[] = [
  { key: 'name', header: 'name' },
  { key: 'path', header: 'path' },
  { key: 'type', header: 'type' },
  { key: 'tagReason', header: 'type_reason' },
  { key: 'filter', header: 'filter' },
  { key: 'exptime', header: 'exptime' },
  { key: 'date_obs', header: 'date_obs' },
  { key: 'night', header: 'night' },
  { key: 'binning', header: 'binning' },
  { key: 'object', header: 'object' },
  { key: 'instrument', header: 'instrument' },
  { key: 'detector', header: 'detector' },
  // 2048x2048 in plain ASCII: the view's '×' reads as 'Ã—' where a spreadsheet takes the file for Latin-1.
  { key: 'shape', header: 'shape', text: (v) => String(v ?? '').replace(/×/g, 'x') },
  { key: 'size', header: 'size_bytes' },
  { key: 'median', header: 'median' },
  { key: 'sigma', header: 'robust_sigma' },
  { key: 'saturated', header: 'saturated_fraction' },
  { key: 'fwhm', header: 'fwhm' },
  { key: 'sky', header: 'sky' },
  { key: 'status', header: 'status' },
  { key: 'message', header: 'message' },
  { key: 'id', header: 'sha256' },
];

/** Integers exactly (sizes, counts); other numbers to 8 significant digits, enough for any statistic here. */
function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(8)));
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'number' ? formatNumber(value) : String(value);
  // A header value starting with = + - @ would run as a formula in a spreadsheet (OWASP's CSV
  // injection rule): it is kept as text with a leading apostrophe, even for a harmless '-M31'.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function rowsToCsv(rows: LibraryRow[]): string {
  const lines = [CSV_COLUMNS.map((c) => c.header).join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => cell(c.text ? c.text(row[c.key]) : row[c.key])).join(','));
  return lines.join('\r\n') + '\r\n';
}
