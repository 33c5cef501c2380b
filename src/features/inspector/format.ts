/** Numbers as the inspector shows them: whole numbers whole, others to 6 significant digits, NaN named. */
export function formatValue(v: number | undefined): string {
  if (v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-4)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** A FITS section for a 0-based inclusive box: '[x1:x2,y1:y2]'. */
export function sectionOf(box: { x0: number; y0: number; x1: number; y1: number }): string {
  return `[${box.x0 + 1}:${box.x1 + 1},${box.y0 + 1}:${box.y1 + 1}]`;
}
