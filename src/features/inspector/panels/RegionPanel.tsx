/**
 * Statistics of a box region (drawn with the Region tool, or typed as a FITS
 * section): the figures DS9's region analysis gives.
 */
import { useEffect, useState } from 'react';
import { inspector } from '../../../../workers/inspectorClient';
import { parseSection } from '../../../core/kernels/section';
import { formatValue, sectionOf } from '../format';
import { currentFrame, useInspector } from '../store';
import { useAsk } from './useAsk';

const ROWS: { key: 'npix' | 'mean' | 'median' | 'std' | 'robustSigma' | 'min' | 'max' | 'sum'; label: string; title?: string }[] = [
  { key: 'npix', label: 'pixels', title: 'finite pixels in the box' },
  { key: 'mean', label: 'mean' },
  { key: 'median', label: 'median' },
  { key: 'std', label: 'std dev', title: 'population standard deviation (ddof 0, as numpy.std)' },
  { key: 'robustSigma', label: 'robust sigma', title: '1.4826 × median absolute deviation (astropy mad_std)' },
  { key: 'min', label: 'min' },
  { key: 'max', label: 'max' },
  { key: 'sum', label: 'sum' },
];

export function RegionPanel() {
  const frame = useInspector(currentFrame);
  const region = useInspector((s) => (s.marks.region && s.marks.region.fileId === s.current ? s.marks.region.box : undefined));
  const image = frame?.info?.images[frame.image];
  const [text, setText] = useState('');
  const [textError, setTextError] = useState<string>();
  useEffect(() => { if (region) setText(sectionOf({ x0: Math.min(region.x0, region.x1), y0: Math.min(region.y0, region.y1), x1: Math.max(region.x0, region.x1), y1: Math.max(region.y0, region.y1) })); }, [region]);
  const ref = frame?.info ? { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice } : undefined;
  const answer = useAsk(ref && region ? () => inspector().regionStats(ref, region) : undefined, JSON.stringify([ref, region]));
  const apply = () => {
    if (!frame || !image) return;
    try {
      const sec = parseSection(text, image.width, image.height);
      setTextError(undefined);
      useInspector.getState().mark({ region: { fileId: frame.fileId, box: { x0: sec.x0, y0: sec.y0, x1: sec.x1 - 1, y1: sec.y1 - 1 } } });
    } catch (err) {
      setTextError(err instanceof Error ? err.message : String(err));
    }
  };
  if (!frame) return null;
  const st = answer.value;
  return (
    <div className="panel-body">
      <div className="panel-controls">
        <label className="tb-group">
          Box
          <input className="mono section-input" aria-label="Region section" placeholder="[x1:x2,y1:y2]" value={text} aria-invalid={!!textError}
            onChange={(e) => setText(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && apply()} />
          <button className="small-btn" onClick={apply}>Measure</button>
        </label>
        <span className="muted small">{frame.plane.toUpperCase()}</span>
      </div>
      {textError && <p className="rb-error" role="alert">{textError}</p>}
      {answer.error && <p className="rb-error" role="alert">{answer.error}</p>}
      {!region && <p className="muted">Drag a box with the Region tool, or type a FITS section.</p>}
      {st && (
        <table className="stats-table" aria-label="Region statistics">
          <caption className="muted small">{sectionOf(st.box)}{st.nanCount ? `, ${st.nanCount} NaN left out` : ''}</caption>
          <tbody>
            {ROWS.map((r) => (
              <tr key={r.key} title={r.title}>
                <th scope="row">{r.label}</th>
                <td className="mono" data-stat={r.key} data-value={st[r.key]}>{formatValue(st[r.key])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
