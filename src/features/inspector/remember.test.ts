/** The inspector's open frames, kept across a reload: what is kept, what is made safe, what comes back. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEEP_DELAY_MS, keepInspector, parseRemembered, REMEMBER_KEY, restoreInspector, snapshot, type KeyValueStore } from './remember';
import { DEFAULT_DISPLAY, useInspector } from './store';

const s = () => useInspector.getState();

class MemoryKv implements KeyValueStore {
  items = new Map<string, string>();
  writes = 0;
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.writes++;
    this.items.set(key, value);
  }
}

const reset = () => useInspector.setState({ frames: [], current: undefined, cursor: undefined, layout: 'single', blink: { playing: false, interval: 500 } });
/** Every id not starting with "gone" is in the library, under the name given here (or its own). */
const library = (names: Record<string, string> = {}) => async (ids: string[]) => new Map(ids.filter((id) => !id.startsWith('gone')).map((id) => [id, names[id] ?? `${id}.fits`]));

const ZSCALE = { kind: 'zscale' } as const;
const entry = (frame: Record<string, unknown>, layout = 'single') => JSON.stringify({
  frames: [{ fileId: 'a', name: 'a.fits', plane: 'sci', display: {}, limitsByPlane: { sci: ZSCALE, var: ZSCALE, dq: { kind: 'minmax' } }, ...frame }],
  current: 'a',
  layout,
});

