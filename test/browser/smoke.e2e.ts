// The harness itself: the Worker answers in the browser, the admin credentials mint a token
// the admin API accepts, and the accessibility check fails on serious violations only.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';

test('/docs: the API reference page, its CSP and its pinned script', async ({ page }) => {
  // The page loads Scalar from jsDelivr, out of reach here (and not this service's code):
  // aborted, and recorded to prove the page asks for it.
  const thirdParty: string[] = [];
  await page.route('https://cdn.jsdelivr.net/**', (route) => {
    thirdParty.push(route.request().url());
    return route.abort();
  });
  const response = await page.goto('/docs');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
  await expect(page).toHaveTitle('Edge OAuth2 client registry: API reference');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('script#api-reference')).toHaveAttribute('data-url', '/openapi.json');
  await expect(page.locator('script[src*="@scalar/api-reference@"]')).toHaveAttribute('integrity', /^sha384-/);
  expect(thirdParty).toEqual([expect.stringMatching(/^https:\/\/cdn\.jsdelivr\.net\/npm\/@scalar\/api-reference@[^/]+\/dist\/browser\/standalone\.js$/)]);
  // The document the page would render, from the same origin.
  const spec = await page.request.get('/openapi.json');
  expect(spec.status()).toBe(200);
  expect((await spec.json()).info.title).toBe('Edge OAuth2 client registry');
});

test('the admin client mints a token the admin API accepts', async ({ adminToken, request }) => {
  const token = await adminToken(); // asserts 200 from /oauth/token
  expect(token.split('.')).toHaveLength(3);
  const clients = await request.get('/clients', { headers: { authorization: `Bearer ${token}` } });
  expect(clients.status(), await clients.text()).toBe(200);
  const anonymous = await request.get('/clients');
  expect(anonymous.status()).toBe(401);
});

test.describe('expectNoSeriousA11yViolations', () => {
  test('fails on a critical violation, naming the rule and the element', async ({ page, expectNoSeriousA11yViolations }) => {
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Broken</title></head><body><main><h1>Broken</h1>' +
        '<img id="no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>',
    );
    const failure = await expectNoSeriousA11yViolations(page, 'broken page').then(
      () => null,
      (error: Error) => error,
    );
    expect(failure?.message).toContain('broken page: 1 serious or critical accessibility violation(s)');
    expect(failure?.message).toContain('image-alt (critical)');
    expect(failure?.message).toContain('#no-alt');
  });

  test('passes a clean page, and one with moderate violations only', async ({ page, expectNoSeriousA11yViolations }) => {
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Clean</title></head><body><main><h1>Clean</h1><p>Text.</p></main></body></html>',
    );
    await expectNoSeriousA11yViolations(page, 'clean page');

    // Content outside landmarks and a skipped heading level: moderate, reported by axe, not failed on.
    await page.setContent('<!doctype html><html lang="en"><head><title>Moderate</title></head><body><h1>A</h1><h3>B</h3></body></html>');
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.map((v) => v.impact)).toContain('moderate');
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await expectNoSeriousA11yViolations(page, 'moderate page');
  });
});
