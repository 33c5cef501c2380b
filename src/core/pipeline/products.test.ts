/** The product's one-line description counts the frames it combined, not those it left out. */
import { describe, expect, it } from 'vitest';
import { framesUsed, madeFrom, warningsBesidesLeftOut } from './products';

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

  it('counts a stack\'s frame that was never reduced (left out, not an input) among the planned ones', () => {
    const inputs = ['a', 'b', 'c'].map(ref);
    const leftOut = [{ id: 'reduce|d', name: 'd_reduced.fits', reason: 'not reduced: failed' }];
    expect(framesUsed({ inputs, leftOut })).toEqual({ used: 3, planned: 4 });
    expect(madeFrom({ kind: 'stack', recipe: 'stackScience', inputs, leftOut })).toBe('stack made by stackScience from 3 of 4 frames: 1 left out');
  });
});

describe('warningsBesidesLeftOut', () => {
  it('drops the warnings that only say a left-out frame and its reason, as the engine words them, and keeps the rest', () => {
    const leftOut = [{ ...ref('f6'), reason: '97% of pixels saturated (more than 50% allowed)' }, { ...ref('s3'), reason: 'did not register (2 stars matched)' }];
    const warnings = [
      'f6.fits refused: 97% of pixels saturated (more than 50% allowed)',
      's3.fits left out: did not register (2 stars matched)',
      // Another frame's, or another reason of the same frame: kept.
      'f5.fits refused: too faint',
      'extension 1: no gain in the header (GAIN/EGAIN) and none given: the pixels stay in ADU (x5)',
    ];
    expect(warningsBesidesLeftOut({ warnings, leftOut })).toEqual(warnings.slice(2));
    expect(warningsBesidesLeftOut({ leftOut })).toEqual([]);
  });
});
