/**
 * The open frames (DS9's frames) and how they are compared: one at a time,
 * blinking at a chosen rate or stepped by hand, or side by side; and the
 * locks of view (optionally aligned by the pipeline's registration) and of
 * display across frames.
 */
import { useInspector } from './store';
import { onTabListKey } from '../../ui/tabKeys';

const RATES = [125, 250, 500, 1000, 2000];

export function FrameBar() {
  const frames = useInspector((s) => s.frames);
  const current = useInspector((s) => s.current);
  const layout = useInspector((s) => s.layout);
  const blink = useInspector((s) => s.blink);
  const locks = useInspector((s) => s.locks);
  const offsets = useInspector((s) => s.offsets);
  const s = useInspector.getState;
  const placed = frames.filter((f) => offsets.has(f.fileId)).length;

  return (
    <div className="frame-bar">
      <div
        className="frame-chips"
        role="tablist"
        aria-label="Open frames"
        onKeyDown={(e) => {
          // Delete closes the focused frame (the pattern of closable tabs: its × is then no Tab stop of its own),
          // which the blink may have moved away from the one shown.
          const target = e.target as HTMLElement;
          const focused = e.key === 'Delete' && target.getAttribute('role') === 'tab' ? target.closest('[data-file-id]')?.getAttribute('data-file-id') : undefined;
          if (focused) {
            e.preventDefault();
            const list = e.currentTarget;
            s().remove(focused);
            requestAnimationFrame(() => list.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus());
            return;
          }
          onTabListKey(e, frames.findIndex((f) => f.fileId === current), frames.length, (next) => {
            // As the step buttons do: a frame chosen by hand stops the blinking.
            if (layout === 'blink') s().setBlink({ playing: false });
            s().select(frames[next].fileId);
          });
        }}
      >
        {frames.map((f, k) => (
          <span key={f.fileId} data-file-id={f.fileId} className={`frame-chip${f.fileId === current ? ' active' : ''}${f.error ? ' broken' : ''}`}>
            <button role="tab" aria-selected={f.fileId === current} aria-keyshortcuts="Delete" tabIndex={f.fileId === current ? 0 : -1} onClick={() => s().select(f.fileId)} title={f.error ?? f.name}>
              <span className="muted small">{k + 1}</span> {f.name}
            </button>
            <button className="icon-btn" aria-label={`Close ${f.name}`} tabIndex={-1} title="Close (Delete on the frame's tab)" onClick={() => s().remove(f.fileId)}>×</button>
          </span>
        ))}
      </div>
      <div className="fb-controls">
        <div className="segmented" role="group" aria-label="Layout">
          {(['single', 'blink', 'tile'] as const).map((l) => (
            <button key={l} aria-pressed={layout === l} disabled={l !== 'single' && frames.length < 2} onClick={() => s().setLayout(l)}>
              {l === 'single' ? 'Single' : l === 'blink' ? 'Blink' : 'Side by side'}
            </button>
          ))}
        </div>
        {layout === 'blink' && (
          <div className="tb-group" aria-label="Blink">
            <button aria-label="Previous frame" onClick={() => { s().setBlink({ playing: false }); s().step(-1); }}>◀</button>
            <button aria-label={blink.playing ? 'Pause blinking' : 'Blink'} onClick={() => s().setBlink({ playing: !blink.playing })}>{blink.playing ? '❚❚' : '▶'}</button>
            <button aria-label="Next frame" onClick={() => { s().setBlink({ playing: false }); s().step(1); }}>▶|</button>
            <select aria-label="Blink interval" value={blink.interval} onChange={(e) => s().setBlink({ interval: Number(e.target.value) })}>
              {RATES.map((r) => <option key={r} value={r}>{r} ms</option>)}
            </select>
          </div>
        )}
        <label className="check" title="Pan and zoom every frame together">
          <input type="checkbox" checked={locks.view} onChange={(e) => s().setLocks(e.target.checked ? { view: true } : { view: false, align: false })} /> Lock view
        </label>
        <label className="check" title={placed > 1 ? `Align by the pipeline's registration (${placed} frames placed by a stack); locks the view too` : 'No stack registers two of the open frames'}>
          {/* Aligned frames are panned and zoomed together: ticking Align locks the view as well, unlocking the view ends the alignment. */}
          <input type="checkbox" checked={locks.align && locks.view} disabled={placed < 2} onChange={(e) => s().setLocks(e.target.checked ? { align: true, view: true } : { align: false })} /> Align
        </label>
        <label className="check" title="Limits, scale and colormap apply to every frame">
          <input type="checkbox" checked={locks.display} onChange={(e) => s().setLocks({ display: e.target.checked })} /> Lock display
        </label>
      </div>
    </div>
  );
}
