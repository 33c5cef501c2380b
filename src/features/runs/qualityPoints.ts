/**
 * The night-quality figures of every reduced frame (what detectSources
 * measured), with the frames a stack left out marked: the data of the chart.
 */
import type { FileRecord } from '../../db/types';

export interface QualityPoint {
  /** The reduced product's id (a click shows it in the library). */
  id: string;
  name: string;
  time: number;
  filter: string;
  fwhm: number;
  sky: number;
  skyNoise: number;
  /** Unit of sky and sky noise (the product's BUNIT: electron after ADUToElectrons). */
  unit?: string;
  /** Why a stack left it out, if one did. */
  leftOut?: string;
}

export function qualityPoints(products: readonly FileRecord[]): QualityPoint[] {
  const leftOut = new Map<string, string>();
  for (const p of products) {
    if (p.product?.kind !== 'stack') continue;
    for (const l of p.product.leftOut ?? []) leftOut.set(l.id, l.reason);
  }
  return products
    .filter((p) => p.product?.kind === 'reduced' && p.product.quality && p.product.time !== undefined)
    .map((p) => ({
      id: p.id,
      name: p.name,
      time: p.product!.time!,
      filter: p.product!.filter ?? 'no filter',
      fwhm: p.product!.quality!.fwhm,
      sky: p.product!.quality!.sky,
      skyNoise: p.product!.quality!.skyNoise,
      unit: p.product!.bunit,
      leftOut: leftOut.get(p.id),
    }))
    .sort((a, b) => a.time - b.time);
}

/**
 * The same points: the same products in the same order, each left out of a
 * stack or not for the same reason. The rest of a point is its product's,
 * which a product never changes (a run remaking it makes a new one). The
 * products' live query answers anew after every change of the files (a
 * master published, a file added), where the points rarely change.
 */
export function samePoints(a: readonly QualityPoint[], b: readonly QualityPoint[]): boolean {
  return a.length === b.length && a.every((p, k) => p.id === b[k].id && p.leftOut === b[k].leftOut);
}

/** The unit every point's sky is in, for the axis titles; undefined when they differ or none is known. */
export function commonUnit(points: readonly QualityPoint[]): string | undefined {
  const units = new Set(points.map((p) => p.unit));
  const [only] = units;
  if (units.size !== 1 || !only || only === 'none') return undefined;
  return only === 'electron' ? 'e⁻' : only === 'adu' ? 'ADU' : only;
}
