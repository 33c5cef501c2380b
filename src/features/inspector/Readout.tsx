/**
 * What is under the cursor, as DS9's information panel shows it: the frame,
 * FITS pixel coordinates (1-based), the value in every plane (DQ with its
 * bits named), RA and Dec when the header has a celestial WCS; and the
 * pixel table around the cursor.
 */
import { dqBitNames } from '../../core/display/dqBits';
import { formatDec, formatRa, pixelToWorld } from '../../core/wcs/wcs';
import type { Probe } from '../../../workers/inspector/protocol';
import { formatValue } from './format';
import { useInspector } from './store';
import { useWcs } from './useWcs';

export function Readout({ probe }: { probe?: Probe }) {
  const cursor = useInspector((s) => s.cursor);
  const frame = useInspector((s) => s.frames.find((f) => f.fileId === (s.cursor?.fileId ?? s.current)));
  const wcs = useWcs(frame);
  const image = frame?.info?.images[frame.image];
  const here = probe && cursor && probe.ix === cursor.ix && probe.iy === cursor.iy ? probe : undefined;
  const world = wcs && cursor ? pixelToWorld(wcs, cursor.ix + 1, cursor.iy + 1) : undefined;
  const dq = here?.values.dq;
  return (
    <section className="readout" aria-label="Pixel readout">
      <dl>
        <dt>File</dt>
        <dd className="ro-file" title={frame?.name}>{frame ? `${frame.name}${image && frame.info!.images.length > 1 ? ` ${image.label}` : ''}` : '—'}</dd>
        <dt>x, y</dt>
        <dd className="ro-xy mono">{cursor ? `${cursor.ix + 1}, ${cursor.iy + 1}` : '—'}</dd>
        <dt>{image?.hdus.var !== undefined ? 'SCI' : 'Value'}</dt>
        <dd className="ro-sci mono">{here ? formatValue(here.values.sci) : '—'}</dd>
        {image?.hdus.var !== undefined && (
          <>
            <dt>VAR</dt>
            <dd className="ro-var mono">{here ? formatValue(here.values.var) : '—'}</dd>
          </>
        )}
        {image?.hdus.dq !== undefined && (
          <>
            <dt>DQ</dt>
            <dd className="ro-dq mono">{dq === undefined ? '—' : dq === 0 ? '0 (good)' : `${dq} (${dqBitNames(dq).join(', ')})`}</dd>
          </>
        )}
        <dt>RA, Dec</dt>
        <dd className="ro-world mono">
          {wcs ? (world ? `${formatRa(world.ra)} ${formatDec(world.dec)}` : '—') : <span className="muted">no celestial WCS</span>}
          {wcs && world && <span className="muted small"> {wcs.frame}</span>}
        </dd>
      </dl>
    </section>
  );
}

export function PixelTable({ probe }: { probe?: Probe }) {
  const size = useInspector((s) => s.tableSize);
  const image = useInspector((s) => {
    const f = s.frames.find((x) => x.fileId === s.cursor?.fileId);
    return f?.info?.images[f.image];
  });
  const setSize = useInspector((s) => s.setTableSize);
  const half = probe ? Math.floor(probe.size / 2) : 0;
  return (
    <section className="pixel-table" aria-label="Pixel table">
      <div className="section-head">
        <h3>Pixel table</h3>
        <select aria-label="Pixel table size" value={size} onChange={(e) => setSize(Number(e.target.value) as 5 | 7 | 9)}>
          {[5, 7, 9].map((n) => <option key={n} value={n}>{n} × {n}</option>)}
        </select>
      </div>
      {probe ? (
        <table className="pt mono">
          <thead>
            <tr>
              <th />
              {Array.from({ length: probe.size }, (_, c) => <th key={c} scope="col">{probe.ix - half + c + 1}</th>)}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: probe.size }, (_, r) => (
              <tr key={r}>
                <th scope="row">{probe.iy + half - r + 1}</th>
                {Array.from({ length: probe.size }, (_, c) => {
                  const x = probe.ix - half + c;
                  const y = probe.iy + half - r;
                  const inside = !!image && x >= 0 && y >= 0 && x < image.width && y < image.height;
                  return <td key={c} className={r === half && c === half ? 'pt-centre' : ''}>{inside ? formatValue(probe.table[r * probe.size + c]) : ''}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">Move the pointer over the image.</p>
      )}
    </section>
  );
}
