/**
 * Export and import of the whole workspace from the page: the archive is built
 * as a Blob and downloaded; an imported archive is read from the chosen File by
 * offset. State for the progress line and the outcome.
 */
import { create } from 'zustand';
import { getDb } from '../../db/schema';
import { exportWorkspace, importWorkspace, type ImportSummary, type WorkspaceProgress } from '../../db/workspace';
import { ARCHIVE_SUFFIX } from '../../core/workspace/format';
import type { ByteSource } from '../../core/workspace/archive';
import { downloadBlob } from '../../ui/download';

export interface WorkspaceJob {
  kind: 'export' | 'import';
  running: boolean;
  /** The archive's file name. */
  name: string;
  progress?: WorkspaceProgress;
  /** How it ended: a summary, or the reason it failed (nothing was changed). */
  result?: string;
  error?: string;
  startedAt: number;
}

interface WorkspaceState {
  job?: WorkspaceJob;
  set(job?: WorkspaceJob): void;
  patch(p: Partial<WorkspaceJob>): void;
}

export const useWorkspaceJob = create<WorkspaceState>((set) => ({
  job: undefined,
  set: (job) => set({ job }),
  patch: (p) => set((s) => (s.job ? { job: { ...s.job, ...p } } : {})),
}));

/**
 * The archive's bytes become Blobs of about this size as they are made, so the
 * page's heap holds at most this much of the archive (plus the ~8 MB of strips
 * being read); the browser keeps Blob data in its own blob store, which moves
 * it to disk when it grows past its memory budget (Chromium does).
 */
const BLOB_PART_BYTES = 16 * 2 ** 20;

/** Collects the archive into one Blob without holding it in the JS heap. */
export function blobSink() {
  const parts: Blob[] = [];
  let pending: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (!pending.length) return;
    parts.push(new Blob(pending as BlobPart[]));
    pending = [];
    size = 0;
  };
  return {
    write(chunk: Uint8Array) {
      // The writer never reuses a chunk it handed over (strips are fresh reads), so no copy here.
      pending.push(chunk);
      size += chunk.length;
      if (size >= BLOB_PART_BYTES) flush();
    },
    blob(type: string): Blob {
      flush();
      return new Blob(parts, { type });
    },
  };
}

/** Random access to a File (or any Blob) without reading it whole. */
export function blobSource(blob: Blob): ByteSource {
  return { size: blob.size, read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()) };
}

const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/:/g, '');

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function exportWorkspaceToDownload(): Promise<void> {
  const { job, set, patch } = useWorkspaceJob.getState();
  if (job?.running) return;
  const now = new Date();
  const name = `workspace-${stamp(now)}${ARCHIVE_SUFFIX}`;
  set({ kind: 'export', running: true, name, startedAt: performance.now() });
  try {
    const sink = blobSink();
    const manifest = await exportWorkspace(getDb(), (c) => sink.write(c), { now, onProgress: (progress) => patch({ progress }) });
    const blob = sink.blob('application/x-tar');
    downloadBlob(name, blob);
    const c = manifest.counts;
    patch({ running: false, result: `Exported ${n(c.files, 'file')} (${n(c.strips, 'pixel strip')}), ${n(c.runs, 'run')}, ${n(c.pins, 'pin')}, ${n(c.params, 'parameter set or preset', 'parameter sets and presets')} to ${name} (${(blob.size / 1e6).toFixed(1)} MB).` });
  } catch (err) {
    patch({ running: false, error: `Export failed: ${describe(err)}` });
  }
}

export function importSummaryText(name: string, s: ImportSummary): string {
  const a = s.added;
  const kept = Object.entries(s.kept).filter(([, n]) => n > 0).map(([t, n]) => `${n} ${t}`);
  return `Imported ${name}: ${n(a.files, 'file')}, ${n(a.runs, 'run')}, ${n(a.pins, 'pin')}, ${n(a.params, 'parameter set or preset', 'parameter sets and presets')}, ${n(a.exclusions, 'exclusion')}, ${n(a.overrules, 'overrule')} added`
    + (kept.length ? `; already here and kept as they are: ${kept.join(', ')}.` : '.');
}

export async function importWorkspaceFile(file: File): Promise<void> {
  const { job, set, patch } = useWorkspaceJob.getState();
  if (job?.running) return;
  set({ kind: 'import', running: true, name: file.name, startedAt: performance.now() });
  try {
    const summary = await importWorkspace(getDb(), blobSource(file), { onProgress: (progress) => patch({ progress }) });
    patch({ running: false, result: importSummaryText(file.name, summary) });
  } catch (err) {
    patch({ running: false, error: `${file.name} was not imported, nothing was changed: ${describe(err)}` });
  }
}
