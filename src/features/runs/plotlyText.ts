/**
 * Plotly reads its label strings as a small HTML dialect: <b>, <i>, <a href>,
 * <br>, <span style> become formatting, and entities such as &lt; are decoded.
 * A filter name or file name from a header is data, so its & < > are written
 * as entities: Plotly decodes them back and draws the text exactly as it is.
 */
export function plotlyText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
