// What the console's browser tests share: `test` with a guard on every page (the CSP refuses
// nothing, no script fails, no request leaves this origin), and the helpers that set a scene.
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, test as base } from './fixtures';

export { expect };

export const test = base.extend<{ pageGuard: void }>({
  pageGuard: [
    async ({ page, baseURL }, use) => {
      const refusals: string[] = [];
      const foreign: string[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy|Refused to/i.test(message.text())) refusals.push(message.text());
      });
      page.on('pageerror', (error) => refusals.push(`page error: ${error.message}`));
      page.on('request', (req) => {
        if (!req.url().startsWith(baseURL!) && !req.url().startsWith('data:')) foreign.push(req.url());
      });
      await use();
      expect(refusals, 'CSP refusals and page errors').toEqual([]);
      expect(foreign, 'requests to other origins').toEqual([]);
    },
    { auto: true },
  ],
});

export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** The admin API as a test sets the scene: straight JSON calls, never through the page. */
export async function call(request: APIRequestContext, token: string, method: string, path: string, body?: unknown, tenant?: string) {
  const res = await request.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(tenant ? { 'x-tenant-id': tenant } : {}) },
    ...(body === undefined ? {} : { data: body }),
  });
  const text = await res.text();
  expect(res.ok(), `${method} ${path}: ${res.status()} ${text}`).toBe(true);
  return { body: text ? JSON.parse(text) : null, etag: res.headers()['etag'] };
}

/** Signs in through the page, with the keyboard's Enter, as a person does. */
export async function signIn(page: Page, clientId: string, secret: string) {
  await page.goto('/console');
  await page.getByLabel('Client id').fill(clientId);
  await page.getByLabel('Client secret').fill(secret);
  await page.getByLabel('Client secret').press('Enter');
  await expect(page.getByTestId('who-client')).toHaveText(clientId);
}
