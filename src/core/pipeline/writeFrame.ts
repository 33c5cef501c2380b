/** Writing an in-memory frame through a store (a product or a run's scratch copy). */
import type { Card } from '../fits/types';
import type { AstroFrame } from './astroFrame';
import { setCard } from './cards';
import type { ProductInfo } from './products';
import type { FrameHeaders, NewFrame, PixelStore, ReadAgain } from './store';

export function newFrameOf(frame: AstroFrame, role: NewFrame['role'], name: string, readAgain?: ReadAgain): NewFrame {
  return {
    role,
    name,
    readAgain,
    exts: frame.exts.map((e) => ({ extver: e.extver, width: e.data.width, height: e.data.height, var: !!e.data.var, dq: !!e.data.dq })),
  };
}

/** Headers as the store writes them: BUNIT on every SCI extension. */
export function headersWithUnit(primary: Card[], exts: readonly Card[][], bunit: AstroFrame['bunit']): FrameHeaders {
  return {
    primary,
    exts: exts.map((e) => {
      const h = e.slice();
      // A ratio (a normalized flat) has no unit: BUNIT '' says so (astropy reads it as dimensionless,
      // and CCDData.read refuses a frame without BUNIT at all).
      setCard(h, 'BUNIT', bunit === 'none' ? '' : bunit, bunit === 'none' ? 'dimensionless (a ratio)' : undefined);
      return h;
    }),
  };
}

/** The frame's headers as the store writes them. */
export function frameHeadersOf(frame: AstroFrame): FrameHeaders {
  return headersWithUnit(frame.primary, frame.exts.map((e) => e.header), frame.bunit);
}

export async function writeFrame(
  store: PixelStore, role: NewFrame['role'], name: string, frame: AstroFrame, headers: FrameHeaders, info?: ProductInfo, readAgain?: ReadAgain,
): Promise<string> {
  const writer = await store.create(newFrameOf(frame, role, name, readAgain));
  try {
    for (const [k, e] of frame.exts.entries()) {
      await writer.writeRows(k, 'sci', 0, e.data.sci);
      if (e.data.var) await writer.writeRows(k, 'var', 0, e.data.var);
      if (e.data.dq) await writer.writeRows(k, 'dq', 0, e.data.dq);
    }
    return await writer.commit(headers, info);
  } catch (err) {
    await writer.discard();
    throw err;
  }
}
