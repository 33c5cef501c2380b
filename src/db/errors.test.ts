import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageFullError, explainFull, reportedRoomNote } from './errors';

afterEach(() => vi.unstubAllGlobals());

const withStorage = (usage: number, quota: number) =>
  vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage, quota }), persisted: async () => false } });

describe('a full storage said against the room the browser reports', () => {
  it('adds the private-window explanation only when the report contradicts the error', () => {
    expect(reportedRoomNote(undefined)).toBeUndefined();
    expect(reportedRoomNote(500e6)).toBeUndefined();
    expect(reportedRoomNote(11.3e9)).toBe('(The browser still reports 11 GB free: a private window keeps its storage in memory and holds far less than that; a normal window keeps it on disk.)');
    expect(reportedRoomNote(2.46e9)).toMatch(/^\(The browser still reports 2\.5 GB free/);
  });

  it('rebuilds the error with the note from navigator.storage.estimate(), and leaves it as it was otherwise', async () => {
    const err = new StorageFullError('x_reduced.fits', 'run');
    withStorage(1.4e9, 12.7e9);
    const said = await explainFull(err);
    expect(said).toBeInstanceOf(StorageFullError);
    expect(said.message).toBe(`${err.message} (The browser still reports 11 GB free: a private window keeps its storage in memory and holds far less than that; a normal window keeps it on disk.)`);
    withStorage(12.6e9, 12.7e9);
    expect(await explainFull(err)).toBe(err);
    vi.stubGlobal('navigator', {});
    expect(await explainFull(err)).toBe(err);
  });
});
