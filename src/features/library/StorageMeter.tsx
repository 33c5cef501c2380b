/** Space used and available in the browser's storage, and whether it is persistent. */
import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { getDb } from '../../db/schema';
import { countFiles } from '../../db/files';
import { requestPersistence, storageInfo, type StorageInfo } from '../../db/storage';
import { formatBytes } from './format';

export function StorageMeter() {
  const [info, setInfo] = useState<StorageInfo>();
  const count = useLiveQuery(() => countFiles(getDb()), []);
  useEffect(() => {
    void requestPersistence().finally(() => storageInfo().then(setInfo));
  }, []);
  useEffect(() => {
    void storageInfo().then(setInfo);
  }, [count]);
  if (!info) return <span className="storage muted">storage: unknown</span>;
  const free = Math.max(0, info.quota - info.usage);
  return (
    <span className="storage" title={info.persisted ? 'Persistent: the browser will not evict this data under storage pressure.' : 'Best-effort: the browser may evict this data when the disk is short. Allow persistent storage to keep it.'}>
      <span className="storage-bar" aria-hidden><span style={{ width: `${Math.min(100, (100 * info.usage) / Math.max(1, info.quota))}%` }} /></span>
      {formatBytes(info.usage)} used · {formatBytes(free)} free · {info.persisted ? 'persistent' : 'not persistent'}
    </span>
  );
}
