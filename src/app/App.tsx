/** The shell: title bar, storage status, the views as tabs. Composes features; owns nothing else. */
import { useEffect } from 'react';
import { DropZone, LibraryView, StorageMeter } from '../features/library';
import { CalibrationsView } from '../features/calibrations';
import { RecipesView } from '../features/recipes';
import { RunsView } from '../features/runs';
import { InspectorView } from '../features/inspector';
import { sweepOrphanStrips } from '../db/products';
import { getDb } from '../db/schema';
import { sweepInterruptedRuns, warmPipeline } from '../../workers/pipelineClient';
import { warmInspector } from '../../workers/inspectorClient';
import { TABS, useNav, type Tab } from '../ui/nav';
import { useReduction } from '../ui/reduction';
import { FailedQueries, ViewGuard } from '../ui/QueryError';
import { useLibrary } from '../features/library/store';
import { UpdateNotice } from './UpdateNotice';
import { onTabListKey } from '../ui/tabKeys';

const VIEWS: Record<Tab, () => React.ReactElement> = {
  library: LibraryView,
  calibrations: CalibrationsView,
  recipes: RecipesView,
  runs: RunsView,
  inspector: InspectorView,
};

export function App() {
  const tab = useNav((s) => s.tab);
  const setTab = useNav((s) => s.setTab);
  const running = useReduction((s) => !!s.active);
  const ingesting = useLibrary((s) => s.ingest.running);
  useEffect(() => {
    // Runs a previous page left queued or running were interrupted; the strips their products had
    // written are never listed: say so, and reclaim the space.
    void sweepInterruptedRuns(getDb()).catch((err: unknown) => console.warn('run sweep failed', err));
    void sweepOrphanStrips(getDb()).catch((err: unknown) => console.warn('storage sweep failed', err));
    warmInspector();
    warmPipeline();
  }, []);
  const View = VIEWS[tab];
  return (
    <DropZone>
      <div className="app">
        <header className="topbar">
          <div className="brand">
            <img src="./favicon.svg" alt="" width={22} height={22} />
            <span>CCD Workbench</span>
          </div>
          <nav
            className="tabs"
            role="tablist"
            aria-label="Views"
            onKeyDown={(e) => onTabListKey(e, TABS.findIndex((t) => t.id === tab), TABS.length, (next) => setTab(TABS[next].id))}
          >
            {TABS.map((t) => (
              <button
                key={t.id}
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                tabIndex={tab === t.id ? 0 : -1}
                aria-controls="view"
                className={`tab${tab === t.id ? ' active' : ''}`}
                onClick={() => setTab(t.id)}
              >
                {t.label}
                {t.id === 'runs' && running && <span className="tab-dot" aria-label="reduction running" />}
              </button>
            ))}
          </nav>
          <StorageMeter />
        </header>
        <UpdateNotice busy={running || ingesting} />
        <main id="view" role="tabpanel" aria-labelledby={`tab-${tab}`}>
          <FailedQueries />
          <ViewGuard key={tab} what={`the ${tab} view`}>
            <View />
          </ViewGuard>
        </main>
      </div>
    </DropZone>
  );
}
