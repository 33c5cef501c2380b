/**
 * The command's library: every FITS file under a folder, described from its
 * headers the way the page's ingest describes a dropped file (same
 * classifier, same descriptors), without reading the pixels.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { classifyFrame, extractDescriptors } from '../src/core/classify';
import type { PlanFrame } from '../src/core/pipeline/facts';
import { fitsWarnings, openFits } from './fitsFile';

const FITS_NAME = /\.(fits|fit|fts)(\.gz|\.fz)?$|\.(fz|gz)$/i;

/** FITS files under `dir`, any depth, sorted by path. */
export function listFits(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && FITS_NAME.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** A file as the plan sees it; a file that cannot be read is an error entry naming the problem. */
export function describeFile(path: string, root: string): PlanFrame {
  const name = relative(root, path) || path;
  const folder = relative(root, dirname(path));
  const base = { id: path, name: path.split('/').pop() ?? name, folder, hdus: [], descriptors: { sources: {}, sourceHdu: {} } };
  try {
    const f = openFits(path, (p) => new Uint8Array(readFileSync(p)));
    const hdus = f.mode === 'rows' ? f.hdus : f.parsed.hdus;
    const image = hdus.findIndex((h) => h.isImage && h.naxis.length >= 2 && h.naxis.every((n) => n > 0));
    const primary = hdus[0].cards;
    const imageCards = image > 0 ? hdus[image].cards : undefined;
    const c = classifyFrame(primary, imageCards);
    const warnings = fitsWarnings(f);
    return {
      ...base,
      status: 'ok',
      // As a dropped file's note in the library: read, with what astropy would warn of.
      message: warnings.length ? warnings.join('; ') : undefined,
      type: c.type,
      master: c.master !== undefined,
      descriptors: extractDescriptors(primary, imageCards),
      hdus: hdus.map((h) => ({ isImage: h.isImage, naxis: h.naxis, extname: h.extname })),
      addedAt: statSync(path).mtimeMs,
    };
  } catch (err) {
    return { ...base, status: 'error', type: 'unclassified', message: err instanceof Error ? err.message : String(err) };
  }
}
