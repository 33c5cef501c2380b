/**
 * DS9's magnifier: the pixels around the cursor at four times the pane's
 * zoom (at least 4), the pixel under the cursor outlined.
 */
import { imageToScreen } from '../../core/display/viewport';
import { displayOf, useInspector } from './store';
import { usePaint, usePane } from './usePane';

export const MAGNIFICATION = 4;

export function Magnifier({ generation }: { generation: number }) {
  const pane = usePane('magnifier', generation);
  const cursor = useInspector((s) => s.cursor);
  const frame = useInspector((s) => s.frames.find((f) => f.fileId === s.cursor?.fileId));
  const overlay = useInspector((s) => s.overlay);
  const zoom = frame?.view ? Math.max(MAGNIFICATION, Math.round(MAGNIFICATION * frame.view.zoom)) : MAGNIFICATION;
  const image = frame?.info?.images[frame.image];
  const view = cursor ? { cx: cursor.ix, cy: cursor.iy, zoom } : undefined;
  usePaint(
    pane,
    frame?.info && view && image
      ? {
          ref: { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice },
          view,
          display: displayOf(frame),
          overlay: overlay.on && overlay.bits && frame.plane !== 'dq' && image.hdus.dq !== undefined ? { bits: overlay.bits, opacity: overlay.opacity } : undefined,
        }
      : undefined,
  );
  let box: { x: number; y: number; s: number } | undefined;
  if (view && cursor) {
    const a = imageToScreen(view, pane.size, cursor.ix - 0.5, cursor.iy + 0.5);
    box = { x: a.sx / pane.dpr, y: a.sy / pane.dpr, s: zoom / pane.dpr };
  }
  return (
    <div ref={pane.boxRef} className="magnifier" aria-label="Magnifier">
      <canvas key={generation} ref={pane.canvasRef} className="pane-canvas" />
      {box && (
        <svg className="pane-marks" width={pane.size.width / pane.dpr} height={pane.size.height / pane.dpr} aria-hidden>
          <rect className="magnifier-pixel" x={box.x} y={box.y} width={box.s} height={box.s} />
        </svg>
      )}
      <span className="box-label">Magnifier ×{zoom}</span>
    </div>
  );
}
