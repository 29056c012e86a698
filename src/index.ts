import { createApp } from './app';

const app = createApp();

export default { fetch: app.fetch } satisfies ExportedHandler<{ DB: D1Database }>;

/** The service binding for resource-server Workers (see token-verifier.ts). */
export { TokenVerifier } from './token-verifier';
