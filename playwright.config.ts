import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. The flags keep it off the
// closed network of CI machines (see DEVELOPERS.md).
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: 'http://localhost:4180',
    launchOptions: chromiumLaunch,
    viewport: { width: 1440, height: 900 },
  },
  // Its own port, so a running `npm start` (4173) does not collide with the tests.
  // Never reuse a server already listening there: it may serve another build
  // (an older dist, or someone's dev server), and the tests would pass or
  // fail against code they did not build. --strictPort then fails loudly.
  webServer: {
    command: 'npx vite preview --port 4180 --strictPort',
    url: 'http://localhost:4180',
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
