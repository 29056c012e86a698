// The environment for wrangler commands run by scripts (npm run conformance, npm run bench):
// no metrics, no fetch of workers.cloudflare.com/cf.json (they run offline and never read
// request.cf), no colours in the logs they keep.
export const wranglerEnv = () => ({
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  CI: process.env.CI ?? '1',
});
