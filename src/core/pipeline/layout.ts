/**
 * How a frame written by the pipeline is laid out as FITS, shared by every
 * store so a product reads the same from IndexedDB, from a file and from
 * the exported download: a primary HDU without data, then SCI, VAR, DQ for
 * extension 1, then for extension 2, ... (DRAGONS' layout). SCI and VAR are
 * float32, DQ uint16 (written as BITPIX 16 with BZERO 32768).
 */
import type { Card } from '../fits/types';
import type { FrameHeaders, NewFrame, PlaneKind } from './store';

export interface LayoutHdu {
  /** HDU index in the file (0 = primary). */
  index: number;
  extname: 'PRIMARY' | 'SCI' | 'VAR' | 'DQ';
  /** Index into NewFrame.exts; -1 for the primary. */
  ext: number;
  plane?: PlaneKind;
  extver?: number;
  width?: number;
  height?: number;
  bitpix: number;
  cards: Card[];
}

export function frameLayout(spec: NewFrame, headers?: FrameHeaders): LayoutHdu[] {
  const out: LayoutHdu[] = [{ index: 0, extname: 'PRIMARY', ext: -1, bitpix: 8, cards: headers?.primary ?? [] }];
  spec.exts.forEach((e, k) => {
    const sciCards = headers?.exts[k] ?? [];
    const bunit = sciCards.find((c) => c.key.toUpperCase() === 'BUNIT')?.value;
    const common = { ext: k, extver: e.extver, width: e.width, height: e.height };
    out.push({ index: out.length, extname: 'SCI', plane: 'sci', bitpix: -32, cards: [...sciCards, { key: 'EXTVER', value: e.extver }], ...common });
    if (e.var) {
      const unit = typeof bunit === 'string' ? bunit.trim() : '';
      const varUnit = { key: 'BUNIT', value: unit ? `(${unit})**2` : '', comment: unit ? 'variance of SCI' : 'variance of SCI, dimensionless' };
      // UTYPE: astropy's CCDData.read takes an uncertainty HDU without it for a standard deviation.
      const utype = { key: 'UTYPE', value: 'VarianceUncertainty', comment: 'this HDU is the variance of SCI' };
      out.push({ index: out.length, extname: 'VAR', plane: 'var', bitpix: -32, cards: [{ key: 'EXTVER', value: e.extver }, varUnit, utype], ...common });
    }
    if (e.dq) {
      out.push({
        index: out.length, extname: 'DQ', plane: 'dq', bitpix: 16, ...common,
        cards: [{ key: 'EXTVER', value: e.extver }, { key: 'COMMENT', value: null, comment: 'DQ bits: 1 bad, 2 non-linear, 4 saturated, 8 cosmic ray, 16 no data, 32 overlap, 64 unilluminated' }],
      });
    }
  });
  return out;
}

/** HDU index of one plane of one extension. */
export function planeHdu(layout: readonly LayoutHdu[], ext: number, plane: PlaneKind): number {
  const h = layout.find((l) => l.ext === ext && l.plane === plane);
  if (!h) throw new Error(`frame has no ${plane.toUpperCase()} plane for extension ${ext + 1}`);
  return h.index;
}
