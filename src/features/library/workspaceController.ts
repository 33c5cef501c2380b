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

/** The File System Access API's save picker, where the browser has it (Chromium). */
type SavePicker = (opts: { suggestedName: string; types?: { description: string; accept: Record<string, string[]> }[] }) => Promise<{
  createWritable(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
}>;

/**
 * The save picker when the browser has one: the archive then goes straight to
 * the user's file, 16 MB at a time, and neither the page nor the browser holds
 * it (a Blob of a 1 GB workspace was measured holding 1 GB in Chromium's
 * browser process). Under automation (navigator.webdriver) no one can answer
 * the picker (headless Chromium aborts it at once), so the Blob download is
 * used, unless the developer knob localStorage `ccd-workbench:save-picker` is
 * '1' (the e2e test stubs the picker with it).
 */
function savePicker(): SavePicker | undefined {
  const picker = (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  if (!picker) return undefined;
  if (navigator.webdriver && localStorage.getItem('ccd-workbench:save-picker') !== '1') return undefined;
  return picker.bind(window);
}

/** A sink over a writable file stream, in writes of about BLOB_PART_BYTES. */
function streamSink(w: { write(data: Uint8Array): Promise<void> }) {
  let pending: Uint8Array[] = [];
  let size = 0;
  const flush = async () => {
    if (!size) return;
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of pending) { out.set(c, at); at += c.length; }
    pending = [];
    size = 0;
    await w.write(out);
  };
  return {
    async write(chunk: Uint8Array) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= BLOB_PART_BYTES) await flush();
    },
    flush,
  };
}

export async function exportWorkspaceToDownload(): Promise<void> {
  const { job, set, patch } = useWorkspaceJob.getState();
  if (job?.running) return;
  const now = new Date();
  const name = `workspace-${stamp(now)}${ARCHIVE_SUFFIX}`;
  const picker = savePicker();
  let file: Awaited<ReturnType<Awaited<ReturnType<SavePicker>>['createWritable']>> | undefined;
  if (picker) {
    try {
      // First, while the click's user activation lasts.
      const handle = await picker({ suggestedName: name, types: [{ description: 'CCD Workbench workspace', accept: { 'application/x-tar': ['.tar'] } }] });
      file = await handle.createWritable();
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return; // the user closed the picker
      set({ kind: 'export', running: false, name, startedAt: performance.now(), error: `Export failed: ${describe(err)}` });
      return;
    }
  }
  set({ kind: 'export', running: true, name, startedAt: performance.now() });
  try {
    const onProgress = (progress: WorkspaceProgress) => patch({ progress });
    let where: string;
    let manifest;
    if (file) {
      const sink = streamSink(file);
      manifest = await exportWorkspace(getDb(), (c) => sink.write(c), { now, onProgress });
      await sink.flush();
      await file.close();
      where = 'the chosen file';
    } else {
      const sink = blobSink();
      manifest = await exportWorkspace(getDb(), (c) => sink.write(c), { now, onProgress });
      const blob = sink.blob('application/x-tar');
      downloadBlob(name, blob);
      where = `${name} (${(blob.size / 1e6).toFixed(1)} MB)`;
    }
    const c = manifest.counts;
    patch({ running: false, result: `Exported ${n(c.files, 'file')} (${n(c.strips, 'pixel strip')}), ${n(c.runs, 'run')}, ${n(c.pins, 'pin')}, ${n(c.params, 'parameter set or preset', 'parameter sets and presets')} to ${where}.` });
  } catch (err) {
    // A file being written is left as it was (the browser writes to a swap file until close).
    await file?.abort().catch(() => undefined);
    patch({ running: false, error: `Export failed: ${describe(err)}` });
  }
}

export function importSummaryText(name: string, s: ImportSummary): string {
  const a = s.added;
  // The tables by the names the rest of the sentence uses.
  const words: Record<string, [string, string]> = {
    files: ['file', 'files'], headers: ['header', 'headers'], strips: ['pixel strip', 'pixel strips'], runs: ['run', 'runs'], pins: ['pin', 'pins'],
    params: ['parameter set or preset', 'parameter sets and presets'], exclusions: ['exclusion', 'exclusions'], overrules: ['overrule', 'overrules'],
  };
  const kept = Object.entries(s.kept).filter(([, k]) => k > 0).map(([t, k]) => (words[t] ? n(k, ...words[t]) : `${k} ${t}`));
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
