/** Progress and outcome of a workspace export or import, under the library's toolbar. */
import { useWorkspaceJob } from './workspaceController';
import { formatBytes } from './format';

const PHASE: Record<string, string> = { checking: 'checking the archive', pixels: 'pixels', writing: 'writing pixels', reading: 'reading' };

export function WorkspaceStatus() {
  const job = useWorkspaceJob((s) => s.job);
  const set = useWorkspaceJob((s) => s.set);
  if (!job) return null;
  const p = job.progress;
  const frac = p && p.total ? p.done / p.total : 0;
  const what = job.kind === 'export' ? 'Exporting the workspace' : `Importing ${job.name}`;
  const amount = p ? (p.phase === 'checking' ? `${formatBytes(p.done)} of ${formatBytes(p.total)}` : `${p.done} of ${p.total} strips`) : '';
  return (
    <section className={`ingest workspace-job ${job.running ? 'running' : 'finished'}`} aria-label="Workspace archive">
      <div className="ingest-line">
        {job.running ? (
          <span>{what}{p ? `: ${PHASE[p.phase]}, ${amount}` : '…'}</span>
        ) : job.error ? (
          <span className="workspace-error" role="alert" style={{ color: 'var(--err)' }}>{job.error}</span>
        ) : (
          <span role="status">{job.result}</span>
        )}
        {!job.running && <button className="icon-btn" aria-label="Dismiss" onClick={() => set(undefined)}>×</button>}
      </div>
      {job.running && (
        <div className="progress" role="progressbar" aria-label={what} aria-valuemin={0} aria-valuemax={1} aria-valuenow={frac}>
          <div className="progress-fill" style={{ transform: `scaleX(${frac})` }} />
        </div>
      )}
    </section>
  );
}
