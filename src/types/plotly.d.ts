/**
 * The small part of plotly.js the views use (plotly.js-strict-dist-min ships no
 * types). The strict bundle: its regl-based traces run precompiled code
 * instead of code generated with Function(), so no trace plotly may draw
 * needs 'unsafe-eval'; the page's Content-Security-Policy has none
 * (e2e/csp.spec.ts draws every plot we use under it). Figures are plain data, so `unknown`-typed fields are honest here.
 */
declare module 'plotly.js-strict-dist-min' {
  export interface PlotlyHTMLElement extends HTMLElement {
    on(event: 'plotly_click', handler: (e: { points: { customdata?: unknown; curveNumber: number; pointNumber: number }[] }) => void): void;
    removeAllListeners?(event: string): void;
  }
  export function react(root: HTMLElement, data: unknown[], layout?: Record<string, unknown>, config?: Record<string, unknown>): Promise<PlotlyHTMLElement>;
  export function purge(root: HTMLElement): void;
  const Plotly: { react: typeof react; purge: typeof purge };
  export default Plotly;
}

/** The basic bundle (scatter, bar, pie): the same API for the traces it has. */
declare module 'plotly.js-basic-dist-min' {
  export * from 'plotly.js-strict-dist-min';
  export { default } from 'plotly.js-strict-dist-min';
}
