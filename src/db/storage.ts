/** Browser storage quota: persistence request and usage estimate. */
import { rawCopiesBytes } from './rawCopies';

export interface StorageInfo {
  usage: number;
  quota: number;
  persisted: boolean;
  /** Of the usage, the copies of raw frames kept for the pipeline's speed (./rawCopies.ts), freed when room is needed. */
  copies: number;
}

export async function requestPersistence(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist();
}

export async function storageInfo(): Promise<StorageInfo | undefined> {
  if (!navigator.storage?.estimate) return undefined;
  const [{ usage = 0, quota = 0 }, persisted, copies] = await Promise.all([
    navigator.storage.estimate(),
    navigator.storage.persisted ? navigator.storage.persisted() : Promise.resolve(false),
    rawCopiesBytes().catch(() => 0),
  ]);
  return { usage, quota, persisted, copies };
}
