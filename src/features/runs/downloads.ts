/** Products as files: one FITS file, or every current product in one .zip. */
import { productFitsParts, productsZipParts } from '../../db/exportFits';
import { listProducts } from '../../db/products';
import { getDb } from '../../db/schema';
import type { FileRecord } from '../../db/types';
import { downloadBlob } from '../../ui/download';

export async function downloadProduct(id: string): Promise<void> {
  const { name, parts } = await productFitsParts(getDb(), id);
  downloadBlob(name, new Blob(parts, { type: 'application/fits' }));
}

const ORDER = { bias: 0, dark: 1, flat: 2, reduced: 3, stack: 4 } as const;

/** Masters first, then reduced frames, then stacks; by name within a kind. */
export function productOrder(a: FileRecord, b: FileRecord): number {
  return ORDER[a.product!.kind] - ORDER[b.product!.kind] || a.name.localeCompare(b.name);
}

/**
 * Every product as one .zip. The list is read when the button is pressed, not
 * taken from the table on screen: the table follows the database a moment
 * behind, and a click right after a run must not miss its last products.
 */
export async function downloadAllProducts(name = 'products.zip'): Promise<void> {
  const db = getDb();
  const products = (await listProducts(db)).sort(productOrder);
  if (!products.length) throw new Error('there is no product to download');
  const parts = await productsZipParts(db, products.map((p) => p.id));
  downloadBlob(name, new Blob(parts, { type: 'application/zip' }));
}
