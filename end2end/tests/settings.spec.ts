// The settings page, /settings: API tokens (shown once, usable as a bearer token, revoked),
// accounts (an administrator adds one, it signs in elsewhere, the administrator removes it and
// its session stops working), changing one's own password and an administrator's reset, and
// what a member does not see or may not do. The administrator's own password never changes:
// every other test signs in with it. The page is checked with axe.

import AxeBuilder from '@axe-core/playwright';
import { request as newRequest, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { ADMIN, distinctJpegs, expect, open, test, uploadViaApi, watchHydration } from './support';

type AxePage = ConstructorParameters<typeof AxeBuilder>[0]['page'];

/** A password for the accounts these tests make (at least 10 characters). */
const THEIR_PASSWORD = 'battery staple horse';

/** Someone else, in a browser of their own (no cookies of the administrator), signed in. */
async function signedInElsewhere(
  browser: Browser,
  baseURL: string | undefined,
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL });
  const page = await context.newPage();
  await watchHydration(page);
  await open(page, '/sign-in');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  return { context, page };
}

/** The status of a sign-in through the API, with no cookies. */
async function signInStatus(baseURL: string | undefined, username: string, password: string): Promise<number> {
  const api = await newRequest.newContext({ baseURL });
  const response = await api.post('/api/session', { data: { username, password } });
  await api.dispose();
  return response.status();
}

test('the top bar leads to the settings and back', async ({ page }) => {
  await open(page, '/');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the gallery' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Settings' })).toBeVisible();
});

