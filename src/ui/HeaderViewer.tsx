/**
 * Header viewer for any HDU of a stored file, with a search box. Header text
 * comes from strangers: it is rendered as React text nodes, never as HTML.
 * Shared by the library (beside the table) and the inspector (beside the image).
 */
import { useMemo, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { formatCard } from '../core/fits';
import { messageBesideName } from '../core/fileMessage';
import { getDb } from '../db/schema';
import { findFile, getHeaders } from '../db/files';
import { productHeaderLines } from '../db/exportFits';
import type { HduSummary } from '../db/types';

function highlight(line: string, q: string): React.ReactNode {
  if (!q) return line;
  const i = line.toLowerCase().indexOf(q.toLowerCase());
  if (i < 0) return line;
  return (
    <>
      {line.slice(0, i)}
      <mark>{line.slice(i, i + q.length)}</mark>
      {line.slice(i + q.length)}
    </>
  );
}

function hduLabel(index: number, extname: string, hdu?: HduSummary): string {
  const kind = hdu ? (hdu.compressed ? `compressed ${hdu.compressed}` : hdu.xtension) : '';
  const name = extname && extname !== kind ? `${extname} ` : '';
  const shape = hdu?.naxis.length ? ` ${hdu.naxis.join('×')}` : '';
  return `${index}: ${name}${kind}${shape}`;
}

export interface HeaderViewerProps {
  fileId?: string;
  /** Shows a close button that calls this. */
  onClose?: () => void;
  /** HDU shown first (its position in the file). */
  initialHdu?: number;
  /**
   * Long cards wrapped at the panel's edge (continuation lines indented)
   * rather than scrolled sideways: the default where the panel is narrower
   * than an 80-column card, as beside the inspector's image.
   */
  wrap?: boolean;
}

export function HeaderViewer(props: HeaderViewerProps) {
  // A new file starts at its own first HDU and an empty search.
  return <HeaderViewerOf key={props.fileId ?? ''} {...props} />;
}

function HeaderViewerOf({ fileId, onClose, initialHdu = 0, wrap: wrapFirst = false }: HeaderViewerProps) {
  const [hduIndex, setHduIndex] = useState(initialHdu);
  const [wrap, setWrap] = useState(wrapFirst);
  const [query, setQuery] = useState('');
  const file = useLiveQuery(() => (fileId ? findFile(getDb(), fileId) : undefined), [fileId]);
  const headers = useLiveQuery(() => (fileId ? getHeaders(getDb(), fileId) : undefined), [fileId]);

  const hdu = headers?.hdus[Math.min(hduIndex, (headers?.hdus.length ?? 1) - 1)];
  // A product's header is shown as its file has it: the writer adds the structural cards (SIMPLE, BITPIX, NAXIS...) it does not store.
  const at = headers && hdu ? headers.hdus.indexOf(hdu) : -1;
  const lines = useMemo(() => {
    if (!hdu) return [];
    if (file?.product && file.hdus[at]?.index === hdu.index) return productHeaderLines(file, hdu.cards, at);
    return hdu.cards.flatMap((c) => formatCard(c));
  }, [hdu, file, at]);
  const shown = query ? lines.filter((l) => l.toLowerCase().includes(query.toLowerCase())) : lines;

  if (!fileId || !file) return null;
  return (
    <aside className="header-viewer" aria-label="FITS header" onKeyDown={onClose ? (e) => { if (e.key === 'Escape') onClose(); } : undefined}>
      <div className="hv-top">
        <h2 title={file.name}>{file.name}</h2>
        {onClose && <button className="icon-btn" aria-label="Close header" onClick={onClose}>×</button>}
      </div>
      <dl className="hv-facts">
        <dt>Type</dt>
        <dd><span className={`badge type-${file.type}`}>{file.type}</span> {(file.user ?? file.auto).reason}</dd>
        {file.status === 'error' && (<><dt>Error</dt><dd className="status-error">{messageBesideName(file.name, file.message)}</dd></>)}
        {/* A raw file's id is the SHA-256 of its bytes; a product's is the workbench's own. */}
        <dt>{file.product ? 'Product id' : 'SHA-256'}</dt>
        <dd className="mono small">{file.id.slice(0, 16)}…</dd>
      </dl>
      {headers && headers.hdus.length > 0 ? (
        <>
          <div className="hv-controls">
            <label>
              HDU{' '}
              <select value={hduIndex} onChange={(e) => setHduIndex(+e.target.value)} aria-label="HDU">
                {headers.hdus.map((h, i) => (
                  <option key={h.index} value={i}>
                    {hduLabel(h.index, h.extname, file.hdus[i])}
                  </option>
                ))}
              </select>
            </label>
            <input type="search" placeholder="Search header" aria-label="Search header" value={query} onChange={(e) => setQuery(e.target.value)} />
            <label className="small">
              <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} /> Wrap
            </label>
            <span className="muted small">{shown.length} / {lines.length} cards</span>
          </div>
          <pre className={wrap ? 'header-text wrap' : 'header-text'} data-testid="header-text">
            {shown.map((l, i) => (
              <div key={i}>{highlight(l, query)}</div>
            ))}
          </pre>
        </>
      ) : (
        <p className="muted">No header could be read from this file.</p>
      )}
    </aside>
  );
}
