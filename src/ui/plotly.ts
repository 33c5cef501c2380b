/**
 * plotly.js, loaded on first use, in one of two bundles:
 * - `loadPlotly`: the strict bundle (4.9 MB), every trace type without
 *   'unsafe-eval' (src/types/plotly.d.ts): the inspector's plots, a 3-D
 *   surface among them.
 * - `loadPlotlyBasic`: the basic bundle (1.2 MB: scatter, bar, pie; nothing in
 *   it builds code with Function()), for charts that draw only those: the
 *   Runs view's night quality.
 *
 * Loading holds the page's thread. On this project's machine (2 cores) the
 * strict bundle took 1.5 s from the call to a module ready, and as the
 * night-quality chart was drawn when the first frame was reduced, that load
 * landed just as a run ended, when the pipeline worker waits for the page to
 * hand it the next run: ~0.5 s of the reduction idle, and ~40 MB more for the
 * page (`npm run bench:browser:night`). So that chart uses the basic bundle,
 * asked for in idle time as soon as the chart is mounted (`preload`).
 */
type PlotlyModule = typeof import('plotly.js-strict-dist-min');

function loader(load: () => Promise<PlotlyModule>): () => Promise<PlotlyModule> {
  let loading: Promise<PlotlyModule> | undefined;
  return () => {
    // One load per page; a failed one (a network hiccup before the app was cached) is tried again next time.
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}

/** The strict bundle: every trace type. */
export const loadPlotly = loader(() => import('plotly.js-strict-dist-min'));

/** The basic bundle: scatter, bar and pie only. */
export const loadPlotlyBasic = loader(() => import('plotly.js-basic-dist-min'));

/** Runs `load` when the page is next idle (within 2 s at most); returns a cancel. */
export function preload(load: () => Promise<unknown>): () => void {
  const start = () => void load().catch(() => undefined);
  if (typeof requestIdleCallback !== 'function') {
    const t = setTimeout(start, 500);
    return () => clearTimeout(t);
  }
  const id = requestIdleCallback(start, { timeout: 2000 });
  return () => cancelIdleCallback(id);
}
