/** The library's rows: an input a product left out says so, with the product and the reason. */
import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../db/types';
import { leftOutOf } from './rows';

const product = (name: string, leftOut: { id: string; name: string; reason: string }[]) =>
  ({ id: `p-${name}`, name, product: { leftOut } }) as unknown as FileRecord;

describe('leftOutOf', () => {
  it('names the product that left each input out, and why', () => {
    const files = [
      product('raw0008_flat.fits', [{ id: 'f13', name: 'raw0013.fits', reason: '99% of pixels saturated' }]),
      product('raw0020_stack.fits', []),
      { id: 'f13', name: 'raw0013.fits' } as FileRecord,
    ];
    expect([...leftOutOf(files)]).toEqual([['f13', 'left out of raw0008_flat.fits: 99% of pixels saturated']]);
  });
});
