/** The inspector's state: what the readout may show after the frame on screen changes. */
import { beforeEach, describe, expect, it } from 'vitest';
import { alignedView, fittedView, isFitted, useInspector, type Cursor } from './store';

const s = () => useInspector.getState();
const cursorOn = (fileId: string): Cursor => ({ fileId, x: 252.3, y: 141.2, ix: 252, iy: 141 });

describe('inspector store: the readout and the frame on screen', () => {
  beforeEach(() => {
    useInspector.setState({ frames: [], current: undefined, cursor: undefined, layout: 'single' });
    s().add([{ fileId: 'stack', name: 'stack.fits' }, { fileId: 'member', name: 'member.fits' }], 'stack');
  });

  it('a new layout drops a readout of a frame that is not the current one', () => {
    s().setLayout('blink');
    s().step(1);
    s().setCursor(cursorOn('member'));
    s().step(1); // back to the stack: the blink keeps the readout, which names its frame
    expect(s().cursor?.fileId).toBe('member');
    s().setLayout('single');
    expect(s().current).toBe('stack');
    expect(s().cursor).toBeUndefined();
  });

  it('keeps the readout of the current frame', () => {
    s().setCursor(cursorOn('stack'));
    s().setLayout('tile');
    expect(s().cursor?.fileId).toBe('stack');
  });

  it('selecting another frame drops the readout of the one left', () => {
    s().setCursor(cursorOn('stack'));
    s().select('member');
    expect(s().cursor).toBeUndefined();
  });
});

describe('inspector store: fitted views', () => {
  it('a fitted view stays fitted once aligned onto another frame, so its pane refits it', () => {
    const fitted = fittedView({ width: 256, height: 256 }, { width: 700, height: 700 });
    const offsets = new Map([['a', { dx: 0, dy: 0 }], ['b', { dx: 11.4, dy: -8 }]]);
    const aligned = alignedView(fitted, 'a', 'b', offsets);
    expect(aligned).not.toBe(fitted);
    expect(aligned.cx - fitted.cx).toBeCloseTo(11.4, 12);
    expect(isFitted(aligned)).toBe(true);
    // A view the user moved is not.
    expect(isFitted(alignedView({ ...fitted, zoom: 4 }, 'a', 'b', offsets))).toBe(false);
  });
});
