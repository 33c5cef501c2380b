import { describe, expect, it } from 'vitest';
import { alignFrames, type AlignableFrame } from './alignment';
import { frameImages } from './frameImages';

const library: AlignableFrame[] = [
  { id: 'raw1', section: '[1:256,1:256]' },
  { id: 'raw2', section: '[5:260,3:258]' },
  { id: 'red1', product: { kind: 'reduced', inputs: [{ id: 'raw1' }] } },
  { id: 'red2', product: { kind: 'reduced', inputs: [{ id: 'raw2' }] } },
  { id: 'stack', product: { kind: 'stack', inputs: [{ id: 'red1' }, { id: 'red2' }], members: [{ id: 'red1', dx: 0, dy: 0 }, { id: 'red2', dx: -11.4, dy: 8 }] } },
];

describe('alignFrames', () => {
  it('places a stack, its members and their raw frames (shifted by the trimmed section)', () => {
    const a = alignFrames(['stack', 'red2', 'raw2', 'raw1'], library)!;
    expect(a.stack).toBe('stack');
    expect(a.offsets.get('stack')).toEqual({ dx: 0, dy: 0 });
    expect(a.offsets.get('red2')).toEqual({ dx: -11.4, dy: 8 });
    expect(a.offsets.get('raw2')!.dx).toBeCloseTo(-7.4, 12);
    expect(a.offsets.get('raw2')!.dy).toBe(10);
    expect(a.offsets.get('raw1')).toEqual({ dx: 0, dy: 0 });
  });
  it('needs two placed frames', () => {
    expect(alignFrames(['red2', 'elsewhere'], library)).toBeUndefined();
    expect(alignFrames(['red1', 'red2'], library)!.offsets.size).toBe(2);
  });
});

describe('frameImages', () => {
  it('groups SCI with its VAR and DQ; other image HDUs stand alone', () => {
    const img = (index: number, extname: string, naxis = [10, 8]) => ({ index, extname, naxis, isImage: true });
    const product = frameImages([{ index: 0, extname: 'PRIMARY', naxis: [], isImage: false }, img(1, 'SCI'), img(2, 'VAR'), img(3, 'DQ')]);
    expect(product).toEqual([{ index: 0, label: 'SCI', hdus: { sci: 1, var: 2, dq: 3 }, width: 10, height: 8, depth: 1 }]);
    const twoAmps = frameImages([img(0, 'PRIMARY', [0]), img(1, 'SCI'), img(2, 'VAR'), img(3, 'DQ'), img(4, 'SCI', [5, 8]), img(5, 'VAR', [5, 8])]);
    expect(twoAmps.map((i) => [i.label, i.hdus, i.width])).toEqual([['SCI 1', { sci: 1, var: 2, dq: 3 }, 10], ['SCI 2', { sci: 4, var: 5 }, 5]]);
    const raw = frameImages([img(0, 'PRIMARY', [10, 8, 3]), img(1, 'AMP2')]);
    expect(raw.map((i) => [i.label, i.depth])).toEqual([['[0] PRIMARY', 3], ['[1] AMP2', 1]]);
  });
});
