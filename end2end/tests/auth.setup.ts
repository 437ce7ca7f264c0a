// Runs before every other test: the first run of the gallery, done as a new owner would, in the
// browser (the first-run page creates the administrator), and the same through the API on the
// second server. The signed-in state of both is saved for every test to start from.

import { request as newRequest } from '@playwright/test';
import { ADMIN, AUTH_STATE, PASSWORD, expect, open, test as setup } from './support';

const TWO_MODELS = process.env.GAILLERY_E2E_TWO_MODELS_URL ?? '';

setup('the first run creates the administrator', async ({ page }) => {
  await open(page, '/');
  // No account yet: the gallery sends visitors to the first-run form.
  await expect(page).toHaveURL(/\/sign-in$/);
  const form = page.getByRole('form', { name: 'Create the administrator account' });
  await form.getByLabel('Username').fill(ADMIN);
  await form.getByLabel(/^Password/).fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // The second server (another host name, so its cookie is kept apart) through the API.
  const api = await newRequest.newContext({ baseURL: TWO_MODELS });
  const created = await api.post('/api/setup', { data: { username: ADMIN, password: PASSWORD } });
  expect(created.status(), await created.text()).toBe(201);
  const cookies = (await api.storageState()).cookies;
  await api.dispose();
  await page.context().addCookies(cookies);
  await page.context().storageState({ path: AUTH_STATE });
});
