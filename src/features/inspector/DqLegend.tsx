/**
 * The DQ overlay's legend: each bit's colour and name with how many pixels
 * have it, a box to show or hide it, and the overlay's opacity.
 */
import { useEffect, useState } from 'react';
import { DQ_BITS } from '../../core/display/dqBits';
import { inspector } from '../../../workers/inspectorClient';
import { currentFrame, useInspector } from './store';

export function DqLegend() {
  const frame = useInspector(currentFrame);
  const overlay = useInspector((s) => s.overlay);
  const setOverlay = useInspector((s) => s.setOverlay);
  const [counts, setCounts] = useState<number[]>();
  const image = frame?.info?.images[frame.image];
  const hasDq = image?.hdus.dq !== undefined;
  const dqLoaded = frame?.progress.dq && frame.progress.dq.loadedRows === frame.progress.dq.height;
  useEffect(() => {
    setCounts(undefined);
    if (!frame || !hasDq || !overlay.on || !dqLoaded) return;
    let live = true;
    void inspector()
      .dqBitCounts({ fileId: frame.fileId, image: frame.image, plane: 'dq', slice: frame.slice })
      .then((c) => { if (live) setCounts(c); })
      .catch(() => undefined);
    return () => { live = false; };
  }, [frame?.fileId, frame?.image, frame?.slice, hasDq, overlay.on, dqLoaded]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!frame || !hasDq || !overlay.on) return null;
  const others = counts ? counts.reduce((a, c, k) => (DQ_BITS.some((b) => b.bit === 1 << k) ? a : a + c), 0) : 0;
  return (
    <div className="dq-legend" role="group" aria-label="DQ overlay legend">
      {DQ_BITS.map((b) => {
        const k = 31 - Math.clz32(b.bit);
        return (
          <label key={b.bit} className="dq-bit" title={`DQ bit ${b.bit}`}>
            <input type="checkbox" checked={(overlay.bits & b.bit) !== 0} onChange={(e) => setOverlay({ bits: e.target.checked ? overlay.bits | b.bit : overlay.bits & ~b.bit })} />
            <span className="swatch" style={{ background: b.colour }} />
            {b.name}
            <span className="muted small dq-count" data-bit={b.bit}>{counts ? counts[k].toLocaleString() : ''}</span>
          </label>
        );
      })}
      {others > 0 && <span className="muted small">other bits: {others.toLocaleString()} px</span>}
      <label className="tb-group small">
        opacity
        <input type="range" min={0.1} max={1} step={0.05} value={overlay.opacity} aria-label="Overlay opacity" onChange={(e) => setOverlay({ opacity: Number(e.target.value) })} />
      </label>
    </div>
  );
}
