/** The library: everything stored, tagged, searchable; the starting point of every reduction. */
import { useEffect, useMemo } from 'react';
import { compileSelect } from '../../core/classify';
import { listFiles } from '../../db/files';
import { getDb } from '../../db/schema';
import { FileTable } from './FileTable';
import { HeaderViewer } from './HeaderViewer';
import { IngestProgress } from './IngestProgress';
import { WorkspaceStatus } from './WorkspaceStatus';
import { SELECT_FIELDS, leftOutOf, selectRow, toRow } from './rows';
import { useLibrary } from './store';
import { Toolbar } from './Toolbar';
import { useThrottledLiveQueryState } from '../../ui/useThrottledLiveQuery';
import { ViewGuard } from '../../ui/QueryError';
import { useNav } from '../../ui/nav';
import { usePlan } from '../../ui/usePlan';

export function LibraryView() {
  // A failed read shows in the banner above the view (with the plan's, which reads the same tables), with Retry.
  const { value: files, error } = useThrottledLiveQueryState(() => listFiles(getDb()), ['files'], { banner: true });
  const expression = useLibrary((s) => s.expression);
  const notice = useLibrary((s) => s.notice);
  const setNotice = useLibrary((s) => s.setNotice);
  const headerOpen = useLibrary((s) => !!s.headerFileId);
  const { stale } = usePlan();
  const entries = useMemo(() => {
    const leftOut = leftOutOf(files ?? []);
    return (files ?? []).map((f) => { const row = toRow(f, stale.has(f.id), leftOut.get(f.id)); return { row, sel: selectRow(f, row) }; });
  }, [files, stale]);
  // Another view asked to see a file here (a point of the night-quality chart): select it and open its header.
  const focus = useNav((s) => s.focus);
  useEffect(() => {
    if (!focus) return;
    const lib = useLibrary.getState();
    lib.setExpression('');
    lib.setSelection({ [focus.fileId]: true });
    lib.showHeader(focus.fileId);
  }, [focus]);
  const rows = useMemo(() => entries.map((e) => e.row), [entries]);
  // What the table was built from: the ingest's "Done" waits for every file it stored to be here.
  const listed = useMemo(() => (files ? new Set(files.map((f) => f.id)) : undefined), [files]);
  const shown = useMemo(() => {
    if (!expression.trim()) return rows;
    try {
      const match = compileSelect(expression, SELECT_FIELDS);
      return entries.filter((e) => match(e.sel)).map((e) => e.row);
    } catch {
      return rows; // the toolbar shows the error; keep the list usable meanwhile
    }
  }, [entries, rows, expression]);

  return (
    <div className={`library${headerOpen ? ' with-panel' : ''}`}>
      <Toolbar shown={shown} total={rows.length} />
      <IngestProgress listed={listed} />
      <WorkspaceStatus />
      {notice && (
        <div className="notice" role="status">
          {notice} <button className="icon-btn" aria-label="Dismiss notice" onClick={() => setNotice(undefined)}>×</button>
        </div>
      )}
      <div className="library-body">
        {files === undefined ? !error && <p className="muted">Opening the library…</p> : <FileTable rows={shown} libraryEmpty={rows.length === 0} />}
        {/* Its reads throw into the render when they fail: they take down the panel, not the table. */}
        <ViewGuard what="the header viewer">
          <HeaderViewer />
        </ViewGuard>
      </div>
    </div>
  );
}
