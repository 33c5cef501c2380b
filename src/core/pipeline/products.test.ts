/** The product's one-line description counts the frames it combined, not those it left out. */
import { describe, expect, it } from 'vitest';
import { madeFrom } from './products';

const ref = (id: string) => ({ id, name: `${id}.fits` });

describe('madeFrom', () => {
  it('counts every input when none was left out', () => {
    expect(madeFrom({ kind: 'bias', recipe: 'makeMasterBias', inputs: [ref('a'), ref('b')] })).toBe('master bias made by makeMasterBias from 2 frames');
    expect(madeFrom({ kind: 'reduced', recipe: 'reduceScience', inputs: [ref('a')], leftOut: [] })).toBe('reduced made by reduceScience from 1 frame');
  });

  it('says how many of the inputs were combined and how many left out', () => {
    const inputs = ['a', 'b', 'c', 'd', 'e', 'f'].map(ref);
    const leftOut = [{ id: 'f', name: 'f.fits', reason: '99% of pixels saturated' }];
    expect(madeFrom({ kind: 'flat', recipe: 'makeMasterFlat', inputs, leftOut })).toBe('master flat made by makeMasterFlat from 5 of 6 frames: 1 left out');
  });
});
