/** Products as files: one FITS file, or every current product in one .zip. */
import { productFitsParts, productsZipParts } from '../../db/exportFits';
import { getDb } from '../../db/schema';
import { downloadBlob } from '../../ui/download';

export async function downloadProduct(id: string): Promise<void> {
  const { name, parts } = await productFitsParts(getDb(), id);
  downloadBlob(name, new Blob(parts, { type: 'application/fits' }));
}

export async function downloadProducts(ids: readonly string[], name = 'products.zip'): Promise<void> {
  const parts = await productsZipParts(getDb(), ids);
  downloadBlob(name, new Blob(parts, { type: 'application/zip' }));
}
