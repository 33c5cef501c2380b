/**
 * How the current frame is shown: which image and plane (SCI, VAR, DQ), the
 * limits (zscale, min/max, percentages, the user's own), the scale function,
 * the colormap, invert, contrast and bias, the DQ overlay, the zoom, and
 * what the left mouse button does.
 */
import { useEffect, useState } from 'react';
import { COLORMAP_NAMES, isColormapName } from '../../core/display/colormaps';
import { PERCENT_CLIPS, type LimitsMode } from '../../core/display/limits';
import { DEFAULT_BIAS, DEFAULT_CONTRAST } from '../../core/display/lut';
import { SCALE_LABELS, SCALE_NAMES, isScaleName } from '../../core/display/scale';
import { zoomAbout } from '../../core/display/viewport';
import { formatZoom } from './interaction';
import { formatValue } from './format';
import { currentFrame, fittedView, useInspector, type Tool } from './store';

function limitsKey(mode: LimitsMode): string {
  return mode.kind === 'percent' ? `percent:${mode.percent}` : mode.kind;
}

const TOOLS: { id: Tool; label: string; title: string }[] = [
  { id: 'pan', label: 'Pan', title: 'Drag to pan; click to set the crosshair (cuts, 3D)' },
  { id: 'region', label: 'Region', title: 'Drag a box: its statistics and histogram' },
  { id: 'line', label: 'Line', title: 'Drag a line: the cut along it' },
  { id: 'star', label: 'Star', title: 'Click a star: its radial profile and FWHM' },
];

/** Zoom the current pane about its centre: by 2 in or out, to fit, or 1:1 (the keyboard and buttons). */
export function zoomCurrent(direction: 1 | -1 | 'fit' | 'one'): void {
  const s = useInspector.getState();
  const f = currentFrame(s);
  const image = f?.info?.images[f.image];
  if (!f?.view || !image || !s.canvas) return;
  if (direction === 'fit') return s.setView(f.fileId, fittedView(image, s.canvas));
  const factor = direction === 'one' ? 1 / f.view.zoom : direction > 0 ? 2 : 0.5;
  s.setView(f.fileId, zoomAbout(f.view, s.canvas, factor, s.canvas.width / 2, s.canvas.height / 2));
}

/** The 3D tab around the crosshair, or around the middle of the view when there is none (the w key uses the pointer). */
function showSurface(): void {
  const s = useInspector.getState();
  const f = currentFrame(s);
  const image = f?.info?.images[f.image];
  if (!f || !image) return;
  if (s.marks.crosshair?.fileId !== f.fileId && f.view) {
    const ix = Math.min(image.width - 1, Math.max(0, Math.round(f.view.cx)));
    const iy = Math.min(image.height - 1, Math.max(0, Math.round(f.view.cy)));
    s.mark({ crosshair: { fileId: f.fileId, ix, iy } });
  }
  s.setPanel('surface');
}

function LimitInputs() {
  const frame = useInspector(currentFrame);
  const setLimits = useInspector((s) => s.setLimits);
  const [low, setLow] = useState('');
  const [high, setHigh] = useState('');
  const [problem, setProblem] = useState<string>();
  const drawn = frame?.drawn;
  useEffect(() => {
    setLow(drawn ? formatValue(drawn.low) : '');
    setHigh(drawn ? formatValue(drawn.high) : '');
    setProblem(undefined);
  }, [drawn?.low, drawn?.high]); // eslint-disable-line react-hooks/exhaustive-deps
  const apply = () => {
    const lo = Number(low);
    const hi = Number(high);
    const bad = low.trim() === '' || !Number.isFinite(lo) ? `"${low}" is not a number`
      : high.trim() === '' || !Number.isFinite(hi) ? `"${high}" is not a number`
      : hi > lo ? undefined : `the low limit must be below the high (${lo} ≥ ${hi})`;
    setProblem(bad);
    if (!bad) setLimits({ kind: 'user', low: lo, high: hi });
    else { setLow(drawn ? formatValue(drawn.low) : ''); setHigh(drawn ? formatValue(drawn.high) : ''); }
  };
  return (
    <span className="limit-inputs">
      <input aria-label="Low limit" className="num-input" data-value={drawn?.low} value={low} onChange={(e) => setLow(e.target.value)} onBlur={apply} onKeyDown={(e) => e.key === 'Enter' && apply()} />
      <span className="muted">…</span>
      <input aria-label="High limit" className="num-input" data-value={drawn?.high} value={high} onChange={(e) => setHigh(e.target.value)} onBlur={apply} onKeyDown={(e) => e.key === 'Enter' && apply()} />
      {problem && <span className="limit-problem" role="alert">Not applied: {problem}.</span>}
    </span>
  );
}

