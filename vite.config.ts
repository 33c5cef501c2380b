/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// The Content-Security-Policy is written once, in index.html's meta. Workers and the service
// worker do not inherit a page's meta policy: they get the policy of their own script's response.
// So `vite preview` sends the same policy as a header on every response, and the e2e tests run the
// workers under it too. A deployer sets the same header (README, "Offline").
export const CSP = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(new URL('./index.html', import.meta.url), 'utf8'))?.[1];
if (!CSP) throw new Error('index.html: no <meta http-equiv="Content-Security-Policy"> found; vite.config.ts sends its policy as a header');

// Everything is bundled locally: the built page makes no network request.
export default defineConfig({
  plugins: [
    react(),
    // vite-plugin-pwa 2 (peer vite ^8) with workbox's generateSW: a service worker that precaches
    // every file of the build the app uses, so after one visit it loads, ingests and reduces
    // with no network. 'prompt': a new version waits until the user reloads (src/app/UpdateNotice.tsx
    // registers it through virtual:pwa-register/react, so no script is injected into index.html).
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'CCD Workbench',
        short_name: 'CCD Workbench',
        description: 'Reduce a night of CCD frames in the browser: ingest, calibrate, stack, inspect. Works offline.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#0b1526',
        theme_color: '#0b1526',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Every file of the build but the source maps and the kernel benchmark page (bench.html and
        // its chunks), the workers' chunks included: they are plain .js under assets/. The plugin
        // adds the manifest and its icons itself.
        globPatterns: ['**/*.{js,css,html,svg}'],
        globIgnores: ['bench.html', 'assets/bench*'],
        // plotly's bundle is ~5 MB; workbox skips files over 2 MB unless told.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/bench\.html$/],
        cleanupOutdatedCaches: true,
        // The first install takes the page that registered it at once (the files it precaches are
        // the ones that page loaded), so one visit is enough to work offline. Updates still wait.
        clientsClaim: true,
      },
    }),
  ],
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 6000,
    // bench.html is the in-browser kernel benchmark (npm run bench:browser).
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  preview: { port: 4173, strictPort: true, headers: { 'Content-Security-Policy': CSP } },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    setupFiles: ['test/scratchPoison.ts'],
  },
});
