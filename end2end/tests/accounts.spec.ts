// Signing in and out in the browser, as someone without a session: the gallery sends them to
// the sign-in page, a wrong password says so without saying which part was wrong, and signing
// out ends the session. The page is checked with axe.

import AxeBuilder from '@axe-core/playwright';
import { ADMIN, PASSWORD, expect, open, test } from './support';

type AxePage = ConstructorParameters<typeof AxeBuilder>[0]['page'];

// No saved cookies: a visitor who has not signed in.
test.use({ storageState: { cookies: [], origins: [] } });

test('a visitor signs in, sees the gallery, and signs out', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveURL(/\/sign-in$/);
  const form = page.getByRole('form', { name: 'Sign in' });
  await expect(form).toBeVisible();

  await form.getByLabel('Username').fill(ADMIN);
  await form.getByLabel('Password').fill('not the password');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(form.getByRole('alert')).toHaveText('wrong username or password');
  await expect(page).toHaveURL(/\/sign-in$/);

  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await expect(signOut).toBeVisible();
  await page.waitForFunction(() => window.__gailleryHydrated === true);

  await signOut.click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('the sign-in page has no serious accessibility violations', async ({ page }, testInfo) => {
  await open(page, '/sign-in');
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  const results = await new AxeBuilder({ page: page as unknown as AxePage })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  await testInfo.attach('axe-sign-in.json', { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});
