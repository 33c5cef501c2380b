/**
 * Cuts: the row and the column through the crosshair (or following the
 * pointer), or the values along the line drawn with the Line tool, in FITS
 * coordinates.
 */
import { useEffect, useMemo, useState } from 'react';
import { inspector } from '../../../../workers/inspectorClient';
import type { Cut } from '../../../core/display/cuts';
import { currentFrame, useInspector } from '../store';
import { AXIS, Plot } from './Plot';
import { useAsk } from './useAsk';

/** The value once it stayed for `ms` (a cut following the pointer is redrawn a few times a second, not per event). */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

const trace = (x: ArrayLike<number>, y: ArrayLike<number>, axis = '') => ({
  type: 'scatter', mode: 'lines', x: Array.from(x), y: Array.from(y), line: { color: '#5da9e9', width: 1.2, shape: axis === 'line' ? 'linear' : 'hvh' },
  ...(axis && axis !== 'line' ? { xaxis: `x${axis}`, yaxis: `y${axis}` } : {}),
});

export function CutsPanel() {
  const frame = useInspector(currentFrame);
  const crosshair = useInspector((s) => (s.marks.crosshair?.fileId === s.current ? s.marks.crosshair : undefined));
  const line = useInspector((s) => (s.marks.line?.fileId === s.current ? s.marks.line : undefined));
  const cursor = useInspector((s) => (s.cursor?.fileId === s.current ? s.cursor : undefined));
  const [follow, setFollow] = useState(false);
  const [mode, setMode] = useState<'cross' | 'line'>('cross');
  const useLine = mode === 'line' && !!line;
  const point = follow && cursor ? cursor : crosshair;
  const settled = useSettled(point ? `${point.ix},${point.iy}` : '', follow ? 120 : 0);
  const at = settled ? { ix: Number(settled.split(',')[0]), iy: Number(settled.split(',')[1]) } : undefined;
  useEffect(() => { if (line) setMode('line'); }, [line]);
  const ref = frame?.info ? { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice } : undefined;
  const answer = useAsk<{ row?: Cut; col?: Cut; line?: Cut }>(
    ref && (useLine || at)
      ? async () => {
          const api = inspector();
          if (useLine) return { line: await api.cut(ref, { kind: 'line', ...line! }) };
          const [row, col] = await Promise.all([api.cut(ref, { kind: 'row', iy: at!.iy }), api.cut(ref, { kind: 'column', ix: at!.ix })]);
          return { row, col };
        }
      : undefined,
    JSON.stringify([ref, useLine && line, !useLine && at]),
  );
  const cuts = answer.value;
  const figure = useMemo(() => {
    if (!cuts) return undefined;
    if (cuts.line) {
      return {
        data: [trace(cuts.line.distance, cuts.line.values, 'line')],
        layout: { xaxis: { ...AXIS, title: { text: 'distance along the line (px)' } }, yaxis: { ...AXIS, title: { text: 'value' } } },
      };
    }
    const rowX = Array.from(cuts.row!.x, (v) => v + 1);
    const colY = Array.from(cuts.col!.y, (v) => v + 1);
    return {
      data: [trace(rowX, cuts.row!.values), trace(colY, cuts.col!.values, '2')],
      layout: {
        grid: { rows: 2, columns: 1, pattern: 'independent', roworder: 'top to bottom' },
        xaxis: { ...AXIS, title: { text: `x (row ${cuts.row!.y[0] + 1})`, standoff: 2 } },
        yaxis: { ...AXIS, title: { text: 'value' } },
        xaxis2: { ...AXIS, title: { text: `y (column ${cuts.col!.x[0] + 1})`, standoff: 2 } },
        yaxis2: { ...AXIS, title: { text: 'value' } },
        margin: { l: 56, r: 12, t: 8, b: 36 },
      },
    };
  }, [cuts]);
  if (!frame) return null;
  return (
    <div className="panel-body">
      <div className="panel-controls">
        <div className="segmented" role="group" aria-label="Cut">
          <button aria-pressed={!useLine} onClick={() => setMode('cross')}>Row and column</button>
          <button aria-pressed={useLine} disabled={!line} title={line ? '' : 'Draw a line with the Line tool'} onClick={() => setMode('line')}>Along the line</button>
        </div>
        {!useLine && <label className="check"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow the pointer</label>}
        {!useLine && at && <span className="muted small mono" data-testid="cut-at">through x {at.ix + 1}, y {at.iy + 1}</span>}
        {useLine && line && (
          <span className="muted small mono" data-testid="cut-line" data-line={[line.x0, line.y0, line.x1, line.y1].join(',')}>
            from {(line.x0 + 1).toFixed(1)}, {(line.y0 + 1).toFixed(1)} to {(line.x1 + 1).toFixed(1)}, {(line.y1 + 1).toFixed(1)}
          </span>
        )}
      </div>
      {answer.error && <p className="rb-error" role="alert">{answer.error}</p>}
      {!figure && !answer.error && <p className="muted">Click the image (Pan tool) to put the crosshair where the cuts go, press l or c over it, or draw a line with the Line tool.</p>}
      {figure && <Plot data={figure.data} layout={figure.layout} label={useLine ? 'Cut along the line' : 'Row and column cuts'} height={useLine ? 240 : 300} />}
    </div>
  );
}
