/** The inspector's open frames, kept across a reload: what is kept, what is refused, what comes back. */
import { beforeEach, describe, expect, it } from 'vitest';
import { keepInspector, parseRemembered, REMEMBER_KEY, restoreInspector, snapshot, type KeyValueStore } from './remember';
import { useInspector } from './store';

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
/** Every id is in the library, under the name given here (or its own). */
const library = (names: Record<string, string> = {}) => async (ids: string[]) => new Map(ids.filter((id) => !id.startsWith('gone')).map((id) => [id, names[id] ?? `${id}.fits`]));

describe('inspector session kept across a reload', () => {
  beforeEach(reset);

  it('keeps the open frames, the one shown, the layout, planes and display, and brings them back in order', async () => {
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'a', name: 'a.fits' }, { fileId: 'b', name: 'b.fits' }, { fileId: 'c', name: 'c.fits' }], 'a');
    s().select('b');
    s().setPlane('dq');
    s().setDisplay({ colormap: 'heat', scale: 'log' });
    s().setLimits({ kind: 'user', low: 10, high: 500 });
    s().setLayout('tile');
    stop();
    const before = snapshot(s());

    reset();
    expect(await restoreInspector(library(), kv)).toBe(3);
    expect(snapshot(s())).toEqual(before);
    expect(s().frames.map((f) => f.fileId)).toEqual(['a', 'b', 'c']);
    expect(s().frames[1]).toMatchObject({ plane: 'dq', display: { colormap: 'heat', scale: 'log' }, limitsByPlane: { dq: { kind: 'user', low: 10, high: 500 } } });
    // Not kept: where a frame was looked at (it fits its pane again).
    expect(s().frames.every((f) => f.view === undefined)).toBe(true);
  });

  it('writes only when what is kept changed, not on a readout or a frame\'s loading', () => {
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'a', name: 'a.fits' }]);
    const writes = kv.writes;
    s().setCursor({ fileId: 'a', x: 1, y: 1, ix: 1, iy: 1 });
    s().setProgress('a', 'sci', { loadedRows: 10, height: 100 });
    expect(kv.writes).toBe(writes);
    s().remove('a');
    expect(kv.writes).toBe(writes + 1);
    expect(parseRemembered(kv.getItem(REMEMBER_KEY))?.frames).toEqual([]);
    stop();
  });

  it('does not reopen a frame deleted from the library since, and takes its current name', async () => {
    const kv = new MemoryKv();
    const stop = keepInspector(kv);
    s().add([{ fileId: 'gone1', name: 'old.fits' }, { fileId: 'b', name: 'b.fits' }], 'gone1');
    stop();
    reset();
    expect(await restoreInspector(library({ b: 'renamed.fits' }), kv)).toBe(1);
    expect(s().frames.map((f) => [f.fileId, f.name])).toEqual([['b', 'renamed.fits']]);
    // The one shown was deleted: the first left is shown.
    expect(s().current).toBe('b');
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

  it('ignores an entry it cannot read whole: damaged, of another shape, or with an unknown plane or layout', () => {
    const good = JSON.stringify({ frames: [{ fileId: 'a', name: 'a.fits', plane: 'sci', display: {}, limitsByPlane: { sci: { kind: 'zscale' }, var: { kind: 'zscale' }, dq: { kind: 'minmax' } } }], current: 'a', layout: 'single' });
    expect(parseRemembered(good)?.frames).toHaveLength(1);
    expect(parseRemembered(null)).toBeUndefined();
    expect(parseRemembered('{not json')).toBeUndefined();
    expect(parseRemembered('[]')).toBeUndefined();
    expect(parseRemembered(good.replace('"single"', '"grid"'))).toBeUndefined();
    expect(parseRemembered(good.replace('"plane":"sci"', '"plane":"err"'))).toBeUndefined();
    expect(parseRemembered(good.replace('"dq":{"kind":"minmax"}', '"dq":7'))).toBeUndefined();
    expect(parseRemembered(good.replace('"dq":{"kind":"minmax"}', '"dq":{"kind":"user","low":5,"high":1}'))).toBeUndefined();
    expect(parseRemembered(good.replace('"display":{}', '"display":{"colormap":"sepia"}'))).toBeUndefined();
    expect(parseRemembered(good.replace('"display":{}', '"display":{"scale":"log","contrast":"high"}'))).toBeUndefined();
    expect(parseRemembered(good.replace('"display":{}', '"display":{"scale":"log","colormap":"viridis","invert":true}'))?.frames[0].display).toEqual({ scale: 'log', colormap: 'viridis', invert: true });
  });

  it('without a store (Node), keeps and restores nothing', async () => {
    const stop = keepInspector(undefined);
    s().add([{ fileId: 'a', name: 'a.fits' }]);
    stop();
    reset();
    expect(await restoreInspector(library(), undefined)).toBe(0);
  });
});
