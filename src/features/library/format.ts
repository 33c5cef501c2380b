/** Number and size formatting for the library view. */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n < 10 && i > 0 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

export function formatNumber(v: number | undefined, digits = 1): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  if (Math.abs(v) >= 1e6) return v.toExponential(3);
  return v.toFixed(digits);
}

export function formatDate(iso: string): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d)\d*$/, '$1') : '';
}