export function DisplayBar() {
  const frame = useInspector(currentFrame);
  const overlay = useInspector((s) => s.overlay);
  const tool = useInspector((s) => s.tool);
  const s = useInspector.getState;
  if (!frame) return null;
  const image = frame.info?.images[frame.image];
  const mode = frame.limitsByPlane[frame.plane];
  const { display } = frame;
  const hasDq = image?.hdus.dq !== undefined;

  return (
    <div className="display-bar">
      {frame.info && frame.info.images.length > 1 && (
        <select aria-label="Image" value={frame.image} onChange={(e) => s().patchFrame(frame.fileId, { image: Number(e.target.value), plane: 'sci', slice: 0, view: undefined })}>
          {frame.info.images.map((im) => <option key={im.index} value={im.index}>{im.label} {im.width}×{im.height}</option>)}
        </select>
      )}
      {image && (image.hdus.var !== undefined || hasDq) && (
        <div className="segmented" role="group" aria-label="Plane">
          {(['sci', 'var', 'dq'] as const).filter((p) => image.hdus[p] !== undefined).map((p) => (
            <button key={p} aria-pressed={frame.plane === p} onClick={() => s().setPlane(p)}>{p.toUpperCase()}</button>
          ))}
        </div>
      )}
      {image && image.depth > 1 && (
        <label className="tb-group">
          Plane
          <input type="number" className="num-input short" aria-label="Cube plane" min={1} max={image.depth} value={frame.slice + 1}
            onChange={(e) => { const v = Math.min(image.depth, Math.max(1, Number(e.target.value) || 1)); s().patchFrame(frame.fileId, { slice: v - 1 }); }} />
          <span className="muted small">of {image.depth}</span>
        </label>
      )}
      <label className="tb-group">
        Limits
        <select aria-label="Limits" value={limitsKey(mode)} onChange={(e) => {
          const v = e.target.value;
          if (v === 'user') { if (frame.drawn) s().setLimits({ kind: 'user', ...frame.drawn }); return; }
          s().setLimits(v.startsWith('percent:') ? { kind: 'percent', percent: Number(v.slice(8)) } : ({ kind: v } as LimitsMode));
        }}>
          <option value="zscale">zscale</option>
          <option value="minmax">min/max</option>
          {PERCENT_CLIPS.map((p) => <option key={p} value={`percent:${p}`}>{p}%</option>)}
          <option value="user">user</option>
        </select>
        <LimitInputs />
      </label>
      <label className="tb-group">
        Scale
        <select aria-label="Scale" value={display.scale} onChange={(e) => isScaleName(e.target.value) && s().setDisplay({ scale: e.target.value })}>
          {SCALE_NAMES.map((n) => <option key={n} value={n}>{SCALE_LABELS[n]}</option>)}
        </select>
        {(display.scale === 'log' || display.scale === 'pow') && (
          <input type="number" className="num-input short" aria-label="Scale exponent" title="DS9's log exponent (1000 by default)" min={2} step={100}
            value={display.exponent} onChange={(e) => { const a = Number(e.target.value); if (a > 1) s().setDisplay({ exponent: a }); }} />
        )}
      </label>
      <label className="tb-group">
        Colormap
        <select aria-label="Colormap" value={display.colormap} onChange={(e) => isColormapName(e.target.value) && s().setDisplay({ colormap: e.target.value })}>
          {COLORMAP_NAMES.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </label>
      <label className="check"><input type="checkbox" checked={display.invert} onChange={(e) => s().setDisplay({ invert: e.target.checked })} /> Invert</label>
      <span className="tb-group" title="Drag with the right mouse button over the image: across for bias, down for contrast">
        <span className="muted small mono cb-value">c {display.contrast.toFixed(2)} b {display.bias.toFixed(2)}</span>
        <button className="small-btn" aria-label="Reset contrast and bias" disabled={display.contrast === DEFAULT_CONTRAST && display.bias === DEFAULT_BIAS} onClick={() => s().setDisplay({ contrast: DEFAULT_CONTRAST, bias: DEFAULT_BIAS })}>Reset</button>
      </span>
      {hasDq && (
        <label className="check" title="Paint flagged pixels over SCI, one colour per bit">
          <input type="checkbox" checked={overlay.on} onChange={(e) => s().setOverlay({ on: e.target.checked })} /> DQ overlay
        </label>
      )}
      <span className="tb-group" role="group" aria-label="Zoom">
        <button className="small-btn" onClick={() => zoomCurrent('fit')} title="Zoom to fit (f)">Fit</button>
        <button className="small-btn" onClick={() => zoomCurrent('one')} title="One image pixel per screen pixel (1)">1:1</button>
        <button className="small-btn" aria-label="Zoom out" onClick={() => zoomCurrent(-1)} title="Zoom out by 2 (-)">−</button>
        <button className="small-btn" aria-label="Zoom in" onClick={() => zoomCurrent(1)} title="Zoom in by 2 (+)">+</button>
        <span className="mono small zoom-value" aria-label="Zoom factor">{frame.view ? formatZoom(frame.view.zoom) : ''}</span>
      </span>
      <div className="segmented" role="group" aria-label="Tool">
        {TOOLS.map((t) => <button key={t.id} aria-pressed={tool === t.id} title={t.title} onClick={() => s().setTool(t.id)}>{t.label}</button>)}
      </div>
      <button className="small-btn" onClick={showSurface} title="The pixels around the crosshair (or the view's centre) in 3D (w over the image)">3D view</button>
    </div>
  );
}
