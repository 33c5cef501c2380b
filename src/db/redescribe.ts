/**
 * Descriptors and classification of a stored file, made again from its
 * stored headers: what a schema upgrade does when the classifier learns
 * something new (v3: disperser/slit/obsmode, masters made elsewhere), so a
 * library ingested before does not need to be dropped again.
 */
import { classifyFrame, extractDescriptors } from '../core/classify';
import type { FileRecord, HeaderRecord } from './types';

export function redescribe(rec: FileRecord, headers: HeaderRecord): Partial<FileRecord> {
  if (rec.status !== 'ok' || rec.product) return {};
  const primary = headers.hdus.find((h) => h.index === 0)?.cards ?? [];
  const image = rec.imageHdu > 0 ? headers.hdus.find((h) => h.index === rec.imageHdu)?.cards : undefined;
  const auto = classifyFrame(primary, image);
  return {
    descriptors: extractDescriptors(primary, image),
    auto,
    type: (rec.user ?? auto).type,
  };
}
