/**
 * Keeps the worker in step with the store: reopens the frames of the last
 * visit (./remember.ts), opens the frames other views ask for
 * (useNav().inspectFrames), opens every new frame in the worker, follows
 * the loading of its planes, reopens everything if the worker died, and
 * works out the registration offsets of the open frames from the library's
 * stacks (for the aligned view lock).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { findFile, listFiles } from '../../db/files';
import { getDb } from '../../db/schema';
import { alignFrames, type AlignableFrame } from '../../core/display/alignment';
import { useNav } from '../../ui/nav';
import { useThrottledLiveQuery } from '../../ui/useThrottledLiveQuery';
import { inspector, inspectorGeneration, onInspectorCrash, onLoadProgress } from '../../../workers/inspectorClient';
import { useInspector } from './store';
import { keepInspector, restoreInspector } from './remember';

let restoring: Promise<unknown> | undefined;

/** The frames open before the reload come back once per page; from then on the open frames are kept. */
function restoreOnce(): Promise<unknown> {
  restoring ??= restoreInspector(async (ids) => {
    const records = await Promise.all(ids.map((id) => findFile(getDb(), id)));
    return new Map(records.flatMap((r) => (r && r.status === 'ok' ? [[r.id, r.name] as const] : [])));
  })
    .catch((err: unknown) => console.warn('the inspector\'s frames of the last visit were not reopened', err))
    .finally(() => keepInspector());
  return restoring;
}

/** Returns the worker generation (panes remount their canvases when it changes) and a notice to show. */
export function useFrameLoading(): { generation: number; notice?: string; dismiss(): void } {
  const [generation, setGeneration] = useState(inspectorGeneration());
  const [notice, setNotice] = useState<string>();
  const opening = useRef(new Set<string>());
  const frames = useInspector((s) => s.frames);

  // Requests from other views.
  const request = useNav((s) => s.inspect);
  useEffect(() => void restoreOnce(), []);
  useEffect(() => {
    if (!request) return;
    void (async () => {
      await restoreOnce();
      const records = await Promise.all(request.fileIds.map((id) => findFile(getDb(), id)));
      const store = useInspector.getState();
      store.add(request.fileIds.map((id, k) => ({ fileId: id, name: records[k]?.name ?? 'deleted file' })), request.fileIds[0]);
      store.select(request.fileIds[0]);
    })();
  }, [request]);

  useEffect(() => onLoadProgress((p) => {
    const f = useInspector.getState().frames.find((x) => x.fileId === p.fileId);
    if (f) useInspector.getState().setProgress(p.fileId, p.plane, { loadedRows: p.loadedRows, height: p.height, error: p.error });
  }), []);

  useEffect(() => onInspectorCrash((message) => {
    setNotice(message);
    opening.current.clear();
    const s = useInspector.getState();
    for (const f of s.frames) s.patchFrame(f.fileId, { info: undefined, progress: {} });
    setGeneration((g) => g + 1);
  }), []);

  // Frames closed in the view free their pixels in the worker.
  const shown = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(frames.map((f) => f.fileId));
    for (const id of shown.current) if (!now.has(id)) void inspector().close(id).catch(() => undefined);
    shown.current = now;
  }, [frames]);

  // Open every frame the worker has not opened yet.
  useEffect(() => {
    for (const f of frames) {
      if (f.info || f.error || opening.current.has(f.fileId)) continue;
      opening.current.add(f.fileId);
      inspector()
        .open(f.fileId)
        .then((info) => useInspector.getState().patchFrame(f.fileId, { info, name: info.name, image: info.image, error: undefined }))
        .catch((err: unknown) => useInspector.getState().patchFrame(f.fileId, { error: err instanceof Error ? err.message : String(err) }))
        .finally(() => opening.current.delete(f.fileId));
    }
  }, [frames, generation]);

  // Registration offsets of the open frames.
  const library = useThrottledLiveQuery(() => listFiles(getDb()), ['files']);
  const openIds = useMemo(() => frames.map((f) => f.fileId).join(','), [frames]);
  useEffect(() => {
    if (!library) return;
    const alignable: AlignableFrame[] = library.map((f) => ({
      id: f.id,
      product: f.product && { kind: f.product.kind, inputs: f.product.inputs, members: f.product.members },
      section: f.descriptors.trimsec ?? f.descriptors.datasec,
    }));
    const ids = openIds ? openIds.split(',') : [];
    const a = alignFrames(ids, alignable);
    const s = useInspector.getState();
    s.setOffsets(a?.offsets ?? new Map());
    // A frame deleted from the library while open: say so, and free its pixels.
    const present = new Set(library.map((f) => f.id));
    for (const id of ids) {
      if (present.has(id)) continue;
      const f = s.frames.find((x) => x.fileId === id);
      if (f && !f.error) {
        s.patchFrame(id, { error: 'This file was deleted from the library.', info: undefined, drawn: undefined });
        void inspector().close(id);
      }
    }
  }, [library, openIds]);

  return { generation, notice, dismiss: () => setNotice(undefined) };
}
