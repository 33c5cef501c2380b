/** The runs view (being built: see issue 7). */
export function RunsView() {
  return <div className="view-runs" />;
}
