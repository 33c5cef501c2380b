/** Reading a stored product's planes back whole, for the storage tests. */
import type { IdbPixelStore } from '../src/db/pixelStore';

/** SCI, VAR and DQ of extension 1 of product `id`, `width` x `height`, read through the store. */
export async function readPlanes(store: IdbPixelStore, id: string, width: number, height: number) {
  const f = await store.open(id);
  return {
    f,
    sci: await store.readRows(f, 0, 'sci', 0, height, new Float32Array(width * height)),
    var: await store.readRows(f, 0, 'var', 0, height, new Float32Array(width * height)),
    dq: await store.readRows(f, 0, 'dq', 0, height, new Uint16Array(width * height)),
  };
}
