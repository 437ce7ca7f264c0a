// A page whose app stops (a panic; here, hydration meeting markup the server did not render)
// says so at once and offers a reload, instead of looking alive and answering nothing.

import { test as base } from '@playwright/test';
import { AUTH_STATE, expect, watchHydration } from './support';

// The `test` of support.ts fails on any page error; this one expects exactly one.
base('a page whose app stops says so and offers a reload that works', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ storageState: AUTH_STATE, baseURL });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await watchHydration(page);
  try {
    // The gallery's page once with its hydration markers taken out of the body.
    await page.route(
      (url) => url.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        const html = await response.text();
        const at = html.indexOf('<body');
        await route.fulfill({ response, body: html.slice(0, at) + html.slice(at).replaceAll('<!>', '') });
      },
      { times: 1 },
    );
    await page.goto('/');
    const banner = page.getByRole('alert').filter({ hasText: 'This page stopped working.' });
    await expect(banner).toBeVisible();
    expect(errors.length).toBeGreaterThan(0);

    // The reload is a plain link to the same page, which works this time.
    const before = errors.length;
    await Promise.all([page.waitForEvent('load'), banner.getByRole('link', { name: 'Reload' }).click()]);
    await expect.poll(() => page.evaluate(() => window.__gailleryHydrated === true)).toBe(true);
    await expect(page.locator('.page-stopped')).toHaveCount(0);
    expect(errors.slice(before)).toEqual([]);
  } finally {
    await context.close();
  }
});
