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
import { useRegisterSW } from 'virtual:pwa-register/react';

/**
 * Lets the waiting worker take over, then reloads once it controls the page.
 * The plugin reloads by itself only when the page was already controlled when
 * it loaded (workbox-window's isUpdate): a page open since the very first
 * install would stay on the old version (seen in e2e/update.spec.ts), so the
 * reload is ours in every case and the plugin's is turned off (onNeedReload).
 */
async function takeUpdate(skipWaiting: () => Promise<void>): Promise<void> {
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  await skipWaiting();
}

export function UpdateNotice({ busy }: { busy: boolean }) {
  const {
    needRefresh: [needRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onNeedReload: () => undefined,
    onRegisterError: (err: unknown) => console.warn('service worker registration failed: the app will not work offline', err),
  });
  if (!needRefresh) return null;
  return (
    <div className="update-notice" role="status" aria-label="Update ready">
      <span>{busy ? 'A new version is ready: reload once the work in progress ends.' : 'A new version of the workbench is ready.'}</span>
      <button type="button" disabled={busy} onClick={() => void takeUpdate(() => updateServiceWorker())}>
        Reload to update
      </button>
    </div>
  );
}
