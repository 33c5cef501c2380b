/**
 * A WorkbenchDb on fake-indexeddb for one describe block: opened before its
 * tests (and handed to `take`), closed and deleted after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';

export function useTestDb(name: string, take: (db: WorkbenchDb) => void): void {
  let db: WorkbenchDb | undefined;
  beforeAll(async () => {
    db = new WorkbenchDb(name);
    await db.open();
    take(db);
  });
  afterAll(async () => {
    db?.close();
    await db?.delete();
  });
}
