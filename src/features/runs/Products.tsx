/** The products in the library: what each is, whether it is current, and the files to download. */
import { PRODUCT_LABEL, framesUsed } from '../../core/pipeline/products';
import type { FileRecord } from '../../db/types';
import { useNav } from '../../ui/nav';
import { useAction } from '../../ui/useAction';
import { downloadAllProducts, downloadProduct, productOrder } from './downloads';
import { utcSeconds, utcTime } from '../../ui/time';

/** '7', or '5 of 6' when the run left frames out. */
function framesText(p: FileRecord): string {
  const { used, planned } = framesUsed(p.product!);
  return used === planned ? String(used) : `${used} of ${planned}`;
}

export function Products({ products, stale }: { products: FileRecord[]; stale: ReadonlyMap<string, string> }) {
  const showInLibrary = useNav((s) => s.showInLibrary);
  const inspectFrames = useNav((s) => s.inspectFrames);
  const { busy, error, run } = useAction();
  const sorted = [...products].sort(productOrder);
  const nStale = products.filter((p) => stale.has(p.id)).length;
  return (
    <section className="products" aria-label="Products">
      <div className="section-head">
        <h2>Products ({products.length})</h2>
        <button
          className="primary"
          disabled={!products.length || !!busy}
          onClick={() => void run(() => downloadAllProducts(), 'zip')}
        >
          {busy === 'zip' ? 'Preparing the .zip…' : 'Download all products'}
        </button>
      </div>
      {nStale > 0 && (
        <p className="rb-warn">
          {nStale === products.length ? 'Every product is' : `${nStale} of the ${products.length} products are`} stale: the .zip holds them as they are. Reduce all remakes them first.
        </p>
      )}
      {error && <p className="rb-error" role="alert">{error}</p>}
      {products.length === 0 ? (
        <p className="muted">No product yet.</p>
      ) : (
        <table className="products-table">
          <thead>
            <tr><th>Product</th><th>Kind</th><th>Frames</th><th>Made (UTC)</th><th /></tr>
          </thead>
          <tbody>
            {sorted.map((p) => (
              <tr key={p.id}>
                <td>
                  <button className="link" onClick={() => showInLibrary(p.id)} title="Show in the library">{p.name}</button>
                  {stale.has(p.id) && <span className="state state-stale" title="Its inputs, calibrations or parameters changed since it was made">stale</span>}
                </td>
                <td>{PRODUCT_LABEL[p.product!.kind]}</td>
                <td className="num" title={p.product!.leftOut?.length ? `${p.product!.leftOut.length} left out` : undefined}>{framesText(p)}</td>
                <td className="num" title={utcSeconds(p.product!.createdAt)}>{utcTime(p.product!.createdAt)}</td>
                <td className="product-actions">
                  <button onClick={() => inspectFrames([p.id])} aria-label={`Inspect ${p.name}`}>Inspect</button>
                  <button disabled={!!busy} onClick={() => void run(() => downloadProduct(p.id), p.id)} aria-label={`Download ${p.name}`}>FITS</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
