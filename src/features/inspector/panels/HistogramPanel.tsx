/**
 * The pixel distribution of the frame or of the box region, counts on a log
 * axis: over the display limits (as DS9's pixel table of the scale dialog)
 * or over every value, with the limits marked.
 */
import { useMemo, useState } from 'react';
import { inspector } from '../../../../workers/inspectorClient';
import { formatValue, sectionOf } from '../format';
import { currentFrame, useInspector } from '../store';
import { AXIS, Plot } from './Plot';
import { useAsk } from './useAsk';

const BINS = [64, 128, 256, 512, 1024];

export function HistogramPanel() {
  const frame = useInspector(currentFrame);
  const region = useInspector((s) => (s.marks.region && s.marks.region.fileId === s.current ? s.marks.region.box : undefined));
  const [source, setSource] = useState<'frame' | 'region'>('frame');
  const [range, setRange] = useState<'limits' | 'minmax'>('limits');
  const [bins, setBins] = useState(256);
  const [logY, setLogY] = useState(true);
  const limits = frame?.drawn;
  const box = source === 'region' ? region : undefined;
  const ready = frame?.info && limits && Number.isFinite(limits.low) && frame.progress[frame.plane]?.loadedRows === frame.progress[frame.plane]?.height;
  const ref = frame && { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice };
  const answer = useAsk(
    ready && ref ? () => inspector().histogram({ ref, box, range: range === 'limits' ? limits! : 'minmax', bins }) : undefined,
    JSON.stringify([ready, ref, box, range, limits, bins]),
  );
  const h = answer.value;
  const figure = useMemo(() => {
    if (!h) return undefined;
    const centres = Array.from({ length: h.counts.length }, (_, i) => (h.edges[i] + h.edges[i + 1]) / 2);
    // A filled step line, as DS9 draws its pixel distribution (thin bars leave seams between them).
    const data = [{ type: 'scatter', mode: 'lines', x: centres, y: Array.from(h.counts), line: { color: '#5da9e9', width: 1, shape: 'hvh' }, fill: 'tozeroy', fillcolor: 'rgba(93,169,233,0.35)', hovertemplate: '%{x:.6g}: %{y} px<extra></extra>' }];
    const shapes = range === 'minmax' && limits
      ? [limits.low, limits.high].map((x) => ({ type: 'line', x0: x, x1: x, yref: 'paper', y0: 0, y1: 1, line: { color: '#f4d35e', width: 1, dash: 'dot' } }))
      : [];
    return { data, layout: { shapes, xaxis: { ...AXIS, title: { text: `${frame?.plane.toUpperCase()} value` } }, yaxis: { ...AXIS, type: logY ? 'log' : 'linear', ...(logY ? { dtick: 1, exponentformat: 'power' } : {}), title: { text: 'pixels' } } } };
  }, [h, logY, range, limits, frame?.plane]);

  if (!frame) return null;
  let peak = -1;
  if (h) for (let i = 0; i < h.counts.length; i++) if (peak < 0 || h.counts[i] > h.counts[peak]) peak = i;
  const inRange = h ? h.counts.reduce((a, c) => a + c, 0) : 0;
  return (
    <div className="panel-body">
      <div className="panel-controls">
        <div className="segmented" role="group" aria-label="Histogram of">
          <button aria-pressed={source === 'frame'} onClick={() => setSource('frame')}>Frame</button>
          <button aria-pressed={source === 'region'} disabled={!region} title={region ? sectionOf(region) : 'Draw a region with the Region tool'} onClick={() => setSource('region')}>Region</button>
        </div>
        <select aria-label="Histogram range" value={range} onChange={(e) => setRange(e.target.value as 'limits' | 'minmax')}>
          <option value="limits">within the limits</option>
          <option value="minmax">min to max</option>
        </select>
        <select aria-label="Bins" value={bins} onChange={(e) => setBins(Number(e.target.value))}>
          {BINS.map((b) => <option key={b} value={b}>{b} bins</option>)}
        </select>
        <label className="check"><input type="checkbox" checked={logY} onChange={(e) => setLogY(e.target.checked)} /> log</label>
      </div>
      {answer.error && <p className="rb-error" role="alert">{answer.error}</p>}
      {!ready && !answer.error && <p className="muted">Waiting for the pixels…</p>}
      {figure && <Plot data={figure.data} layout={figure.layout} label="Histogram" />}
      {h && (
        <p className="small histogram-summary" data-testid="histogram-summary">
          <span data-testid="hist-npix">{h.npix.toLocaleString()}</span> pixels{box ? ` in ${sectionOf(box)}` : ''}: {h.counts.length} bins from {formatValue(h.edges[0])} to {formatValue(h.edges[h.edges.length - 1])},{' '}
          <span data-testid="hist-in">{inRange.toLocaleString()}</span> within, <span data-testid="hist-below">{h.underflow.toLocaleString()}</span> below,{' '}
          <span data-testid="hist-above">{h.overflow.toLocaleString()}</span> above, {h.nanCount.toLocaleString()} NaN; fullest bin {formatValue((h.edges[peak] + h.edges[peak + 1]) / 2)} ({h.counts[peak].toLocaleString()})
        </p>
      )}
    </div>
  );
}
