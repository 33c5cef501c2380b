/** Page-wide drop target: files or whole folders dropped anywhere are ingested. */
import { useEffect, useState } from 'react';
import { collectFromDrop } from './collectFiles';
import { ingestFiles } from './ingestController';
import { useLibrary } from './store';

export function DropZone({ children }: { children: React.ReactNode }) {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const enter = (e: DragEvent) => { if (hasFiles(e)) { depth++; setOver(true); } };
    const leave = () => { depth = Math.max(0, depth - 1); if (!depth) setOver(false); };
    const overFn = (e: DragEvent) => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer!.dropEffect = 'copy'; } };
    const drop = async (e: DragEvent) => {
      if (!e.dataTransfer || !hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const { files, skipped } = await collectFromDrop(e.dataTransfer);
      if (skipped.length) useLibrary.getState().setNotice(`${skipped.length} non-FITS file(s) in the dropped folder were skipped (${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}).`);
      await ingestFiles(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return (
    <>
      {children}
      {over && (
        <div className="drop-overlay" aria-hidden>
          <div>Drop FITS files or folders to add them to the library</div>
        </div>
      )}
    </>
  );
}
