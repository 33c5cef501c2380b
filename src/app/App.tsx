/** The shell: title bar, storage status, and the views. Composes features; owns nothing else. */
import { useEffect } from 'react';
import { DropZone, LibraryView, StorageMeter } from '../features/library';
import { sweepOrphanStrips } from '../db/products';
import { getDb } from '../db/schema';

export function App() {
  useEffect(() => {
    // Strips of a product whose run was cut off by a reload or crash are never listed: reclaim their space.
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
