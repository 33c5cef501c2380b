/**
 * The inspector's keyboard, DS9 and IRAF imexamine style, for the pointer's
 * position: arrows pan, + and - zoom by 2, f fits, 1 is 1:1; r measures the
 * star, w shows the 3D surface (Astro-WISE inspect), l and c the row and
 * column cuts, m the statistics of an 11 x 11 box, h the histogram; Tab and
 * Shift+Tab step through the frames, b starts or stops blinking, i inverts,
 * Escape clears the marks.
 */
import { panBy } from '../../core/display/viewport';
import { zoomCurrent } from './DisplayBar';
import { currentFrame, useInspector } from './store';

export const KEY_HELP: [string, string][] = [
  ['wheel, + −', 'zoom (the buttons and keys by 2)'],
  ['drag, arrows', 'pan'],
  ['f, 1', 'fit, 1:1'],
  ['right drag', 'contrast (down) and bias (across)'],
  ['middle click', 'centre there'],
  ['r', 'radial profile of the star under the pointer'],
  ['w', '3D surface around the pointer'],
  ['l, c', 'row and column cuts through the pointer'],
  ['m', 'statistics of the 11 × 11 box around the pointer'],
  ['h', 'histogram'],
  ['Tab, Shift+Tab', 'next, previous frame'],
  ['Delete (on a frame\'s tab)', 'close that frame'],
  ['b', 'blink on or off'],
  ['i', 'invert the colormap'],
  ['Esc', 'clear the crosshair, region, line and star'],
];

/** Handles a key for the inspector; true when it did something (the caller prevents the default). */
export function handleKey(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const s = useInspector.getState();
  const frame = currentFrame(s);
  if (!frame) return false;
  const cursor = s.cursor?.fileId === frame.fileId ? s.cursor : undefined;
  const canvas = s.canvas;
  switch (e.key) {
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown': {
      if (!frame.view || !canvas) return false;
      const step = (e.shiftKey ? 0.5 : 0.1) * Math.min(canvas.width, canvas.height);
      const d = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key]!;
      s.setView(frame.fileId, panBy(frame.view, d[0], d[1]));
      return true;
    }
    case '+':
    case '=':
      zoomCurrent(1);
      return true;
    case '-':
      zoomCurrent(-1);
      return true;
    case 'f':
      zoomCurrent('fit');
      return true;
    case '1':
      zoomCurrent('one');
      return true;
    case 'Tab':
      s.setBlink({ playing: false });
      s.step(e.shiftKey ? -1 : 1);
      return true;
    case 'b':
      if (s.frames.length < 2) return false;
      if (s.layout !== 'blink') s.setLayout('blink');
      else s.setBlink({ playing: !s.blink.playing });
      return true;
    case 'i':
      s.setDisplay({ invert: !frame.display.invert });
      return true;
    case 'h':
      s.setPanel('histogram');
      return true;
    case 'Escape':
      s.mark({ crosshair: undefined, region: undefined, line: undefined, star: undefined });
      useInspector.setState({ starFit: undefined });
      return true;
  }
  if (!cursor) return false;
  switch (e.key) {
    case 'r':
      s.mark({ star: { fileId: frame.fileId, x: cursor.x, y: cursor.y } });
      s.setPanel('radial');
      return true;
    case 'w':
    case 's':
      s.mark({ crosshair: { fileId: frame.fileId, ix: cursor.ix, iy: cursor.iy } });
      s.setPanel('surface');
      return true;
    case 'l':
    case 'c':
      s.mark({ crosshair: { fileId: frame.fileId, ix: cursor.ix, iy: cursor.iy }, line: undefined });
      s.setPanel('cuts');
      return true;
    case 'm':
      s.mark({ region: { fileId: frame.fileId, box: { x0: cursor.ix - 5, y0: cursor.iy - 5, x1: cursor.ix + 5, y1: cursor.iy + 5 } } });
      s.setPanel('region');
      return true;
  }
  return false;
}
