/**
 * One frame on screen: the worker-painted canvas, the marks drawn over it,
 * and the mouse as DS9 uses it — wheel zooms about the pointer, the left
 * button pans (or draws a region, a line, or picks a star, by tool; a click
 * sets the crosshair), the right button drags contrast and bias, the middle
 * button centres the view on the point.
 */
import { useEffect, useRef } from 'react';
import { panBy, pixelAt, screenToImage, zoomAbout, type View } from '../../core/display/viewport';
import { contrastBiasAt, nextZoom } from './interaction';
import { MarksOverlay } from './MarksOverlay';
import { displayOf, fittedView, frameError, isFitted, useInspector, type InspectedFrame } from './store';
import { usePaint, usePane } from './usePane';
import type { PaneState } from '../../../workers/inspector/protocol';

interface Drag {
  button: number;
  startX: number;
  startY: number;
  view: View;
  moved: boolean;
  /** Image position where the drag began (region and line tools). */
  from?: { x: number; y: number };
}

export interface ImagePaneProps {
  frame: InspectedFrame;
  generation: number;
  /** The pane whose size the panner and keyboard zoom use, and whose limits the toolbar shows. */
  main: boolean;
  /** Side by side: the frame's name over the pane, a click selects it. */
  caption?: boolean;
  selected?: boolean;
}

