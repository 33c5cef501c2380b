/**
 * The colorbar under the image: the colours in display order (after
 * contrast, bias and invert) with the pixel values they stand for, read
 * through the inverse of the scale function as DS9 labels its colorbar.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { colourAt } from '../../core/display/lut';
import { scaleInverse } from '../../core/display/scale';
import { NAN_CSS } from '../../core/display/render';
import { inspector } from '../../../workers/inspectorClient';
import { formatValue } from './format';
import { currentFrame, displayOf, useInspector } from './store';

export function Colorbar() {
  const frame = useInspector(currentFrame);
  const ref = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const display = frame ? displayOf(frame) : undefined;
  const limits = frame?.drawn;
  const ticks = Math.max(2, Math.min(11, Math.floor(width / 90) + 1));
  const [labels, setLabels] = useState<number[]>([]);

  useLayoutEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(box.getBoundingClientRect().width)));
    ro.observe(box);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !display || !width) return;
    canvas.width = width;
    canvas.height = 1;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(width, 1);
    const words = new Uint32Array(img.data.buffer);
    for (let i = 0; i < width; i++) words[i] = colourAt(width > 1 ? i / (width - 1) : 0, display);
    ctx.putImageData(img, 0, 0);
  }, [display?.colormap, display?.contrast, display?.bias, display?.invert, width]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!frame?.info || !display || !limits || !Number.isFinite(limits.low)) return setLabels([]);
    const ys = Array.from({ length: ticks }, (_, k) => k / (ticks - 1));
    if (display.scale === 'histequ') {
      let live = true;
      void inspector()
        .histequValues({ fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice }, limits.low, limits.high, ys)
        .then((v) => { if (live) setLabels(v); })
        .catch(() => undefined);
      return () => { live = false; };
    }
    // The ends are the limits themselves (DS9's log maps x = 1 a hair above 1, so its inverse at 1 falls short).
    setLabels(ys.map((y, k) => (k === 0 ? limits.low : k === ys.length - 1 ? limits.high : limits.low + (limits.high - limits.low) * scaleInverse(display.scale, y, display.exponent))));
  }, [frame?.info, frame?.fileId, frame?.image, frame?.plane, frame?.slice, display?.scale, display?.exponent, limits?.low, limits?.high, ticks]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="colorbar" aria-label="Colorbar">
      <div className="colorbar-scale" ref={boxRef}>
        <canvas ref={ref} className="colorbar-ramp" />
        <div className="colorbar-ticks">
          {labels.map((v, k) => (
            <span key={k} style={{ left: `${(100 * k) / Math.max(1, labels.length - 1)}%` }} className={k === 0 ? 'first' : k === labels.length - 1 ? 'last' : ''}>
              {/* A DQ plane holds whole bit masks: 0.8 or 1.6 would name no value it can have. */}
              {frame?.plane === 'dq' ? String(Math.round(v)) : formatValue(v)}
            </span>
          ))}
        </div>
      </div>
      <span className="nan-key small" title="NaN pixels are shown in this colour"><span className="swatch" style={{ background: NAN_CSS }} />NaN</span>
    </div>
  );
}
