/** The measurements beside the image, one tab each: histogram, cuts, region statistics, radial profile, 3D surface, header. */
import { HeaderViewer } from '../../../ui/HeaderViewer';
import { currentFrame, frameError, useInspector, type Panel } from '../store';
import { CutsPanel } from './CutsPanel';
import { HistogramPanel } from './HistogramPanel';
import { RadialPanel } from './RadialPanel';
import { RegionPanel } from './RegionPanel';
import { SurfacePanel } from './SurfacePanel';

const TABS: { id: Panel; label: string; key: string }[] = [
  { id: 'histogram', label: 'Histogram', key: 'h' },
  { id: 'cuts', label: 'Cuts', key: 'l, c' },
  { id: 'region', label: 'Region', key: 'm' },
  { id: 'radial', label: 'Radial', key: 'r' },
  { id: 'surface', label: '3D', key: 'w' },
  { id: 'header', label: 'Header', key: '' },
];

export function AnalysisPanel() {
  const panel = useInspector((s) => s.panel);
  const setPanel = useInspector((s) => s.setPanel);
  const frame = useInspector(currentFrame);
  const error = frameError(frame);
  return (
    <section className="analysis" aria-label="Analysis">
      <div className="analysis-tabs" role="tablist" aria-label="Analysis">
        {TABS.map((t) => (
          <button key={t.id} role="tab" aria-selected={panel === t.id} className={`tab${panel === t.id ? ' active' : ''}`} title={t.key ? `key: ${t.key}` : undefined} onClick={() => setPanel(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="analysis-body" role="tabpanel" aria-label={TABS.find((t) => t.id === panel)?.label}>
        {error && panel !== 'header' && <p className="muted">Nothing to measure: {error}</p>}
        {!error && panel === 'histogram' && <HistogramPanel />}
        {!error && panel === 'cuts' && <CutsPanel />}
        {!error && panel === 'region' && <RegionPanel />}
        {!error && panel === 'radial' && <RadialPanel />}
        {!error && panel === 'surface' && <SurfacePanel />}
        {panel === 'header' && (frame ? <HeaderViewer fileId={frame.fileId} initialHdu={frame.info?.images[frame.image]?.hdus.sci ?? 0} wrap /> : null)}
      </div>
    </section>
  );
}
