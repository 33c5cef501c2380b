/**
 * Scale functions as SAOImage DS9 defines them (and JS9 after it): each maps
 * x = (value - low) / (high - low), clipped to [0, 1], to a display fraction
 * y in [0, 1], which then picks a colour.
 *
 *   linear   y = x
 *   log      y = log10(a x + 1) / log10(a)      a = exponent, DS9 default 1000
 *   pow      y = (a^x - 1) / a                  (DS9 "pow"; same a)
 *   sqrt     y = sqrt(x)
 *   squared  y = x^2
 *   asinh    y = asinh(10 x) / 3
 *   sinh     y = sinh(3 x) / 10
 *   histequ  y = fraction of the pixels within the limits that are <= value
 *              (histogram equalization: needs the frame's distribution,
 *              see histequ.ts; not a closed form)
 *
 * DS9's asinh and sinh reach slightly more than 1 at x = 1 (0.9979 and
 * 1.0018); like DS9 the colour index is clipped, so the ends are kept.
 */

export const SCALE_NAMES = ['linear', 'log', 'pow', 'sqrt', 'squared', 'asinh', 'sinh', 'histequ'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export const SCALE_LABELS: Record<ScaleName, string> = {
  linear: 'linear',
  log: 'log',
  pow: 'power',
  sqrt: 'sqrt',
  squared: 'squared',
  asinh: 'asinh',
  sinh: 'sinh',
  histequ: 'histequ',
};

/** DS9's default exponent of the log and pow scales. */
export const DEFAULT_EXPONENT = 1000;

export function isScaleName(name: string): name is ScaleName {
  return (SCALE_NAMES as readonly string[]).includes(name);
}

/** y for x in [0, 1]; histequ has no closed form and is the identity here (see histequ.ts). */
export function scaleForward(name: ScaleName, x: number, exponent = DEFAULT_EXPONENT): number {
  switch (name) {
    case 'linear':
    case 'histequ':
      return x;
    case 'log':
      return Math.log(exponent * x + 1) / Math.log(exponent);
    case 'pow':
      return (Math.pow(exponent, x) - 1) / exponent;
    case 'sqrt':
      return Math.sqrt(x);
    case 'squared':
      return x * x;
    case 'asinh':
      return Math.asinh(10 * x) / 3;
    case 'sinh':
      return Math.sinh(3 * x) / 10;
  }
}

/** x for a display fraction y: where the colorbar puts its value labels. */
export function scaleInverse(name: ScaleName, y: number, exponent = DEFAULT_EXPONENT): number {
  switch (name) {
    case 'linear':
    case 'histequ':
      return y;
    case 'log':
      return (Math.pow(exponent, y) - 1) / exponent;
    case 'pow':
      return Math.log(exponent * y + 1) / Math.log(exponent);
    case 'sqrt':
      return y * y;
    case 'squared':
      return Math.sqrt(Math.max(0, y));
    case 'asinh':
      return Math.sinh(3 * y) / 10;
    case 'sinh':
      return Math.asinh(10 * y) / 3;
  }
}
