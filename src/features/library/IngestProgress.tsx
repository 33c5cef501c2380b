/**
 * Progress of the current ingest batch: files done / total, MB/s, cancel,
 * per-file problems and warnings. "Done" waits for the listing (`listed`:
 * the ids the library table was built from) to show every file the batch
 * stored, so the two never disagree (src/ui/useCaughtUp.ts).
 */
import { useMemo } from 'react';
import { useCaughtUp } from '../../ui/useCaughtUp';
import { cancelIngest } from './ingestController';
import { formatBytes } from './format';
import { useLibrary, type IngestProblem } from './store';

export function IngestProgress({ listed }: { listed?: ReadonlySet<string> }) {
  const ingest = useLibrary((s) => s.ingest);
  const setIngest = useLibrary((s) => s.setIngest);
  const ended = useMemo(() => (ingest.endedAt ? { at: ingest.endedAt, ids: ingest.ids } : undefined), [ingest.endedAt, ingest.ids]);
  const settled = useCaughtUp(ended, listed);
  if (!ingest.total) return null;
  const listing = !ingest.running && !settled;
  const seconds = Math.max(1e-3, (performance.now() - ingest.startedAt) / 1000);
  const rate = ingest.bytesDone / 1e6 / seconds;
  const pct = Math.round((100 * ingest.done) / ingest.total);
  return (
    <section className={`ingest ${ingest.running ? 'running' : 'finished'}`} aria-label="Ingest progress">
      <div className="ingest-line">
        <span>
          {ingest.running || listing ? ingest.label : ingest.cancelled ? 'Stopped' : 'Done'}: {ingest.done} / {ingest.total} files
          {' · '}{formatBytes(ingest.bytesDone)}{ingest.running ? ` · ${rate.toFixed(1)} MB/s` : ''}
          {ingest.stored ? ` · ${ingest.stored} added` : ''}
          {ingest.duplicates ? ` · ${ingest.duplicates} already in the library` : ''}
          {ingest.failed ? ` · ${ingest.failed} with errors` : ''}
          {ingest.warnings.length ? ` · ${ingest.warnings.length} read with warnings` : ''}
          {listing ? ' · listing them…' : ''}
        </span>
        {ingest.running ? (
          <button onClick={cancelIngest}>Cancel</button>
        ) : (
          <button className="icon-btn" aria-label="Dismiss" onClick={() => setIngest({ total: 0, problems: [], warnings: [], copies: [] })}>×</button>
        )}
      </div>
      <div
        className={`progress${ingest.failed ? ' with-errors' : ''}`}
        role="progressbar"
        aria-label="Files processed"
        aria-valuemin={0}
        aria-valuemax={ingest.total}
        aria-valuenow={ingest.done}
        aria-valuetext={`${ingest.done} of ${ingest.total} files, ${rate.toFixed(1)} MB/s`}
      >
        <div className="progress-fill" style={{ transform: `scaleX(${pct / 100})` }} />
      </div>
      <Messages kind="warnings" label="Files read with warnings" items={ingest.warnings} />
      <Messages kind="copies" label="Files already in the library under another name" items={ingest.copies} />
      <Messages kind="" label="Files with errors" items={ingest.problems} />
    </section>
  );
}

/** One list of the batch's per-file messages (the last 20), when it has any. */
function Messages({ kind, label, items }: { kind: string; label: string; items: readonly IngestProblem[] }) {
  if (!items.length) return null;
  return (
    <ul className={`problems ${kind}`.trim()} aria-label={label}>
      {items.slice(-20).map((p, i) => <li key={i}>{p.message}</li>)}
    </ul>
  );
}
