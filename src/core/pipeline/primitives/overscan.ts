/**
 * overscanCorrect and trimData: the bias level read from the overscan strip,
 * then the strip and any other non-data columns cut away (DRAGONS'
 * overscanCorrect / trimData; ccdproc's subtract_overscan / trim_image).
 */
import { overscanLevels, subtractLevels } from '../../kernels/overscan';
import { moveSaturation } from './saturation';

type Levels = ReturnType<typeof overscanLevels>;
import type { Frame } from '../../kernels/frame';
import { parseSection, trim } from '../../kernels/section';
import { robustSigma } from '../../kernels/stats';
import { cardValue, deleteCards, setCard, cardNumber } from '../cards';
import { lookup } from '../astroFrame';
import { choice, num, param, type FramePrimitive } from '../primitive';
import { give } from '../../kernels/scratch';
import { cfaPattern, movedPattern, rowsTopDown, trimOrigin } from './cfa';

type FitFunction = 'auto' | 'spline' | 'poly' | 'none';

/**
 * 'auto' fits the spline and keeps it when the levels scatter about it no
 * more than a line's median scatters from noise alone (then the fit is the
 * better estimate: it averages the noise of many lines). When they scatter
 * more, the overscan has real line-to-line structure (pickup, a jumping
 * level) that a smooth model would leave in the data, so each line keeps its
 * own level, as ccdproc does.
 */
const STRUCTURE_RATIO = 1.5;

export const overscanCorrect: FramePrimitive = {
  kind: 'frame',
  name: 'overscanCorrect',
  doc: 'Subtracts the bias level of each line, read from the overscan strip (BIASSEC) and optionally smoothed by a fit across lines.',
  params: [
    param('function', 'choice', 'auto', 'Model across lines: auto (spline unless the lines show real structure), spline, poly (Chebyshev), none (each line its own level)', { choices: ['auto', 'spline', 'poly', 'none'] }),
    param('order', 'integer', 6, 'Spline pieces, or polynomial degree', { min: 0, max: 100 }),
    param('collapse', 'choice', 'median', 'How each line of the strip becomes one number', { choices: ['median', 'mean'] }),
    param('lsigma', 'number', 3, 'Lines more than this many sigma below the fit are rejected', { min: 0 }),
    param('hsigma', 'number', 3, 'Lines more than this many sigma above the fit are rejected', { min: 0 }),
    param('niter', 'integer', 2, 'Rejection iterations of the fit', { min: 0, max: 20 }),
    param('nbiascontam', 'integer', 0, 'Strip columns (or rows) next to the data to ignore: charge bleeding from the last data column', { min: 0 }),
    param('biassec', 'string', null, 'Overscan section in FITS form [x1:x2,y1:y2]; empty = BIASSEC from the header', { nullable: true, format: 'section' }),
  ],
  run(frame, p, ctx) {
    const fn = choice<FitFunction>(p, 'function');
    let done = 0;
    for (const [k, ext] of frame.exts.entries()) {
      const h = lookup(frame, k);
      const sec = (p.biassec as string | null) ?? h.str('BIASSEC')?.value;
      if (!sec) continue;
      const f = ext.data;
      const common = {
        biassec: sec,
        datasec: h.str('DATASEC')?.value,
        nbiascontam: num(p, 'nbiascontam'),
        collapse: choice<'median' | 'mean'>(p, 'collapse'),
        lsigma: num(p, 'lsigma'),
        hsigma: num(p, 'hsigma'),
        niter: num(p, 'niter'),
      };
      const chosen: 'spline' | 'poly' | 'none' = fn === 'auto' ? 'spline' : fn;
      // Levels and model first; the frame is changed once, by what was decided.
      const res = overscanLevels(f, { ...common, function: chosen, order: num(p, 'order') });
      let how = chosen === 'none' ? 'each line its own level' : `${chosen} fit`;
      let subtract = res.model;
      if (fn === 'auto') {
        const judged = judgeStructure(f, res, common.collapse);
        if (judged.structured) {
          subtract = lineLevels(res);
          how = 'each line its own level';
        }
        how += ` (auto: levels scatter ${judged.rms.toFixed(2)} ADU about a smooth fit; noise alone gives ${judged.expected.toFixed(2)})`;
      }
      subtractLevels(f, res.orientation, subtract, f);
      if (fn === 'auto') ctx.used('function', subtract === res.model ? chosen : 'none');
      if (p.biassec === null) ctx.used('biassec', sec);
      // A saturated pixel now reads the saturation level less its line's level: at least less the highest.
      let top = -Infinity;
      for (let i = 0; i < subtract.length; i++) if (subtract[i] > top) top = subtract[i];
      if (top > -Infinity) moveSaturation(frame, k, (s) => s - top);
      setCard(ext.header, 'OVERSCAN', round(res.mean, 3), 'mean overscan level subtracted, ADU');
      setCard(ext.header, 'OVERRMS', round(res.rms, 3), 'rms of the overscan levels about the model, ADU');
      ctx.log(`ext ${ext.extver}: overscan ${sec} by ${res.orientation}, ${how}, mean level ${res.mean.toFixed(2)} ADU`);
      done++;
    }
    if (done === 0) {
      const src = p.biassec === null ? 'no BIASSEC in the header' : 'no overscan section';
      return { skipped: `${src}: overscan not subtracted` };
    }
    if (done < frame.exts.length) ctx.warn(`${frame.exts.length - done} of ${frame.exts.length} extensions have no BIASSEC: their overscan was not subtracted`);
    else frame.meta.levelRemoved ??= 'overscan';
  },
};

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}

