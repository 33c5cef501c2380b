/** The calibrations view (being built: see issue 7). */
export function CalibrationsView() {
  return <div className="view-calibrations" />;
}
