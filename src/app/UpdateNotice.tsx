/**
 * Registers the service worker (vite-plugin-pwa, registerType 'prompt') and
 * says when a new version of the app is installed and waiting. Nothing
 * updates by itself: "Reload to update" lets the waiting worker take over and
 * reloads the page. Stored data lives in IndexedDB and OPFS, which a new
 * service worker never touches (workbox only replaces its own precache), and
 * the Dexie schema upgrades forward on open. While an ingest or a reduction
 * runs the button waits for it: a reload would interrupt the work (nothing
 * stored is lost, but the run would need a restart).
 */
import { useEffect, useState } from 'react';
import { useRegisterSW } from 'virtual:pwa-register/react';

/**
 * Lets the waiting worker take over, then reloads once it controls the page.
 * The plugin reloads by itself only when the page was already controlled when
 * it loaded (workbox-window's isUpdate): a page open since the very first
 * install would stay on the old version (seen in e2e/update.spec.ts), so the
 * reload is ours in every case and the plugin's is turned off (onNeedReload).
 */
let updatingHere = false;

async function takeUpdate(skipWaiting: () => Promise<void>): Promise<void> {
  updatingHere = true;
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  await skipWaiting();
}

/**
 * True once another tab has let a new version take over this page: the old
 * version's files are gone from the cache with the old worker (a chunk or a
 * worker script it has not loaded yet can no longer load), so this page must
 * reload too. The first install taking an uncontrolled page is not a change
 * of version.
 */
function useReplacedElsewhere(): boolean {
  const [replaced, setReplaced] = useState(false);
  useEffect(() => {
    const sw = navigator.serviceWorker;
    if (!sw) return;
    let controlled = !!sw.controller;
    const onChange = () => {
      if (controlled && !updatingHere) setReplaced(true);
      controlled = true;
    };
    sw.addEventListener('controllerchange', onChange);
    return () => sw.removeEventListener('controllerchange', onChange);
  }, []);
  return replaced;
}

export function UpdateNotice({ busy }: { busy: boolean }) {
  const {
    needRefresh: [needRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onNeedReload: () => undefined,
    onRegisterError: (err: unknown) => console.warn('service worker registration failed: the app will not work offline', err),
  });
  const replaced = useReplacedElsewhere();
  if (!needRefresh && !replaced) return null;
  const text = replaced
    ? 'A new version of the workbench took over in another tab: reload to use it here.'
    : 'A new version of the workbench is ready.';
  return (
    <div className="update-notice" role="status" aria-label="Update ready">
      <span>{busy ? `${text} Reload once the work in progress ends.` : text}</span>
      <button type="button" disabled={busy} onClick={() => (replaced ? window.location.reload() : void takeUpdate(() => updateServiceWorker()))}>
        Reload to update
      </button>
    </div>
  );
}
