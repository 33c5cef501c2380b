/** The celestial WCS of the image a frame shows, from its stored headers (the image's HDU first, then the primary). */
import { useMemo } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { getHeaders } from '../../db/files';
import { getDb } from '../../db/schema';
import { readWcs, type CelestialWcs } from '../../core/wcs/wcs';
import type { InspectedFrame } from './store';

export function useWcs(frame: InspectedFrame | undefined): CelestialWcs | undefined {
  const headers = useLiveQuery(() => (frame ? getHeaders(getDb(), frame.fileId) : undefined), [frame?.fileId]);
  const hdu = frame?.info?.images[frame.image]?.hdus.sci;
  return useMemo(() => {
    if (!headers || hdu === undefined) return undefined;
    const own = headers.hdus.find((h) => h.index === hdu)?.cards ?? [];
    const primary = hdu === 0 ? [] : headers.hdus.find((h) => h.index === 0)?.cards ?? [];
    return readWcs([...own, ...primary]);
  }, [headers, hdu]);
}
