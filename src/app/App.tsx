/** The shell: title bar, storage status, and the views. Composes features; owns nothing else. */
import { DropZone, LibraryView, StorageMeter } from '../features/library';

export function App() {
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
