/** UI state of the library view (what is stored lives in IndexedDB, not here). */
import { create } from 'zustand';

export type GroupBy = 'none' | 'night' | 'type' | 'filter';

export interface IngestProblem {
  name: string;
  message: string;
}

export interface IngestState {
  running: boolean;
  total: number;
  done: number;
  bytesDone: number;
  startedAt: number;
  /** Stored / duplicate / failed counts of the current or last batch. */
  stored: number;
  duplicates: number;
  failed: number;
  problems: IngestProblem[];
  /** Files read past damage (a file cut short, bytes after the last HDU...): stored, with what is missing. */
  warnings: IngestProblem[];
  /** Files whose bytes the library holds under another name: not stored again, and said which. */
  copies: IngestProblem[];
  cancelled: boolean;
  label: string;
  /** Ids of the files the batch stored or found stored: the library's listing must show them. */
  ids: string[];
  /** When the batch ended (ms since epoch); 0 while it runs. */
  endedAt: number;
}

const idleIngest: IngestState = {
  running: false,
  total: 0,
  done: 0,
  bytesDone: 0,
  startedAt: 0,
  stored: 0,
  duplicates: 0,
  failed: 0,
  problems: [],
  warnings: [],
  copies: [],
  cancelled: false,
  label: '',
  ids: [],
  endedAt: 0,
};

interface LibraryState {
  selection: Record<string, boolean>;
  expression: string;
  groupBy: GroupBy;
  headerFileId?: string;
  ingest: IngestState;
  notice?: string;
  /** Column widths the user set by dragging a header's edge (px by column id); the rest keep their defaults. */
  columnWidths: Record<string, number>;
  setSelection(sel: Record<string, boolean>): void;
  setExpression(expr: string): void;
  setGroupBy(g: GroupBy): void;
  showHeader(id?: string): void;
  setIngest(patch: Partial<IngestState>): void;
  resetIngest(total: number, label: string): void;
  setNotice(text?: string): void;
  setColumnWidths(widths: Record<string, number>): void;
}

export const useLibrary = create<LibraryState>((set) => ({
  selection: {},
  expression: '',
  groupBy: 'none',
  headerFileId: undefined,
  ingest: idleIngest,
  notice: undefined,
  columnWidths: {},
  setSelection: (selection) => set({ selection }),
  setExpression: (expression) => set({ expression }),
  setGroupBy: (groupBy) => set({ groupBy }),
  showHeader: (headerFileId) => set({ headerFileId }),
  setIngest: (patch) => set((s) => ({ ingest: { ...s.ingest, ...patch } })),
  resetIngest: (total, label) =>
    set({ ingest: { ...idleIngest, running: true, total, label, startedAt: performance.now() } }),
  setNotice: (notice) => set({ notice }),
  setColumnWidths: (columnWidths) => set({ columnWidths }),
}));
