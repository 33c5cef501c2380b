/**
 * The values under the cursor, asked of the worker at most once per
 * animation frame; an answer that arrives after the cursor moved on is dropped.
 */
import { useEffect, useRef, useState } from 'react';
import { inspector } from '../../../workers/inspectorClient';
import type { Probe } from '../../../workers/inspector/protocol';
import { useInspector } from './store';

export function useProbe(): Probe | undefined {
  const cursor = useInspector((s) => s.cursor);
  const frame = useInspector((s) => s.frames.find((f) => f.fileId === s.cursor?.fileId));
  const size = useInspector((s) => s.tableSize);
  const [probe, setProbe] = useState<Probe>();
  const asked = useRef(0);
  const raf = useRef(0);
  // Planes still loading change what the probe can tell: ask again as they land.
  const loaded = frame ? Object.values(frame.progress).reduce((a, p) => a + (p?.loadedRows ?? 0), 0) : 0;
  useEffect(() => {
    if (!cursor || !frame?.info) return;
    cancelAnimationFrame(raf.current);
    raf.current = requestAnimationFrame(() => {
      const ticket = ++asked.current;
      inspector()
        .probe({ fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice }, cursor.ix, cursor.iy, size)
        .then((p) => { if (ticket === asked.current) setProbe(p); })
        .catch(() => undefined);
    });
  }, [cursor?.ix, cursor?.iy, cursor?.fileId, frame?.info, frame?.image, frame?.plane, frame?.slice, size, loaded]); // eslint-disable-line react-hooks/exhaustive-deps
  return cursor ? probe : undefined;
}
