/**
 * Gathering files from a drop or a file input, folders included (walked with
 * the File and Directory Entries API, which every current browser has for drops).
 */
import type { PendingFile } from './ingestController';

const FITS_NAME = /\.(fits|fit|fts|fz|fits\.gz|fit\.gz|fts\.gz)$/i;

export function looksLikeFits(name: string): boolean {
  return FITS_NAME.test(name);
}

export interface Collected {
  files: PendingFile[];
  /** Files inside dropped folders that are not FITS by name (reported, not ingested). */
  skipped: string[];
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** readEntries returns at most ~100 entries per call: call until it returns none. */
async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, path: string, out: Collected, inFolder: boolean): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    // Loose files are always tried (the user chose them); inside folders only FITS names are taken.
    if (!inFolder || looksLikeFits(file.name)) out.files.push({ file, path });
    else out.skipped.push(`${path}/${file.name}`);
  } else if (entry.isDirectory) {
    const sub = path ? `${path}/${entry.name}` : entry.name;
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, sub, out, true);
  }
}

export async function collectFromDrop(dt: DataTransfer): Promise<Collected> {
  const out: Collected = { files: [], skipped: [] };
  const entries = Array.from(dt.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.());
  if (entries.length && entries.every(Boolean)) {
    for (const entry of entries) await walk(entry!, '', out, false);
  } else {
    for (const file of Array.from(dt.files)) out.files.push({ file, path: '' });
  }
  return out;
}

export function collectFromInput(list: FileList): Collected {
  const out: Collected = { files: [], skipped: [] };
  for (const file of Array.from(list)) {
    const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath ?? '';
    const path = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    if (path && !looksLikeFits(file.name)) out.skipped.push(rel);
    else out.files.push({ file, path });
  }
  return out;
}
