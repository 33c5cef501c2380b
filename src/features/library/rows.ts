/** The flat row the library table, the select language and the CSV export all share. */
import { messageBesideName } from '../../core/fileMessage';
import { DESCRIPTOR_FIELDS, descriptorRow } from '../../core/classify';
import type { FileRecord } from '../../db/types';
import { PRODUCT_LABEL } from '../../core/pipeline/products';

export interface LibraryRow {
  id: string;
  name: string;
  path: string;
  /** What the file is, in words: 'flat', 'master bias' (ours or another tool's), 'reduced', 'stack'. */
  type: string;
  /** The frame type behind it, for colours: bias, dark, flat, science, unclassified, or product. */
  typeClass: string;
  /** 'user' when the user's tag overrides the automatic one. */
  tagSource: 'auto' | 'user';
  /** Which keyword decided, e.g. IMAGETYP = 'Flat Field'. */
  tagReason: string;
  /** Short form for the table: `IMAGETYP = 'Flat Field'`, or who retagged. */
  tagKeyword: string;
  filter: string;
  exptime: number | undefined;
  date_obs: string;
  night: string;
  binning: string;
  object: string;
  instrument: string;
  detector: string;
  size: number;
  shape: string;
  median: number | undefined;
  sigma: number | undefined;
  /** Reduced frames: the pipeline's median star FWHM (px) and sky level. */
  fwhm: number | undefined;
  sky: number | undefined;
  /** A product whose inputs, calibrations or parameters changed since it was made. */
  stale: boolean;
  /** Left out of a product it was an input of (a flat the level check refused, a frame a stack rejected): which product, and why. */
  leftOut?: string;
  saturated: number | undefined;
  status: 'ok' | 'error';
  message: string;
}

/**
 * Why each input a product left out was left out, by the input's id ("left
 * out of raw0008_flat.fits: 99% of pixels saturated ..."): the library shows
 * it beside the file, which is fine as a file.
 */
export function leftOutOf(files: readonly FileRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  // An input two products left out (an old master and its remake) gets both reasons.
  for (const p of files) {
    for (const l of p.product?.leftOut ?? []) {
      const said = `left out of ${p.name}: ${l.reason}`;
      const before = out.get(l.id);
      out.set(l.id, before ? `${before}; ${said}` : said);
    }
  }
  return out;
}

export function toRow(f: FileRecord, stale = false, leftOut?: string): LibraryRow {
  const d = f.descriptors;
  const decision = f.user ?? f.auto;
  return {
    id: f.id,
    name: f.name,
    path: f.path,
    type: f.product ? PRODUCT_LABEL[f.product.kind] : decision.master ? `master ${decision.type}` : f.type,
    typeClass: f.product ? 'product' : f.type,
    tagSource: f.user ? 'user' : 'auto',
    tagReason: f.user
      ? `retagged by you (automatic: ${f.auto.type} — ${f.auto.reason})`
      : decision.master ? `${decision.reason}; ${decision.master.reason}` : decision.reason,
    tagKeyword: f.user
      ? 'retagged by you'
      : f.product
        ? `made by ${f.product.recipe}`
        : decision.master
          ? `${decision.master.keyword} = '${decision.master.value}'`
          : f.auto.keyword
        ? `${f.auto.keyword} = '${f.auto.value ?? ''}'`
        : f.status === 'error'
          ? 'unreadable file'
          : 'no type keyword',
    filter: d.filter ?? '',
    exptime: d.exptime,
    date_obs: d.dateObs ?? '',
    night: d.night ?? '',
    binning: d.binning ?? '',
    object: d.object ?? '',
    instrument: d.instrument ?? '',
    detector: d.detector ?? '',
    size: f.size,
    shape: f.width ? (f.depth > 1 ? `${f.width}×${f.height}×${f.depth}` : `${f.width}×${f.height}`) : '',
    median: f.stats?.median,
    sigma: f.stats?.robustSigma,
    fwhm: f.product?.quality?.fwhm,
    sky: f.product?.quality?.sky,
    stale,
    leftOut,
    saturated: f.stats?.saturatedFraction,
    status: f.status,
    // The row shows the name beside it.
    message: messageBesideName(f.name, f.message) ?? '',
  };
}

/** Extra fields of the library, beyond the header descriptors, that a selection expression can name. */
const LIBRARY_FIELDS = ['name', 'path', 'size', 'median', 'sigma', 'saturated', 'status', 'message', 'fwhm', 'sky', 'stale'];

/** Every field a selection expression can name (what DRAGONS calls descriptors): gain, rdnoise, ccd_temp, airmass... */
export const SELECT_FIELDS: string[] = [...new Set([...DESCRIPTOR_FIELDS.map((f) => f.name), ...LIBRARY_FIELDS])];

/** The row a selection expression sees: every descriptor, then the table's own values (effective type first of all). */
export function selectRow(f: FileRecord, row: LibraryRow): Record<string, unknown> {
  return { ...descriptorRow(f.descriptors, undefined, f.name), ...row };
}
