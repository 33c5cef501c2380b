/**
 * The image area: one pane (single frame, or blinking through the open
 * frames), or every open frame side by side.
 */
import { ImagePane } from './ImagePane';
import { currentFrame, useInspector } from './store';

export function Stage({ generation }: { generation: number }) {
  const frames = useInspector((s) => s.frames);
  const current = useInspector((s) => s.current);
  const layout = useInspector((s) => s.layout);
  const frame = currentFrame({ frames, current });

  if (!frames.length || !frame) {
    return (
      <div className="stage stage-empty">
        <div className="empty">
          <p><strong>No frame open.</strong></p>
          <p>Press “Inspect” on a row of the library (or double-click it), or open a product, its inputs or calibrations from the Runs view.</p>
        </div>
      </div>
    );
  }
  if (layout === 'tile' && frames.length > 1) {
    const cols = Math.ceil(Math.sqrt(frames.length));
    return (
      <div className="stage stage-tile" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
        {frames.map((f) => (
          <ImagePane key={f.fileId} frame={f} generation={generation} main={f.fileId === current} caption selected={f.fileId === current} />
        ))}
      </div>
    );
  }
  return (
    <div className="stage">
      <ImagePane frame={frame} generation={generation} main />
    </div>
  );
}