export function ImagePane({ frame, generation, main, caption, selected }: ImagePaneProps) {
  const pane = usePane('image', generation);
  const overlayBits = useInspector((s) => (s.overlay.on ? s.overlay.bits : 0));
  const overlayOpacity = useInspector((s) => s.overlay.opacity);
  const image = frame.info?.images[frame.image];

  // Fit a frame the first time it has a size to fit into.
  useEffect(() => {
    if (!image || frame.view || !pane.size.width) return;
    useInspector.getState().setView(frame.fileId, fittedView(image, pane.size));
  }, [image, frame.view, frame.fileId, pane.size]);

  // Fit it again when the pane changes size (the window, the layout, a
  // panel), as long as nobody zoomed or panned since it was fitted. Only on
  // a change of size: frames of other sizes whose views are locked to this
  // one would otherwise refit each other in turn.
  const fittedFor = useRef(pane.size);
  useEffect(() => {
    const before = fittedFor.current;
    fittedFor.current = pane.size;
    if (!image || !pane.size.width || (before.width === pane.size.width && before.height === pane.size.height)) return;
    const view = useInspector.getState().frames.find((f) => f.fileId === frame.fileId)?.view;
    if (isFitted(view)) useInspector.getState().setView(frame.fileId, fittedView(image, pane.size));
  }, [image, frame.fileId, pane.size]);

  useEffect(() => {
    if (main && pane.size.width) useInspector.setState({ canvas: pane.size });
  }, [main, pane.size]);

  const state: PaneState | undefined =
    frame.info && frame.view && image
      ? {
          ref: { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice },
          view: frame.view,
          display: displayOf(frame),
          overlay: overlayBits && frame.plane !== 'dq' && image.hdus.dq !== undefined ? { bits: overlayBits, opacity: overlayOpacity } : undefined,
        }
      : undefined;
  // The loading progress is part of the key: each chunk brings provisional limits, then the final ones.
  const loaded = frame.progress[frame.plane]?.loadedRows ?? 0;
  usePaint(pane, state, (r) => {
    if (!main) return;
    const cur = useInspector.getState().frames.find((f) => f.fileId === frame.fileId);
    if (cur && (cur.drawn?.low !== r.limits.low || cur.drawn?.high !== r.limits.high)) useInspector.getState().patchFrame(frame.fileId, { drawn: r.limits });
  }, loaded);

  const drag = useRef<Drag | undefined>(undefined);
  const hoverFrame = useRef(0);

  const devicePoint = (e: { clientX: number; clientY: number }) => {
    const r = pane.boxRef.current!.getBoundingClientRect();
    return { sx: (e.clientX - r.left) * pane.dpr, sy: (e.clientY - r.top) * pane.dpr };
  };

  const hover = (sx: number, sy: number) => {
    if (!frame.view || !image) return;
    cancelAnimationFrame(hoverFrame.current);
    const view = frame.view;
    hoverFrame.current = requestAnimationFrame(() => {
      const p = screenToImage(view, pane.size, sx, sy);
      const px = pixelAt(view, pane.size, image, sx, sy);
      useInspector.getState().setCursor(px ? { fileId: frame.fileId, x: p.x, y: p.y, ix: px.ix, iy: px.iy } : undefined);
    });
  };

  const onPointerDown = (e: React.PointerEvent) => {
    if (!frame.view || !image) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pane.boxRef.current?.focus();
    if (caption) useInspector.getState().select(frame.fileId);
    const { sx, sy } = devicePoint(e);
    const from = screenToImage(frame.view, pane.size, sx, sy);
    drag.current = { button: e.button, startX: sx, startY: sy, view: frame.view, moved: false, from };
    if (e.button === 1) {
      e.preventDefault();
      useInspector.getState().setView(frame.fileId, { ...frame.view, cx: from.x, cy: from.y });
    }
  };

  const onPointerMove = (e: React.PointerEvent) => {
    const { sx, sy } = devicePoint(e);
    hover(sx, sy);
    const d = drag.current;
    if (!d || !frame.view || !image) return;
    if (Math.abs(sx - d.startX) + Math.abs(sy - d.startY) > 3 * pane.dpr) d.moved = true;
    if (!d.moved) return;
    const s = useInspector.getState();
    if (d.button === 2) {
      s.setDisplay(contrastBiasAt(sx, sy, pane.size.width, pane.size.height));
      return;
    }
    if (d.button !== 0) return;
    const at = screenToImage(frame.view, pane.size, sx, sy);
    if (s.tool === 'pan') s.setView(frame.fileId, panBy(d.view, sx - d.startX, sy - d.startY));
    else if (s.tool === 'region' && d.from) {
      s.mark({ region: { fileId: frame.fileId, box: { x0: Math.round(d.from.x), y0: Math.round(d.from.y), x1: Math.round(at.x), y1: Math.round(at.y) } } });
    } else if (s.tool === 'line' && d.from) {
      s.mark({ line: { fileId: frame.fileId, x0: d.from.x, y0: d.from.y, x1: at.x, y1: at.y } });
    }
  };

  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = undefined;
    if (!d || d.moved || d.button !== 0 || !frame.view || !image) return;
    const { sx, sy } = devicePoint(e);
    const px = pixelAt(frame.view, pane.size, image, sx, sy);
    if (!px) return;
    const s = useInspector.getState();
    if (s.tool === 'star') {
      const at = screenToImage(frame.view, pane.size, sx, sy);
      s.mark({ star: { fileId: frame.fileId, x: at.x, y: at.y } });
      s.setPanel('radial');
    } else {
      s.mark({ crosshair: { fileId: frame.fileId, ...px } });
    }
  };

  const onWheel = (e: React.WheelEvent) => {
    if (!frame.view) return;
    const { sx, sy } = devicePoint(e);
    const target = nextZoom(frame.view.zoom, e.deltaY < 0 ? 1 : -1);
    useInspector.getState().setView(frame.fileId, zoomAbout(frame.view, pane.size, target / frame.view.zoom, sx, sy));
  };

  // React's wheel listener is passive: the page would scroll too. Stop it natively.
  useEffect(() => {
    const box = pane.boxRef.current;
    if (!box) return;
    const stop = (e: WheelEvent) => e.preventDefault();
    box.addEventListener('wheel', stop, { passive: false });
    return () => box.removeEventListener('wheel', stop);
  }, [pane.boxRef]);

  const progress = frame.progress[frame.plane];
  const loading = progress && !progress.error && progress.loadedRows < progress.height;
  const error = frameError(frame);
  return (
    <div className={`image-pane${selected ? ' selected' : ''}`}>
      {caption && <div className="pane-caption" title={frame.name}>{frame.name}</div>}
      <div
        ref={pane.boxRef}
        className="pane-box"
        tabIndex={0}
        role="img"
        aria-label={`Frame ${frame.name}`}
        data-file-id={frame.fileId}
        data-cx={frame.view?.cx}
        data-cy={frame.view?.cy}
        data-zoom={frame.view?.zoom}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => { drag.current = undefined; }}
        onWheel={onWheel}
        onContextMenu={(e) => e.preventDefault()}
      >
        <canvas key={generation} ref={pane.canvasRef} className="pane-canvas" style={error ? { visibility: 'hidden' } : undefined} />
        {frame.view && <MarksOverlay fileId={frame.fileId} view={frame.view} size={pane.size} dpr={pane.dpr} />}
        {loading && (
          <div className="pane-loading" role="status">
            Reading pixels… {Math.round((100 * progress.loadedRows) / progress.height)}%
          </div>
        )}
        {!frame.info && !error && <div className="pane-message">Opening {frame.name}…</div>}
        {error && <div className="pane-message pane-error" role="alert">{error}</div>}
      </div>
    </div>
  );
}