describe('inspector session kept across a reload', () => {
  beforeEach(reset);
  afterEach(() => vi.useRealTimers());

  it('keeps the open frames, the one shown, the layout, planes and display, and brings them back in order', async () => {
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'a', name: 'a.fits' }, { fileId: 'b', name: 'b.fits' }, { fileId: 'c', name: 'c.fits' }], 'a');
    s().select('b');
    s().setPlane('dq');
    s().setDisplay({ colormap: 'heat', scale: 'log', exponent: 500, contrast: 2.5, bias: 0.3, invert: true });
    s().setLimits({ kind: 'user', low: 10, high: 500 });
    s().setLayout('tile');
    stop();
    const before = snapshot(s());

    reset();
    expect(await restoreInspector(library(), kv)).toBe(3);
    expect(snapshot(s())).toEqual(before);
    expect(s().frames.map((f) => f.fileId)).toEqual(['a', 'b', 'c']);
    expect(s().frames[1]).toMatchObject({ plane: 'dq', display: { colormap: 'heat', scale: 'log', exponent: 500, contrast: 2.5, bias: 0.3, invert: true }, limitsByPlane: { dq: { kind: 'user', low: 10, high: 500 } } });
    expect(s().frames[0].display).toEqual(DEFAULT_DISPLAY);
    // Not kept: where a frame was looked at (it fits its pane again).
    expect(s().frames.every((f) => f.view === undefined)).toBe(true);
  });

  it('writes once changes settle, only when what is kept changed (not on a readout or a frame\'s loading), and at once when stopped', () => {
    vi.useFakeTimers();
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'a', name: 'a.fits' }]);
    for (let k = 0; k < 50; k++) s().setDisplay({ contrast: k / 10 }); // a right-drag
    expect(kv.writes).toBe(0);
    vi.advanceTimersByTime(KEEP_DELAY_MS);
    expect(kv.writes).toBe(1);
    expect(parseRemembered(kv.getItem(REMEMBER_KEY))?.frames[0].display.contrast).toBe(4.9);
    s().setCursor({ fileId: 'a', x: 1, y: 1, ix: 1, iy: 1 });
    s().setProgress('a', 'sci', { loadedRows: 10, height: 100 });
    vi.advanceTimersByTime(KEEP_DELAY_MS);
    expect(kv.writes).toBe(1);
    s().remove('a');
    stop();
    expect(kv.writes).toBe(2);
    expect(parseRemembered(kv.getItem(REMEMBER_KEY))?.frames).toEqual([]);
  });

  it('does not reopen a frame deleted from the library since, takes the current names, and shows a lone frame alone', async () => {
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'gone1', name: 'old.fits' }, { fileId: 'b', name: 'b.fits' }], 'gone1');
    s().setLayout('blink');
    stop();
    reset();
    expect(await restoreInspector(library({ b: 'renamed.fits' }), kv)).toBe(1);
    expect(s().frames.map((f) => [f.fileId, f.name])).toEqual([['b', 'renamed.fits']]);
    // The one shown was deleted: the first left is shown; blinking one frame means nothing.
    expect(s().current).toBe('b');
    expect(s().layout).toBe('single');
    expect(s().blink.playing).toBe(false);
  });

  it('leaves an inspector with frames open as it is', async () => {
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'a', name: 'a.fits' }]);
    stop();
    reset();
    s().add([{ fileId: 'x', name: 'x.fits' }]);
    expect(await restoreInspector(library(), kv)).toBe(0);
    expect(s().frames.map((f) => f.fileId)).toEqual(['x']);
  });

  it('leaves alone frames opened while it looked the kept ones up', async () => {
    const kv = new MemoryKv();
    kv.setItem(REMEMBER_KEY, entry({}));
    const slow = async (ids: string[]) => {
      s().add([{ fileId: 'x', name: 'x.fits' }]);
      return library()(ids);
    };
    expect(await restoreInspector(slow, kv)).toBe(0);
    expect(s().frames.map((f) => f.fileId)).toEqual(['x']);
  });

  it('refuses what is no entry at all, and gives a frame the defaults of what the views could not have set', () => {
    expect(parseRemembered(entry({}))?.frames).toHaveLength(1);
    expect(parseRemembered(null)).toBeUndefined();
    expect(parseRemembered('{not json')).toBeUndefined();
    expect(parseRemembered('[]')).toBeUndefined();
    expect(parseRemembered('null')).toBeUndefined();
    expect(parseRemembered(entry({}, 'grid'))?.layout).toBe('single');
    expect(parseRemembered(entry({ plane: 'err' }))?.frames[0].plane).toBe('sci');
    const limits = (l: unknown) => parseRemembered(entry({ limitsByPlane: { sci: l, var: ZSCALE, dq: { kind: 'minmax' } } }))?.frames[0].limitsByPlane.sci;
    // "user" taken from a flat plane's equal limits, or from a plane with no number (NaN, null in JSON): zscale, for that frame only.
    expect(limits({ kind: 'user', low: 0, high: 0 })).toEqual(ZSCALE);
    expect(limits({ kind: 'user', low: null, high: null })).toEqual(ZSCALE);
    expect(limits({ kind: 'user', low: 5, high: 1 })).toEqual(ZSCALE);
    expect(limits({ kind: 'percent', percent: 97 })).toEqual(ZSCALE);
    expect(limits(7)).toEqual(ZSCALE);
    expect(limits({ kind: 'percent', percent: 99.5 })).toEqual({ kind: 'percent', percent: 99.5 });
    expect(limits({ kind: 'user', low: -3, high: 8.5 })).toEqual({ kind: 'user', low: -3, high: 8.5 });
    const display = (d: unknown) => parseRemembered(entry({ display: d }))?.frames[0].display;
    expect(display({ colormap: 'sepia', scale: 'cubic', exponent: 1, contrast: 11, bias: -0.1, invert: 'yes' })).toEqual(DEFAULT_DISPLAY);
    expect(display({ scale: 'log', colormap: 'viridis', invert: true, exponent: 200, contrast: 10, bias: 1 }))
      .toEqual({ ...DEFAULT_DISPLAY, scale: 'log', colormap: 'viridis', invert: true, exponent: 200, contrast: 10, bias: 1 });
    const twice = JSON.parse(entry({})) as { frames: unknown[] };
    twice.frames.push(twice.frames[0]);
    expect(parseRemembered(JSON.stringify(twice))?.frames).toHaveLength(1);
  });

  it('without a store, keeps and restores nothing', async () => {
    const stop = keepInspector(null);
    s().add([{ fileId: 'a', name: 'a.fits' }]);
    stop();
    reset();
    expect(await restoreInspector(library(), null)).toBe(0);
    expect(s().frames).toEqual([]);
  });
});
