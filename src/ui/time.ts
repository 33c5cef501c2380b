/**
 * Times as the workbench shows them: UTC, in ISO order, as observers log
 * them and as the frames' DATE-OBS are (never the browser's local zone, which
 * would differ between two people looking at the same products).
 */

/** 'YYYY-MM-DD hh:mm:ss UTC'. */
export const utcSeconds = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** 'hh:mm:ss UTC', for a column whose date is in its tooltip. */
export const utcClock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;
