/** Change notifications for the views: writes from this page or from any worker (Dexie broadcasts them). */
import Dexie from 'dexie';

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
