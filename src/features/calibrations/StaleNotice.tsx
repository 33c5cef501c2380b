/**
 * Products a change made stale (a pin, a validity, a kept flat, a
 * parameter), and the one button that re-runs only those and what they
 * need; while a reduction runs, how far it is.
 */
import { useReduction } from '../../ui/reduction';
import { plural } from './model';

export function StaleNotice({ stale, names }: { stale: ReadonlyMap<string, string>; names: ReadonlyMap<string, string> }) {
  const active = useReduction((s) => !!s.active);
  const progress = useReduction((s) => s.progress);
  const error = useReduction((s) => s.error);
  const start = useReduction((s) => s.start);
  const keys = [...new Set(stale.values())];
  const products = [...stale.keys()].map((id) => names.get(id) ?? id).sort();
  return (
    <>
      {stale.size > 0 && (
        <section className="cal-stale" aria-label="Stale products">
          <div className="cal-stale-text">
            <span className="cal-badge cal-badge-stale">stale</span>{' '}
            <strong>{plural(stale.size, 'product')}</strong> no longer match{stale.size === 1 ? 'es' : ''} what you decided
            (a pin, a validity, a kept flat or a parameter changed):{' '}
            {products.length <= 4 ? (
              <span className="cal-names">{products.join(', ')}</span>
            ) : (
              <details className="cal-more cal-inline">
                <summary>{products.slice(0, 3).join(', ')} and {products.length - 3} more</summary>
                <span className="cal-names">{products.join(', ')}</span>
              </details>
            )}
          </div>
          <button className="primary" disabled={active} onClick={() => void start(keys)}>
            Re-run only {stale.size === 1 ? 'this product' : `these ${stale.size} products`}
          </button>
        </section>
      )}
      {active && progress && <p className="cal-running">A reduction is running: {progress.done} of {progress.total} runs done.</p>}
      {error && <p className="cal-error" role="alert">The reduction could not start: {error}</p>}
    </>
  );
}
