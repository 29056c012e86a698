import { createApp } from './app';
import type { AppBindings } from './lib/create-router';
import { runMaintenance } from './maintenance/scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  /** The Cron Trigger (wrangler.toml): purges and the audit outbox, see maintenance/scheduled.ts. */
  async scheduled(controller, env) {
    await runMaintenance(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<AppBindings>;

/** The service binding for resource-server Workers (see token-verifier.ts). */
export { TokenVerifier } from './token-verifier';
