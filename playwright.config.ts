// `npm run test:browser`: end-to-end browser tests (test/browser/**/*.e2e.ts) against the
// Worker under `wrangler dev` with a fresh local D1 and throw-away credentials, started
// once for the run by test/browser/global-setup.ts (scripts/local-worker.mjs) and always
// stopped. Tests get the base URL and the admin credentials from test/browser/fixtures.ts
// (E2E_BASE_URL, E2E_ADMIN_CLIENT_ID, E2E_ADMIN_CLIENT_SECRET in the environment; set all
// three beforehand to run against a Worker already running, e.g. `npm run dev`'s).
//
// The browser is the system's Chromium (Playwright cannot download its own here):
// CHROMIUM_PATH, default /usr/bin/chromium (Debian's package). Not *.spec.ts or *.test.ts:
// vitest (test/**/*.test.ts, in workerd) must never collect these.
import { defineConfig, devices } from '@playwright/test';

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.e2e.ts',
  outputDir: 'test/browser/.tmp/results',
  globalSetup: './test/browser/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    // Read in the test workers, which start after global setup has set it.
    baseURL: process.env.E2E_BASE_URL,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          // CI runs as root, where Chromium refuses to start with its sandbox.
          args: ['--no-sandbox'],
        },
      },
    },
  ],
});
