/** The shell: title bar, storage status, and the views. Composes features; owns nothing else. */
import { useEffect } from 'react';
import { DropZone, LibraryView, StorageMeter } from '../features/library';
import { sweepOrphanStrips } from '../db/products';
import { getDb } from '../db/schema';
import { sweepInterruptedRuns } from '../../workers/pipelineClient';

export function App() {
  useEffect(() => {
    // Runs a previous page left queued or running were interrupted; the strips their products had
    // written are never listed: say so, and reclaim the space.
    void sweepInterruptedRuns(getDb()).catch((err: unknown) => console.warn('run sweep failed', err));
    void sweepOrphanStrips(getDb()).catch((err: unknown) => console.warn('storage sweep failed', err));
  }, []);
  return (
    <DropZone>
      <div className="app">
        <header className="topbar">
          <div className="brand">
            <img src="./favicon.svg" alt="" width={22} height={22} />
            <span>CCD Workbench</span>
          </div>
          <nav className="tabs" aria-label="Views">
            <span className="tab active" aria-current="page">Library</span>
          </nav>
          <StorageMeter />
        </header>
        <main>
          <LibraryView />
        </main>
      </div>
    </DropZone>
  );
}
