// Starts the Worker once for the whole run (scripts/local-worker.mjs: wrangler dev on a free
// port, fresh local D1, fresh throw-away credentials, in test/browser/.tmp/worker, git-ignored)
// and hands it to the tests through the environment, which the test workers inherit. The
// function returned is the global teardown: it stops the Worker, whatever the tests did.
// With E2E_BASE_URL already set, it starts nothing and uses that Worker.
import { fileURLToPath } from 'node:url';
import { startLocalWorker } from '../../scripts/local-worker.mjs';

const TMP_DIR = fileURLToPath(new URL('./.tmp/worker', import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL) {
    if (!process.env.E2E_ADMIN_CLIENT_ID || !process.env.E2E_ADMIN_CLIENT_SECRET) {
      throw new Error('E2E_BASE_URL is set: set E2E_ADMIN_CLIENT_ID and E2E_ADMIN_CLIENT_SECRET too (the admin client of that Worker)');
    }
    console.log(`[browser] using the Worker at ${process.env.E2E_BASE_URL}`);
    return async () => {};
  }
  const worker = await startLocalWorker({ tmpDir: TMP_DIR, adminClientId: 'browser-admin', logName: 'browser' });
  process.env.E2E_BASE_URL = worker.base;
  process.env.E2E_ADMIN_CLIENT_ID = worker.adminClientId;
  process.env.E2E_ADMIN_CLIENT_SECRET = worker.adminClientSecret;
  return async () => {
    await worker.stop();
    // So that a global setup run again in this process (UI mode) starts a new Worker.
    delete process.env.E2E_BASE_URL;
    delete process.env.E2E_ADMIN_CLIENT_ID;
    delete process.env.E2E_ADMIN_CLIENT_SECRET;
  };
}
