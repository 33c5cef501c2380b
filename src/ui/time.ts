/**
 * Times as the workbench shows them: UTC, in ISO order, as observers log
 * them and as the frames' DATE-OBS are (never the browser's local zone, which
 * would differ between two people looking at the same products).
 */
const iso = (ms: number) => new Date(ms).toISOString();

/** 'YYYY-MM-DD'. */
export const isoDate = (ms: number): string => iso(ms).slice(0, 10);

/** 'YYYY-MM-DD hh:mm UTC'. */
export const isoMinute = (ms: number): string => `${iso(ms).slice(0, 16).replace('T', ' ')} UTC`;

/** 'YYYY-MM-DD hh:mm:ss UTC'. */
export const utcSeconds = (ms: number): string => `${iso(ms).slice(0, 19).replace('T', ' ')} UTC`;

/** 'hh:mm:ss', for a column that says UTC in its head and gives the date in its tooltip. */
export const utcTime = (ms: number): string => iso(ms).slice(11, 19);

