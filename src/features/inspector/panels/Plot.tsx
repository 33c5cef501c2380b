/**
 * A plotly.js figure, loaded on first use (plotly is most of the page's
 * code), in the workbench's dark theme. Figures are plain data; the element
 * keeps plotly's `data` for anyone reading the plot back (the e2e tests do).
 */
import { useEffect, useRef, useState } from 'react';
import { loadPlotly } from '../../../ui/plotly';

export const AXIS = { gridcolor: '#283446', zerolinecolor: '#283446', linecolor: '#3a475b', automargin: true };

export function themed(layout: Record<string, unknown>): Record<string, unknown> {
  return {
    paper_bgcolor: '#151d29',
    plot_bgcolor: '#0e141d',
    font: { color: '#dbe3ee', size: 11 },
    margin: { l: 56, r: 12, t: 10, b: 40 },
    showlegend: false,
    ...layout,
  };
}

export function Plot({ data, layout, label, height = 240 }: { data: unknown[]; layout: Record<string, unknown>; label: string; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    let cancelled = false;
    void loadPlotly()
      .then(({ default: Plotly }) => {
        if (cancelled) return;
        return Plotly.react(root, data, themed({ height, ...layout }), { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] });
      })
      .then(() => root.setAttribute('data-ready', 'true'))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [data, layout, height]);
  useEffect(() => {
    const root = ref.current;
    return () => {
      if (root) void loadPlotly().then(({ default: Plotly }) => Plotly.purge(root));
    };
  }, []);
  return (
    <>
      {error && <p className="rb-error" role="alert">The plot could not be drawn: {error}</p>}
      <div ref={ref} className="plot" role="img" aria-label={label} />
    </>
  );
}
