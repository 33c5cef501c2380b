/**
 * The frame inspector: any stored frame looked at as in DS9 — the image with
 * its colorbar, the frames open (blink, side by side, locks), the display
 * controls, the panner, magnifier, readout and pixel table, and the
 * measurements. Pixels stay in the inspector worker; this page only asks.
 */
import { useEffect, useState } from 'react';
import { AnalysisPanel } from './panels/AnalysisPanel';
import { Colorbar } from './Colorbar';
import { DisplayBar } from './DisplayBar';
import { DqLegend } from './DqLegend';
import { FrameBar } from './FrameBar';
import { Guard } from './Guard';
import { KEY_HELP, handleKey } from './keys';
import { Magnifier } from './Magnifier';
import { Panner } from './Panner';
import { PixelTable, Readout } from './Readout';
import { Stage } from './Stage';
import { useInspector } from './store';
import { useFrameLoading } from './useFrameLoading';
import { useProbe } from './useProbe';
import './inspector.css';

function useBlinking(): void {
  const layout = useInspector((s) => s.layout);
  const playing = useInspector((s) => s.blink.playing);
  const interval = useInspector((s) => s.blink.interval);
  const count = useInspector((s) => s.frames.length);
  useEffect(() => {
    if (layout !== 'blink' || !playing || count < 2) return;
    const t = setInterval(() => useInspector.getState().step(1), interval);
    return () => clearInterval(t);
  }, [layout, playing, interval, count]);
}

function useKeyboard(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A key something else already answered (the view tabs' arrows) is not a command here.
      if (e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      // Typing in a field is typing, not a command (a checkbox or a button is no field).
      const typing = t && (t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable || (t.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button'].includes((t as HTMLInputElement).type)));
      if (typing) return;
      // Tab steps through the frames only from the image (elsewhere it moves the focus, as it should).
      if (e.key === 'Tab' && !(t === document.body || t?.classList.contains('pane-box'))) return;
      if (handleKey(e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function InspectorView() {
  const { generation, notice, dismiss } = useFrameLoading();
  const hasFrames = useInspector((s) => s.frames.length > 0);
  const probe = useProbe();
  const [help, setHelp] = useState(false);
  useBlinking();
  useKeyboard();
  return (
    <div className="inspector">
      <div className="inspector-bars">
        <Guard what="toolbar">
          <FrameBar />
          {hasFrames && <DisplayBar />}
          <DqLegend />
        </Guard>
      </div>
      {notice && (
        <div className="notice" role="status">
          {notice} <button className="icon-btn" aria-label="Dismiss notice" onClick={dismiss}>×</button>
        </div>
      )}
      <div className="inspector-body">
        <div className="inspector-main">
          <Guard what="image view">
            <Stage generation={generation} />
            {hasFrames && <Colorbar />}
          </Guard>
        </div>
        <aside className="inspector-side" aria-label="Inspector tools">
          <div className="side-views">
            <Panner generation={generation} />
            <Magnifier generation={generation} />
          </div>
          <Guard what="readout">
            <Readout probe={probe} />
            <PixelTable probe={probe} />
          </Guard>
          <Guard what="analysis panel">
            <AnalysisPanel />
          </Guard>
          <div className="key-help">
            <button className="link small" aria-expanded={help} onClick={() => setHelp(!help)}>{help ? 'Hide' : 'Mouse and keys'}</button>
            {help && (
              <dl className="small">
                {KEY_HELP.map(([k, v]) => (<div key={k}><dt className="mono">{k}</dt><dd>{v}</dd></div>))}
              </dl>
            )}
          </div>
        </aside>
      </div>
    </div>
  );
}
