/** Library actions: add files, demo night, selection expression, grouping, retagging, export, delete. */
import { useRef } from 'react';
import { compileSelect } from '../../core/classify';
import { deleteFiles, retagFiles } from '../../db/files';
import { getDb } from '../../db/schema';
import { collectFromInput } from './collectFiles';
import { rowsToCsv } from './csv';
import { ingestFiles, loadDemoNight } from './ingestController';
import type { LibraryRow } from './rows';
import { SELECT_FIELDS } from './rows';
import { useLibrary, type GroupBy } from './store';
import { downloadText } from '../../ui/download';
import { exportWorkspaceToDownload, importWorkspaceFile, useWorkspaceJob } from './workspaceController';
import { ARCHIVE_SUFFIX } from '../../core/workspace/format';
import { useReduction } from '../../ui/reduction';

const TAGS = ['bias', 'dark', 'flat', 'science', 'unclassified'] as const;

export function expressionError(expr: string): string | undefined {
  if (!expr.trim()) return undefined;
  try {
    compileSelect(expr, SELECT_FIELDS);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function Toolbar({ shown, total }: { shown: LibraryRow[]; total: number }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const archiveRef = useRef<HTMLInputElement>(null);
  const archiving = useWorkspaceJob((s) => !!s.job?.running);
  // An import changes the plan a reduction is running; it waits for the reduction to end.
  const reducing = useReduction((s) => !!s.active || s.starting);
  const { expression, setExpression, groupBy, setGroupBy, selection, setSelection, ingest, setNotice } = useLibrary();
  const selectedIds = Object.keys(selection).filter((id) => selection[id]);
  const exprError = expressionError(expression);

  const onFiles = (list: FileList | null) => {
    if (!list?.length) return;
    const { files, skipped } = collectFromInput(list);
    if (skipped.length) setNotice(`${skipped.length} non-FITS file(s) in the folder were skipped.`);
    void ingestFiles(files);
  };

  const retag = async (type: (typeof TAGS)[number] | null) => {
    await retagFiles(getDb(), selectedIds, type ? { type, reason: `set by you to ${type}` } : null);
    setNotice(type ? `${selectedIds.length} file(s) retagged as ${type}.` : `${selectedIds.length} file(s) returned to their automatic tag.`);
  };

  return (
    <div className="toolbar" role="toolbar" aria-label="Library actions">
      <div className="tb-group">
        {/* The hidden inputs are reached through these buttons: out of the Tab order, where they would take focus unseen. */}
        <button className="primary" onClick={() => inputRef.current?.click()}>Add files…</button>
        <input
          ref={inputRef}
          type="file"
          multiple
          accept=".fits,.fit,.fts,.fz,.gz,application/fits,image/fits"
          aria-label="Add FITS files"
          className="visually-hidden"
          tabIndex={-1}
          onChange={(e) => { onFiles(e.target.files); e.target.value = ''; }}
        />
        <button onClick={() => folderRef.current?.click()}>Add folder…</button>
        <input
          ref={(el) => { folderRef.current = el; el?.setAttribute('webkitdirectory', ''); }}
          type="file"
          multiple
          aria-label="Add a folder of FITS files"
          className="visually-hidden"
          tabIndex={-1}
          onChange={(e) => { onFiles(e.target.files); e.target.value = ''; }}
        />
        <button onClick={() => void loadDemoNight()} disabled={ingest.running}>Load demo night</button>
      </div>

      <div className="tb-group grow">
        <label className="expr">
          <span>Select</span>
          <input
            type="search"
            spellCheck={false}
            aria-label="Selection expression"
            aria-invalid={!!exprError}
            placeholder={'type == "flat" and filter == "R"'}
            value={expression}
            onChange={(e) => setExpression(e.target.value)}
          />
        </label>
        <span className="muted small">{shown.length} of {total} files</span>
      </div>

      <div className="tb-group">
        <label>
          Group by{' '}
          <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
            <option value="none">nothing</option>
            <option value="night">night</option>
            <option value="type">type</option>
            <option value="filter">filter</option>
          </select>
        </label>
        <button onClick={() => downloadText('library.csv', rowsToCsv(shown), 'text/csv')} disabled={!shown.length}>Export CSV</button>
      </div>

      <div className="tb-group" aria-label="Workspace archive">
        <button
          onClick={() => void exportWorkspaceToDownload()}
          disabled={archiving || !total}
          title="Everything stored (files, tags, pins, parameters, presets, products, run logs) as one archive"
        >
          Export workspace
        </button>
        <button
          onClick={() => archiveRef.current?.click()}
          disabled={archiving || ingest.running || reducing}
          title={reducing ? 'Wait for the reduction to end' : `Add a workspace archive (${ARCHIVE_SUFFIX}) to this one; nothing here is overwritten`}
        >
          Import workspace…
        </button>
        <input
          ref={archiveRef}
          type="file"
          accept={`${ARCHIVE_SUFFIX},.tar,application/x-tar`}
          aria-label="Import a workspace archive"
          className="visually-hidden"
          tabIndex={-1}
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importWorkspaceFile(f); }}
        />
      </div>

      {/* Its own line under the toolbar: a long message (it lists the known fields) never squeezes the field. */}
      {exprError && <p className="expr-error" role="alert">{exprError}</p>}

      {selectedIds.length > 0 && (
        <div className="tb-group selection-bar" aria-label="Selected files">
          <strong>{selectedIds.length} selected</strong>
          <span className="muted">Tag as</span>
          {TAGS.map((t) => (
            <button key={t} className={`tag-btn type-${t}`} onClick={() => void retag(t)}>{t}</button>
          ))}
          <button onClick={() => void retag(null)} title="Use the automatic tag again">automatic</button>
          <button
            className="danger"
            onClick={async () => {
              if (!confirm(`Delete ${selectedIds.length} file(s) from the browser's storage?`)) return;
              await deleteFiles(getDb(), selectedIds);
              setSelection({});
            }}
          >
            Delete
          </button>
          <button onClick={() => setSelection({})}>Clear selection</button>
        </div>
      )}
    </div>
  );
}
