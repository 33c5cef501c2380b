/**
 * DS9's panner: the whole frame small, with the outline of what the image
 * pane shows; click or drag in it to move the view there.
 */
import { useEffect, useRef } from 'react';
import { fitView, imageToScreen, screenToImage, visibleRect } from '../../core/display/viewport';
import { currentFrame, displayOf, useInspector } from './store';
import { usePaint, usePane } from './usePane';

export function Panner({ generation }: { generation: number }) {
  const pane = usePane('panner', generation);
  const frame = useInspector(currentFrame);
  const canvas = useInspector((s) => s.canvas);
  const image = frame?.info?.images[frame.image];
  const thumb = image && pane.size.width ? fitView(image, pane.size) : undefined;
  usePaint(
    pane,
    frame && thumb && frame.info ? { ref: { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice }, view: thumb, display: displayOf(frame), sampling: 'mean' } : undefined,
    undefined,
    frame?.progress[frame.plane]?.loadedRows ?? 0,
  );
  const dragging = useRef(false);
  const moveTo = (e: React.PointerEvent) => {
    if (!frame?.view || !thumb) return;
    const r = pane.boxRef.current!.getBoundingClientRect();
    const p = screenToImage(thumb, pane.size, (e.clientX - r.left) * pane.dpr, (e.clientY - r.top) * pane.dpr);
    useInspector.getState().setView(frame.fileId, { ...frame.view, cx: p.x, cy: p.y });
  };
  useEffect(() => () => { dragging.current = false; }, []);

  let outline: { x: number; y: number; w: number; h: number } | undefined;
  if (frame?.view && thumb && canvas) {
    const v = visibleRect(frame.view, canvas);
    const a = imageToScreen(thumb, pane.size, v.x0, v.y1);
    const b = imageToScreen(thumb, pane.size, v.x1, v.y0);
    outline = { x: a.sx / pane.dpr, y: a.sy / pane.dpr, w: (b.sx - a.sx) / pane.dpr, h: (b.sy - a.sy) / pane.dpr };
  }
  return (
    <div
      ref={pane.boxRef}
      className="panner"
      aria-label="Panner"
      onPointerDown={(e) => { dragging.current = true; e.currentTarget.setPointerCapture(e.pointerId); moveTo(e); }}
      onPointerMove={(e) => { if (dragging.current) moveTo(e); }}
      onPointerUp={() => { dragging.current = false; }}
    >
      <canvas key={generation} ref={pane.canvasRef} className="pane-canvas" />
      {outline && (
        <svg className="pane-marks" width={pane.size.width / pane.dpr} height={pane.size.height / pane.dpr} aria-hidden>
          <rect className="panner-outline" x={outline.x} y={outline.y} width={Math.max(2, outline.w)} height={Math.max(2, outline.h)} />
        </svg>
      )}
      <span className="box-label">Panner</span>
    </div>
  );
}
