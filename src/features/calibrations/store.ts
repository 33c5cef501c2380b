/** The view's own state (selection, open rows, filter): kept while the user visits other tabs. */
import { create } from 'zustand';
import type { CalibrationStep } from '../../core/pipeline/products';

export type Show = 'all' | 'problems' | 'pinned';

interface CalibrationsUi {
  selected: ReadonlySet<string>;
  open: ReadonlySet<string>;
  show: Show;
  groupStep: CalibrationStep;
  setSelected(ids: Iterable<string>, on: boolean): void;
  clearSelection(): void;
  toggleOpen(id: string): void;
  setShow(show: Show): void;
  setGroupStep(step: CalibrationStep): void;
}

export const useCalibrationsUi = create<CalibrationsUi>((set) => ({
  selected: new Set(),
  open: new Set(),
  show: 'all',
  groupStep: 'flat',
  setSelected: (ids, on) => set((s) => {
    const next = new Set(s.selected);
    for (const id of ids) { if (on) next.add(id); else next.delete(id); }
    return { selected: next };
  }),
  clearSelection: () => set({ selected: new Set() }),
  toggleOpen: (id) => set((s) => {
    const next = new Set(s.open);
    if (!next.delete(id)) next.add(id);
    return { open: next };
  }),
  setShow: (show) => set({ show }),
  setGroupStep: (groupStep) => set({ groupStep }),
}));
