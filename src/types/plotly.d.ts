/**
 * The small part of plotly.js the views use (plotly.js-dist-min ships no
 * types). Figures are plain data, so `unknown`-typed fields are honest here.
 */
declare module 'plotly.js-dist-min' {
  export interface PlotlyHTMLElement extends HTMLElement {
    on(event: 'plotly_click', handler: (e: { points: { customdata?: unknown; curveNumber: number; pointNumber: number }[] }) => void): void;
    removeAllListeners?(event: string): void;
  }
  export function react(root: HTMLElement, data: unknown[], layout?: Record<string, unknown>, config?: Record<string, unknown>): Promise<PlotlyHTMLElement>;
  export function purge(root: HTMLElement): void;
  const Plotly: { react: typeof react; purge: typeof purge };
  export default Plotly;
}
