/** Column definitions of the library table. */
import { createColumnHelper, type FilterFn } from '@tanstack/react-table';
import type { LibraryRow } from './rows';
import { formatBytes, formatDate, formatNumber } from './format';

const col = createColumnHelper<LibraryRow>();

/** Column filter: case-insensitive substring on text; on numbers a comparison like ">30" or "=0" or a range "10..60". */
export const textOrRange: FilterFn<LibraryRow> = (row, columnId, filterValue: string) => {
  const q = filterValue.trim();
  if (!q) return true;
  const v = row.getValue<unknown>(columnId);
  if (typeof v === 'number' || v === undefined) {
    const num = v as number | undefined;
    const range = /^(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)$/.exec(q);
    if (range) return num !== undefined && num >= +range[1] && num <= +range[2];
    const cmp = /^(<=|>=|<|>|=)?\s*(-?[\d.]+(?:e-?\d+)?)$/i.exec(q);
    if (cmp && num !== undefined) {
      const x = +cmp[2];
      switch (cmp[1]) {
        case '<': return num < x;
        case '<=': return num <= x;
        case '>': return num > x;
        case '>=': return num >= x;
        default: return num === x;
      }
    }
    return false;
  }
  return String(v ?? '').toLowerCase().includes(q.toLowerCase());
};

const TYPE_ORDER: Record<string, number> = {
  bias: 0, dark: 1, flat: 2, science: 3, 'master bias': 4, 'master dark': 5, 'master flat': 6, reduced: 7, stack: 8, unclassified: 9,
};

/**
 * Widths: with names of up to ~20 characters every column but Night (shown
 * when grouping by night) fits a 1440-pixel window; longer names widen the
 * Name column and push the last columns behind a horizontal scroll, never
 * Status. Longer texts end in an ellipsis, whole in their tooltip.
 */
export const columns = [
  // Sized by the page to the longest name (FileTable's nameColumnWidth, 174-364 px).
  col.accessor('name', { header: 'Name', size: 174, enableGrouping: false }),
  col.accessor('type', {
    header: 'Type',
    size: 96,
    sortingFn: (a, b) => (TYPE_ORDER[a.original.type] ?? 9) - (TYPE_ORDER[b.original.type] ?? 9),
  }),
  // Beside the name and type: a file's errors and warnings show whatever the width of the window.
  col.accessor('status', { header: 'Status', size: 140, enableGrouping: false }),
  col.accessor('tagKeyword', { header: 'Decided by', size: 180, enableGrouping: false }),
  col.accessor('filter', { header: 'Filter', size: 54 }),
  col.accessor('exptime', { header: 'Exp (s)', size: 60, cell: (c) => formatNumber(c.getValue(), 2), sortUndefined: 'last' }),
  col.accessor('date_obs', { header: 'Date/time (UTC)', size: 160, cell: (c) => formatDate(c.getValue()) }),
  col.accessor('night', { header: 'Night', size: 92 }),
  col.accessor('binning', { header: 'Bin', size: 38 }),
  col.accessor('object', { header: 'Object', size: 76 }),
  col.accessor('instrument', { header: 'Instrument', size: 88 }),
  col.accessor('shape', { header: 'Shape', size: 82, enableGrouping: false }),
  col.accessor('size', { header: 'Size', size: 62, cell: (c) => formatBytes(c.getValue()), enableGrouping: false }),
  col.accessor('median', { header: 'Median', size: 68, cell: (c) => formatNumber(c.getValue(), 1), sortUndefined: 'last', enableGrouping: false }),
  col.accessor('fwhm', { header: 'FWHM', size: 54, cell: (c) => formatNumber(c.getValue(), 2), sortUndefined: 'last', enableGrouping: false }),
  col.accessor('sky', { header: 'Sky', size: 58, cell: (c) => formatNumber(c.getValue(), 1), sortUndefined: 'last', enableGrouping: false }),
];