test('a token is shown once, works as a bearer token, and stops working once revoked', async ({ page, baseURL }, testInfo) => {
  const name = `laptop ${testInfo.project.name} ${testInfo.retry}`;
  await open(page, '/settings');
  const tokens = page.getByRole('region', { name: 'API tokens' });
  const form = tokens.getByRole('form', { name: 'Create a token' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create token' }).click();

  const field = tokens.getByRole('textbox', { name: 'Token', exact: true });
  await expect(field).toHaveValue(/^gly_[0-9a-f]{64}$/);
  await expect(field).toHaveAttribute('readonly', '');
  await expect(tokens.getByText('Copy it now: it will not be shown again.')).toBeVisible();
  await expect(tokens.getByText(/Authorization: Bearer/).first()).toBeVisible();
  const token = await field.inputValue();
  const item = tokens.getByRole('listitem').filter({ hasText: name });
  await expect(item).toBeVisible();
  await expect(form.getByLabel('Name')).toHaveValue('');

  const api = await newRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  try {
    const me = await api.get('/api/me');
    expect(me.status(), await me.text()).toBe(200);
    expect(await me.json()).toEqual({ username: ADMIN, admin: true });

    // Once: the next visit lists the token, without it.
    await open(page, '/settings');
    await expect(item).toBeVisible();
    await expect(tokens.getByRole('textbox', { name: 'Token', exact: true })).toHaveCount(0);
    await expect(page.getByText(token)).toHaveCount(0);

    await item.getByRole('button', { name: `Revoke token ${name}` }).click();
    await expect(tokens.getByRole('status').filter({ hasText: 'Token revoked' })).toBeVisible();
    await expect(item).toHaveCount(0);
    expect((await api.get('/api/me')).status()).toBe(401);
  } finally {
    await api.dispose();
  }
});

test('an administrator adds an account, which signs in to its own gallery, and removes it', async ({ page, browser, baseURL }, testInfo) => {
  const carol = `carol-${testInfo.project.name}-${testInfo.retry}`;
  await open(page, '/settings');
  const accounts = page.getByRole('region', { name: 'Accounts' });
  const form = accounts.getByRole('form', { name: 'Add an account' });
  await form.getByLabel('Username').fill(carol);
  await form.getByLabel(/^Password/).fill(THEIR_PASSWORD);
  await form.getByLabel(/^Administrator/).check();
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(form.getByRole('status')).toHaveText('Account added');
  const row = accounts.getByRole('row').filter({ has: page.getByRole('rowheader', { name: carol }) });
  await expect(row.getByRole('cell')).toHaveText(['Administrator', '0', '0 B', /Remove/]);

  const elsewhere = await signedInElsewhere(browser, baseURL, carol, THEIR_PASSWORD);
  try {
    // Their own gallery: none of the administrator's photos.
    await expect(elsewhere.page.getByRole('heading', { name: 'No photos yet' })).toBeVisible();
    expect((await elsewhere.context.request.get('/api/me')).status()).toBe(200);
    // Their first photo shows in the table: one photo, and its size.
    const [theirs] = await uploadViaApi(elsewhere.context.request, distinctJpegs('carol', 1));
    await page.reload();
    const kib = theirs.size_bytes / 1024;
    const shown = kib.toFixed(kib < 9.95 ? 1 : 0);
    await expect(row.getByRole('cell')).toHaveText(['Administrator', '1', `${shown} KiB`, /Remove/]);

    await row.getByRole('button', { name: `Remove ${carol}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Remove ${carol}?` });
    await expect(dialog).toContainText('1 photo');
    await dialog.getByRole('button', { name: 'Remove account' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(accounts.getByRole('status').filter({ hasText: `Removed ${carol} and 1 photo` })).toBeVisible();
    await expect(row).toHaveCount(0);

    expect((await elsewhere.context.request.get('/api/me')).status()).toBe(401);
    await elsewhere.page.goto('/');
    await expect(elsewhere.page).toHaveURL(/\/sign-in$/);
  } finally {
    await elsewhere.context.close();
  }
});

test('a member changes their password, sees no accounts, may not manage them, and an administrator resets it', async ({ page, browser, baseURL, request }, testInfo) => {
  const dora = `dora-${testInfo.project.name}-${testInfo.retry}`;
  const created = await request.post('/api/users', { data: { username: dora, password: THEIR_PASSWORD, admin: false } });
  expect(created.status(), await created.text()).toBe(201);
  const elsewhere = await signedInElsewhere(browser, baseURL, dora, THEIR_PASSWORD);
  // A second session of theirs, which the change signs out.
  const other = await newRequest.newContext({ baseURL });
  try {
    expect((await other.post('/api/session', { data: { username: dora, password: THEIR_PASSWORD } })).status()).toBe(204);

    const theirs = elsewhere.page;
    await open(theirs, '/settings');
    await expect(theirs.getByText(`Signed in as ${dora}.`)).toBeVisible();
    await expect(theirs.getByRole('region', { name: 'API tokens' })).toBeVisible();
    await expect(theirs.getByRole('region', { name: 'Accounts' })).toHaveCount(0);
    // The server refuses them too.
    const listed = await elsewhere.context.request.post('/_fn/list_accounts', { form: {} });
    expect(listed.status()).toBe(403);
    expect(await listed.text()).toContain('only an administrator can do this');
    const removed = await elsewhere.context.request.post('/_fn/remove_account', { form: { username: ADMIN } });
    expect(removed.status()).toBe(403);

    const form = theirs.getByRole('form', { name: 'Change password' });
    const newPassword = 'a new and longer one';
    await form.getByLabel('Current password').fill(THEIR_PASSWORD);
    await form.getByLabel('New password (at least 10 characters)').fill(newPassword);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(form.getByRole('status')).toHaveText('Password changed; other sessions were signed out');
    await expect(form.getByLabel('Current password')).toHaveValue('');
    // This session stays, the other one is gone; only the new password signs in.
    expect((await elsewhere.context.request.get('/api/me')).status()).toBe(200);
    expect((await other.get('/api/me')).status()).toBe(401);
    expect(await signInStatus(baseURL, dora, THEIR_PASSWORD)).toBe(401);
    expect(await signInStatus(baseURL, dora, newPassword)).toBe(204);

    // The administrator sets another one, which signs them out everywhere.
    await open(page, '/settings');
    const row = page.getByRole('region', { name: 'Accounts' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: dora }) });
    await expect(row.getByRole('cell').first()).toHaveText('Member');
    await row.locator('summary', { hasText: 'Reset password' }).click();
    const reset = row.getByRole('form', { name: `Reset the password of ${dora}` });
    await reset.getByLabel(/^New password/).fill(THEIR_PASSWORD);
    await reset.getByRole('button', { name: 'Set password' }).click();
    await expect(reset.getByRole('status')).toHaveText(`Password set; ${dora} was signed out everywhere`);
    expect((await elsewhere.context.request.get('/api/me')).status()).toBe(401);
    expect(await signInStatus(baseURL, dora, THEIR_PASSWORD)).toBe(204);
  } finally {
    await other.dispose();
    await elsewhere.context.close();
    const deleted = await request.delete(`/api/users/${encodeURIComponent(dora)}`);
    expect(deleted.status()).toBe(204);
  }
});

test('the settings page has no serious accessibility violations', async ({ page }, testInfo) => {
  const name = `axe ${testInfo.project.name} ${testInfo.retry}`;
  await open(page, '/settings');
  // Everything shown at once: the accounts, a new token and an open reset form.
  await expect(page.getByRole('region', { name: 'Accounts' }).getByRole('table')).toBeVisible();
  const tokens = page.getByRole('region', { name: 'API tokens' });
  await tokens.getByRole('form', { name: 'Create a token' }).getByLabel('Name').fill(name);
  await tokens.getByRole('button', { name: 'Create token' }).click();
  await expect(tokens.getByRole('textbox', { name: 'Token', exact: true })).toBeVisible();

  const results = await new AxeBuilder({ page: page as unknown as AxePage })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  await testInfo.attach('axe-settings.json', { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  for (const v of results.violations) {
    console.log(`[${testInfo.project.name}] settings: ${v.impact} ${v.id}: ${v.help}`);
  }
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);

  await page.screenshot({ path: testInfo.outputPath(`settings-${testInfo.project.name}.png`), fullPage: true });
  await tokens.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: /^Revoke/ }).click();
  await expect(tokens.getByRole('listitem').filter({ hasText: name })).toHaveCount(0);
});
