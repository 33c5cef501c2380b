/**
 * Night quality: FWHM, sky level and sky noise of every reduced frame against
 * time, one trace per filter; frames a stack left out are drawn as crosses.
 * Clicking a point shows that frame in the library. Plotly's basic bundle is
 * loaded as soon as the chart is mounted, in idle time, before any point is
 * there to draw (../../ui/plotly.ts says why).
 */
import { useEffect, useRef, useState } from 'react';
import { useReduction } from '../../ui/reduction';
import { useThrottled } from '../../ui/useThrottled';
import { useNav } from '../../ui/nav';
import { isoDate } from '../../ui/time';
import { loadPlotlyBasic, preload } from '../../ui/plotly';
import { commonUnit, type QualityPoint } from './qualityPoints';
import { plotlyText } from './plotlyText';

const COLORS = ['#5da9e9', '#f4d35e', '#4cc38a', '#ef6b6b', '#a78bfa', '#ef9b6b', '#8e9aaf'];

function traces(points: readonly QualityPoint[]): unknown[] {
  const filters = [...new Set(points.map((p) => p.filter))];
  const out: unknown[] = [];
  filters.forEach((filter, k) => {
    const pts = points.filter((p) => p.filter === filter);
    const color = COLORS[k % COLORS.length];
    const x = pts.map((p) => new Date(p.time).toISOString());
    const marker = { color, size: 9, symbol: pts.map((p) => (p.leftOut ? 'x' : 'circle')), line: { width: 1, color: '#0e141d' } };
    const text = pts.map((p) => `${plotlyText(p.name)}${p.leftOut ? `<br>left out of the stack: ${plotlyText(p.leftOut)}` : ''}`);
    const name = plotlyText(filter);
    const common = { type: 'scatter', mode: 'lines+markers', x, text, customdata: pts.map((p) => p.id), legendgroup: filter, marker, line: { color, width: 1 } };
    out.push({ ...common, y: pts.map((p) => p.fwhm), name, yaxis: 'y', hovertemplate: '%{text}<br>FWHM %{y:.2f} px<br>%{x} UTC<extra>%{fullData.name}</extra>' });
    out.push({ ...common, y: pts.map((p) => p.sky), name, yaxis: 'y2', showlegend: false, hovertemplate: '%{text}<br>sky %{y:.1f}<br>%{x} UTC<extra>%{fullData.name}</extra>' });
    out.push({ ...common, y: pts.map((p) => p.skyNoise), name, yaxis: 'y3', showlegend: false, hovertemplate: '%{text}<br>sky noise %{y:.2f}<br>%{x} UTC<extra>%{fullData.name}</extra>' });
  });
  return out;
}

const AXIS = { gridcolor: '#283446', zerolinecolor: '#283446', linecolor: '#283446' };

/**
 * While a reduction runs, the chart is redrawn at most this often (with the
 * latest points), and at once when it ends. Redrawn at every reduced frame it
 * added to the reduction's peak: on the browser bench night, seven nights of
 * each, alternately, peaks 947-961 MiB (mean 954) against 959-997 (mean 971),
 * the reduction as fast (means 15.2 and 15.3 s) (2026-12-02).
 */
export const REDRAW_WHILE_REDUCING_MS = 5000;

export function QualityChart({ points: latest }: { points: readonly QualityPoint[] }) {
  const reducing = useReduction((s) => s.active !== undefined);
  const points = useThrottled(latest, reducing ? REDRAW_WHILE_REDUCING_MS : undefined);
  const ref = useRef<HTMLDivElement>(null);
  const showInLibrary = useNav((s) => s.showInLibrary);
  const [error, setError] = useState<string>();

  useEffect(() => {
    const root = ref.current;
    if (!root || !points.length) return;
    let cancelled = false;
    void loadPlotlyBasic()
      .then(async ({ default: Plotly }) => {
        if (cancelled) return;
        const unit = commonUnit(points);
        const layout = {
          paper_bgcolor: '#151d29',
          plot_bgcolor: '#0e141d',
          font: { color: '#dbe3ee', size: 11 },
          margin: { l: 56, r: 12, t: 36, b: 44 },
          height: 380,
          showlegend: true,
          // Above the top panel, in the margin: never over a point.
          legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1.01, yanchor: 'bottom', title: { text: 'filter ' } },
          // Times as the rest of the app shows them (ISO, UTC): the hours on the ticks, the first date in the title.
          xaxis: { ...AXIS, type: 'date', anchor: 'y3', tickformat: '%H:%M', hoverformat: '%Y-%m-%d %H:%M:%S', title: { text: `time (UTC) from ${isoDate(Math.min(...points.map((p) => p.time)))}` } },
          yaxis: { ...AXIS, domain: [0.69, 1], title: { text: 'FWHM (px)' } },
          yaxis2: { ...AXIS, domain: [0.36, 0.64], title: { text: unit ? `sky (${unit})` : 'sky' } },
          yaxis3: { ...AXIS, domain: [0, 0.31], title: { text: unit ? `sky noise (${unit})` : 'sky noise' } },
          hovermode: 'closest',
        };
        const el = await Plotly.react(root, traces(points), layout, { displaylogo: false, responsive: true });
        el.removeAllListeners?.('plotly_click');
        el.on('plotly_click', (e) => {
          const id = e.points[0]?.customdata;
          if (typeof id === 'string') showInLibrary(id);
        });
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [points, showInLibrary]);

  // Loaded before the first point comes: not at the end of a run, when the worker waits for the page.
  useEffect(() => preload(loadPlotlyBasic), []);

  useEffect(() => {
    const root = ref.current;
    return () => {
      if (root) void loadPlotlyBasic().then(({ default: Plotly }) => Plotly.purge(root));
    };
  }, []);

  if (!points.length) return <p className="muted">No reduced frame yet: the chart fills as frames are reduced.</p>;
  return (
    <>
      {error && <p className="rb-error" role="alert">The chart could not be drawn: {error}</p>}
      <div ref={ref} className="quality-chart" role="img" aria-label={`Night quality of ${points.length} reduced frame${points.length === 1 ? '' : 's'}`} data-points={points.length} />
    </>
  );
}
