/**
 * A canvas the inspector worker paints: handed over once per mount (and per
 * worker generation), sized in device pixels with the element, repainted at
 * most once per animation frame with the latest state.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { attachCanvas, inspector } from '../../../workers/inspectorClient';
import type { DrawResult, PaneState } from '../../../workers/inspector/protocol';
import type { Size } from '../../core/display/viewport';

let paneCounter = 0;

export interface PaneHandle {
  canvasRef: React.RefObject<HTMLCanvasElement | null>;
  boxRef: React.RefObject<HTMLDivElement | null>;
  /** Canvas size in device pixels (0 x 0 until measured). */
  size: Size;
  dpr: number;
  attached: boolean;
}

export function usePane(name: string, generation: number): PaneHandle & { id: string } {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [id] = useState(() => `${name}-${++paneCounter}`);
  const [attached, setAttached] = useState(false);
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  const dpr = typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let live = true;
    attachCanvas(id, canvas)
      .then(() => { if (live) setAttached(true); })
      .catch((err: unknown) => console.error('inspector canvas', err));
    return () => {
      live = false;
      setAttached(false);
      void inspector().detachPane(id).catch(() => undefined);
    };
  }, [id, generation]);

  useLayoutEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const measure = () => {
      const r = box.getBoundingClientRect();
      const next = { width: Math.max(1, Math.round(r.width * dpr)), height: Math.max(1, Math.round(r.height * dpr)) };
      setSize((s) => (s.width === next.width && s.height === next.height ? s : next));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(box);
    return () => ro.disconnect();
  }, [dpr]);

  useEffect(() => {
    if (attached && size.width > 0) void inspector().resizePane(id, size.width, size.height);
  }, [attached, size, id]);

  return { id, canvasRef, boxRef, size, dpr, attached };
}

/**
 * Paints `state` on the pane whenever it (or `refresh`) changes, once per
 * animation frame; `onDrawn` hears each result.
 */
export function usePaint(pane: PaneHandle & { id: string }, state: PaneState | undefined, onDrawn?: (r: DrawResult) => void, refresh: string | number = ''): void {
  const latest = useRef<{ state?: PaneState; onDrawn?: typeof onDrawn }>({});
  latest.current = { state, onDrawn };
  const frame = useRef<number>(0);
  const key = state ? `${JSON.stringify(state)}|${refresh}` : '';
  useEffect(() => {
    if (!pane.attached || !pane.size.width || !key) return;
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      const s = latest.current.state;
      if (!s) return;
      inspector()
        .draw(pane.id, s)
        .then((r) => latest.current.onDrawn?.(r))
        .catch(() => undefined);
    });
  }, [pane.attached, pane.size, pane.id, key]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
}
