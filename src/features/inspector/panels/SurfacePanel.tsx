/**
 * The pixels around the crosshair (or where w was pressed) as a 3D surface,
 * Astro-WISE inspect's 'w'.
 */
import { useMemo, useState } from 'react';
import { inspector } from '../../../../workers/inspectorClient';
import { currentFrame, useInspector } from '../store';
import { AXIS, Plot } from './Plot';
import { useAsk } from './useAsk';

const HALVES = [10, 15, 25, 40];

export function SurfacePanel() {
  const frame = useInspector(currentFrame);
  const at = useInspector((s) => (s.marks.crosshair?.fileId === s.current ? s.marks.crosshair : undefined));
  const colormap = useInspector((s) => currentFrame(s)?.display.colormap);
  const [half, setHalf] = useState(15);
  const ref = frame?.info ? { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice } : undefined;
  const answer = useAsk(ref && at ? () => inspector().surface(ref, at.ix, at.iy, half) : undefined, JSON.stringify([ref, at, half]));
  const s = answer.value;
  const figure = useMemo(() => s && {
    data: [{
      type: 'surface',
      x: Array.from(s.x),
      y: Array.from(s.y),
      z: s.z.map((row) => Array.from(row)),
      colorscale: colormap === 'grey' ? 'Greys' : colormap === 'viridis' ? 'Viridis' : colormap === 'inferno' ? 'Inferno' : colormap === 'magma' ? 'Magma' : colormap === 'plasma' ? 'Plasma' : 'Hot',
      reversescale: colormap === 'grey',
      showscale: false,
    }],
    layout: {
      margin: { l: 0, r: 0, t: 0, b: 0 },
      scene: { xaxis: { ...AXIS, title: { text: 'x' } }, yaxis: { ...AXIS, title: { text: 'y' } }, zaxis: { ...AXIS, title: { text: 'value' } }, bgcolor: '#0e141d' },
    },
  }, [s, colormap]);
  if (!frame) return null;
  return (
    <div className="panel-body">
      <div className="panel-controls">
        <select aria-label="Surface size" value={half} onChange={(e) => setHalf(Number(e.target.value))}>
          {HALVES.map((h) => <option key={h} value={h}>{2 * h + 1} × {2 * h + 1} px</option>)}
        </select>
        {at && <span className="muted small mono">around x {at.ix + 1}, y {at.iy + 1}</span>}
      </div>
      {!at && <p className="muted">Press w with the pointer on the image, or click it (Pan tool) and press “3D view”.</p>}
      {answer.error && <p className="rb-error" role="alert">{answer.error}</p>}
      {figure && <Plot data={figure.data} layout={figure.layout} label="Surface around the crosshair" height={300} />}
    </div>
  );
}
