/** The header of the file the library focuses, beside the table (the viewer itself is shared: src/ui). */
import { HeaderViewer as SharedHeaderViewer } from '../../ui/HeaderViewer';
import { useLibrary } from './store';

export function HeaderViewer() {
  const fileId = useLibrary((s) => s.headerFileId);
  const close = useLibrary((s) => s.showHeader);
  return <SharedHeaderViewer fileId={fileId} onClose={() => close(undefined)} />;
}
