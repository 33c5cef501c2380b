/** Change notifications for the views: writes from this page or from any worker (Dexie broadcasts them). */
import Dexie from 'dexie';
import { getDb } from './schema';

/** Calls `onChange` after writes to any of the named tables; returns the unsubscribe function. */
export function onTablesChanged(tables: string[], onChange: () => void): () => void {
  // Keys look like "idb://<db>/<table>/...".
  const watched = tables.map((t) => `/${t}/`);
  const listener = (parts: Record<string, unknown>) => {
    if (Object.keys(parts).some((k) => watched.some((w) => k.includes(w)))) onChange();
  };
  Dexie.on('storagemutated', listener);
  return () => Dexie.on('storagemutated').unsubscribe(listener);
}

/** Opens this realm's connection again if it was closed (deleted or upgraded by another tab); a no-op when open. */
export async function reopenDb(): Promise<void> {
  const db = getDb();
  if (!db.isOpen()) await db.open();
}
