/**
 * Which view is shown, and requests one view makes of another ("show this
 * frame in the library"). Features never import each other; they meet here.
 */
import { create } from 'zustand';

export type Tab = 'library' | 'calibrations' | 'recipes' | 'runs' | 'inspector';

export const TABS: { id: Tab; label: string }[] = [
  { id: 'library', label: 'Library' },
  { id: 'calibrations', label: 'Calibrations' },
  { id: 'recipes', label: 'Recipes' },
  { id: 'runs', label: 'Runs' },
  { id: 'inspector', label: 'Inspector' },
];

interface NavState {
  tab: Tab;
  /** A file another view asked the library to show and select; `nonce` makes a repeat request a change. */
  focus?: { fileId: string; nonce: number };
  /** Frames another view asked the inspector to open; `nonce` makes a repeat request a change. */
  inspect?: { fileIds: string[]; nonce: number };
  setTab(tab: Tab): void;
  /** Switches to the library with this file selected and scrolled into view. */
  showInLibrary(fileId: string): void;
  /** Switches to the inspector with these frames open, the first one shown. */
  inspectFrames(fileIds: string[]): void;
}

export const useNav = create<NavState>((set) => ({
  tab: 'library',
  focus: undefined,
  setTab: (tab) => set({ tab }),
  showInLibrary: (fileId) => set((s) => ({ tab: 'library', focus: { fileId, nonce: (s.focus?.nonce ?? 0) + 1 } })),
  inspect: undefined,
  inspectFrames: (fileIds) => set((s) => ({ tab: 'inspector', inspect: { fileIds, nonce: (s.inspect?.nonce ?? 0) + 1 } })),
}));