/**
 * Do the overscan levels vary from line to line by more than noise? The
 * expected scatter of one line's level is the strip's pixel noise (about each
 * line's own level) over sqrt(pixels per line), times 1.2533 for a median.
 */
function judgeStructure(f: Frame, res: Levels, collapse: 'median' | 'mean'): { structured: boolean; rms: number; expected: number } {
  const s = res.strip;
  const byColumns = res.orientation === 'columns';
  const across = byColumns ? s.x1 - s.x0 : s.y1 - s.y0;
  const resid = new Float32Array((s.x1 - s.x0) * (s.y1 - s.y0));
  let n = 0;
  for (let y = s.y0; y < s.y1; y++) {
    for (let x = s.x0; x < s.x1; x++) {
      const v = f.sci[y * f.width + x] - res.levels[byColumns ? y : x];
      if (v - v === 0) resid[n++] = v;
    }
  }
  const pix = robustSigma(resid.subarray(0, n));
  const expected = ((collapse === 'median' ? 1.2533 : 1) * pix) / Math.sqrt(Math.max(1, across));
  return { structured: res.rms > STRUCTURE_RATIO * expected, rms: res.rms, expected };
}

/** Each line's own level; a line whose strip had no good pixel keeps the model. */
function lineLevels(res: Levels): Float64Array {
  return res.levels.map((lv, i) => (lv - lv === 0 ? lv : res.model[i]));
}

/** Section keywords and WCS reference pixels shift when the image is cut. */
function shiftReference(header: Parameters<typeof setCard>[0], dx: number, dy: number): void {
  for (const [key, d] of [['CRPIX1', dx], ['CRPIX2', dy]] as const) {
    const v = cardNumber(header, key);
    if (v !== undefined) setCard(header, key, v - d);
  }
  // IRAF's LTV maps physical to logical pixels: logical = physical + LTV.
  for (const [key, d] of [['LTV1', dx], ['LTV2', dy]] as const) {
    setCard(header, key, (cardNumber(header, key) ?? 0) - d, 'physical-to-image offset (IRAF)');
  }
}

export const trimData: FramePrimitive = {
  kind: 'frame',
  name: 'trimData',
  doc: 'Cuts the frame to its data section (TRIMSEC when the header has one, else DATASEC), dropping the overscan.',
  params: [
    param('section', 'string', null, 'Section to keep, FITS form [x1:x2,y1:y2]; empty = TRIMSEC, else DATASEC from the header', { nullable: true, format: 'section' }),
  ],
  run(frame, p, ctx) {
    let done = 0;
    for (const [k, ext] of frame.exts.entries()) {
      const h = lookup(frame, k);
      const hit = p.section !== null ? { key: 'section', value: p.section as string } : h.str('TRIMSEC') ?? h.str('DATASEC');
      if (!hit) continue;
      const f = ext.data;
      const sec = parseSection(hit.value, f.width, f.height);
      if (p.section === null) ctx.used('section', hit.value);
      if (sec.x0 === 0 && sec.y0 === 0 && sec.x1 === f.width && sec.y1 === f.height && !sec.flipX && !sec.flipY) {
        done++;
        continue;
      }
      ext.data = trim(f, sec);
      // The untrimmed planes are this frame's alone (a run's frames own their planes): back to the pool.
      give(f.sci, f.var, f.dq);
      // A colour mosaic cut at an odd pixel (or flipped) starts on another colour: say which.
      const pattern = cfaPattern(frame.primary, ext.header);
      if (pattern) {
        const { px, py } = trimOrigin(sec, f.height, rowsTopDown(frame.primary, ext.header));
        const moved = movedPattern(pattern, px, py);
        if (moved !== pattern) {
          const comment = `colour mosaic after trimming (was ${pattern})`;
          for (const cards of frame.exts.length === 1 ? [ext.header, frame.primary] : [ext.header]) {
            setCard(cards, 'BAYERPAT', moved, comment);
            if (typeof cardValue(cards, 'COLORTYP') === 'string') setCard(cards, 'COLORTYP', moved, comment);
          }
        }
      }
      shiftReference(ext.header, sec.x0, sec.y0);
      deleteCards(ext.header, ['BIASSEC', 'TRIMSEC']);
      setCard(ext.header, 'DATASEC', `[1:${ext.data.width},1:${ext.data.height}]`, 'data section after trimming');
      ctx.log(`ext ${ext.extver}: trimmed to ${hit.key} ${hit.value} (${ext.data.width}x${ext.data.height})`);
      done++;
    }
    if (done === 0) return { skipped: 'no TRIMSEC or DATASEC in the header: frame kept whole' };
    // Sections a multi-extension file left in its primary header describe pixels that are gone.
    deleteCards(frame.primary, ['BIASSEC', 'TRIMSEC', 'DATASEC']);
  },
};
