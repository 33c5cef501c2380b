/**
 * The user's marks drawn over a frame in CSS pixels: the crosshair, the box
 * region, the cut line and the measured star (a circle of the fitted FWHM).
 * Marks belong to the frame they were made on.
 */
import { imageToScreen, type Size, type View } from '../../core/display/viewport';
import { useInspector } from './store';

export function MarksOverlay({ fileId, view, size, dpr }: { fileId: string; view: View; size: Size; dpr: number }) {
  const marks = useInspector((s) => s.marks);
  const fit = useInspector((s) => s.starFit);
  const at = (x: number, y: number) => {
    const p = imageToScreen(view, size, x, y);
    return { x: p.sx / dpr, y: p.sy / dpr };
  };
  const w = size.width / dpr;
  const h = size.height / dpr;
  const { crosshair, region, line, star } = marks;
  return (
    <svg className="pane-marks" width={w} height={h} aria-hidden>
      {crosshair?.fileId === fileId && (() => {
        const c = at(crosshair.ix, crosshair.iy);
        return (
          <g className="mark-crosshair">
            <line x1={0} x2={w} y1={c.y} y2={c.y} />
            <line x1={c.x} x2={c.x} y1={0} y2={h} />
          </g>
        );
      })()}
      {region?.fileId === fileId && (() => {
        const b = region.box;
        const a = at(Math.min(b.x0, b.x1) - 0.5, Math.max(b.y0, b.y1) + 0.5);
        const c = at(Math.max(b.x0, b.x1) + 0.5, Math.min(b.y0, b.y1) - 0.5);
        return <rect className="mark-region" x={a.x} y={a.y} width={c.x - a.x} height={c.y - a.y} />;
      })()}
      {line?.fileId === fileId && (() => {
        const a = at(line.x0, line.y0);
        const b = at(line.x1, line.y1);
        return (
          <g className="mark-line">
            <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
            <circle cx={a.x} cy={a.y} r={3} />
          </g>
        );
      })()}
      {star?.fileId === fileId && (() => {
        const measured = fit?.fileId === fileId ? fit : undefined;
        const c = measured ? at(measured.x, measured.y) : at(star.x, star.y);
        const r = Math.max(4, ((measured?.fwhm ?? 4) / 2) * (view.zoom / dpr));
        return (
          <g className="mark-star">
            <circle cx={c.x} cy={c.y} r={r} />
            <line x1={c.x - r - 4} x2={c.x - r + 2} y1={c.y} y2={c.y} />
            <line x1={c.x + r - 2} x2={c.x + r + 4} y1={c.y} y2={c.y} />
          </g>
        );
      })()}
    </svg>
  );
}
