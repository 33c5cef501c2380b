/** Space used and available in the browser's storage, and whether it is persistent. */
import { useEffect, useState } from 'react';
import { onTablesChanged } from '../../db/live';
import { requestPersistence, storageInfo, type StorageInfo } from '../../db/storage';
import { rawCopiesBytes } from '../../db/rawCopies';
import { formatBytes } from './format';

export function StorageMeter() {
  const [info, setInfo] = useState<StorageInfo>();
  // Of the usage, the raw frames' copies (../../db/rawCopies.ts): measured when the tooltip is about to show, as
  // it lists every copy, not at each refresh (the meter refreshes after every change of the library).
  const [copiesBytes, setCopiesBytes] = useState(0);
  useEffect(() => {
    void requestPersistence().finally(() => storageInfo().then(setInfo));
    // Re-estimated after files or products are added or deleted (strips go with them). A change
    // notification, not a query: the meter in the title bar must not fail with the library.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = onTablesChanged(['files'], () => {
      clearTimeout(timer);
      timer = setTimeout(() => void storageInfo().then(setInfo, () => undefined), 500);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, []);
  if (!info) return <span className="storage muted">storage: unknown</span>;
  const free = Math.max(0, info.quota - info.usage);
  const persistence = info.persisted ? 'Persistent: the browser will not evict this data under storage pressure.' : 'Best-effort: the browser may evict this data when the disk is short. Allow persistent storage to keep it.';
  // The raw frames' copies are part of the usage, but not the library's: say so, or deleting files seems to free too little.
  const copies = copiesBytes > 0 ? `\n${formatBytes(copiesBytes)} of the usage are copies of raw frames that make reductions faster; they are removed when the space is needed.` : '';
  return (
    <span className="storage" title={persistence + copies} onPointerEnter={() => void rawCopiesBytes().then(setCopiesBytes, () => undefined)}>
      <span className="storage-bar" aria-hidden><span style={{ width: `${Math.min(100, (100 * info.usage) / Math.max(1, info.quota))}%` }} /></span>
      {formatBytes(info.usage)} used · {formatBytes(free)} free · {info.persisted ? 'persistent' : 'not persistent'}
    </span>
  );
}
