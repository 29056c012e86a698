// The fixtures of the browser tests: import { test, expect } from './fixtures' instead of
// '@playwright/test'.
//   admin                          the admin client of the Worker under test ({ clientId, clientSecret })
//   adminToken()                   an access token of that client (client_credentials, client_secret_basic)
//   expectNoSeriousA11yViolations  axe-core on a page; fails listing the serious and critical violations
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

export { expect };

export interface AdminCredentials {
  clientId: string;
  clientSecret: string;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with \`npm run test:browser\` (global setup starts the Worker)`);
  return value;
}

const SERIOUS = new Set(['serious', 'critical']);

/**
 * axe-core (WCAG 2.0/2.1/2.2 A and AA, and axe's best practices) on the page as it is now;
 * throws listing every violation of impact serious or critical: rule id, impact, help, and
 * the CSS selectors of the offending nodes. Minor and moderate violations do not fail.
 */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => SERIOUS.has(v.impact ?? ''));
  if (serious.length === 0) return;
  const lines = serious.map((v) => {
    const targets = v.nodes.map((node) => `    ${node.target.join(' ')}`).join('\n');
    return `  ${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}\n${targets}`;
  });
  throw new Error(`${label}: ${serious.length} serious or critical accessibility violation(s)\n${lines.join('\n')}`);
}

export const test = base.extend<
  {
    adminToken: () => Promise<string>;
    expectNoSeriousA11yViolations: typeof expectNoSeriousA11yViolations;
  },
  { admin: AdminCredentials }
>({
  // From the environment global setup fills in; also when the config's use.baseURL was read before it.
  baseURL: async ({}, use) => use(env('E2E_BASE_URL')),
  admin: [async ({}, use) => use({ clientId: env('E2E_ADMIN_CLIENT_ID'), clientSecret: env('E2E_ADMIN_CLIENT_SECRET') }), { scope: 'worker' }],
  adminToken: async ({ admin, request }, use) => {
    await use(async () => {
      const basic = Buffer.from(`${encodeURIComponent(admin.clientId)}:${encodeURIComponent(admin.clientSecret)}`).toString('base64');
      const res = await request.post('/oauth/token', {
        headers: { authorization: `Basic ${basic}` },
        form: { grant_type: 'client_credentials' },
      });
      const body = await res.text();
      expect(res.status(), `POST /oauth/token as the admin client: ${body}`).toBe(200);
      const token: unknown = JSON.parse(body).access_token;
      expect(typeof token, `access_token in ${body}`).toBe('string');
      return token as string;
    });
  },
  expectNoSeriousA11yViolations: async ({}, use) => use(expectNoSeriousA11yViolations),
});
