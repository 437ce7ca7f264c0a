// Albums and share links in the browser: an album made from the selection, its page (the same
// grid and lightbox, reordering, removing instead of deleting), a link to it opened in a second browser
// with no cookies (read-only: no upload, no selection, no delete, private images, the library
// closed), the link revoked, a link with a password, a single photo shared from the lightbox, and
// axe on the new pages.

import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page, TestInfo } from '@playwright/test';
import {
  announcer,
  distinctJpegs,
  emptyGallery,
  expect,
  galleryOf,
  gridOrder,
  lightboxOf,
  open,
  test,
  tileImage,
  uploadViaApi,
  watchHydration,
} from './support';

type AxePage = ConstructorParameters<typeof AxeBuilder>[0]['page'];

/** A browser of someone who holds nothing but the link: no cookies at all. */
async function stranger(browser: Browser, baseURL: string | undefined): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL });
  const page = await context.newPage();
  await watchHydration(page);
  return { context, page };
}

/** Serious and critical WCAG 2.1 A/AA violations of the page as it is. */
async function seriousViolations(page: Page, testInfo: TestInfo, what: string): Promise<string[]> {
  const results = await new AxeBuilder({ page: page as unknown as AxePage })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  await testInfo.attach(`axe-${what}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
});

test('an album made from the selection is shared read-only by a link, until revoked', async ({ page, browser, baseURL, request }, testInfo) => {
  const [first, second, third] = await uploadViaApi(request, distinctJpegs('album', 3));
  const title = `Holidays ${testInfo.project.name} ${testInfo.retry}`;

  // The selection goes into a new album, made on the spot.
  await open(page, '/');
  await page.getByRole('checkbox', { name: `Select ${first.filename}` }).check();
  await page.getByRole('checkbox', { name: `Select ${third.filename}` }).check();
  await page.getByRole('button', { name: 'Add to album' }).click();
  const picker = page.getByRole('dialog', { name: 'Add 2 photos to an album' });
  await picker.getByLabel('New album').fill(title);
  await picker.getByRole('button', { name: 'Create and add' }).click();
  await expect(announcer(page)).toHaveText(`Added 2 photos to ${title}`);
  await expect(picker).toHaveCount(0);

  // The albums page lists it with its count; its page shows its photos, and no others.
  await page.getByRole('link', { name: 'Albums' }).click();
  await expect(page).toHaveURL(/\/albums$/);
  const card = page.getByRole('link', { name: new RegExp(`^${title} 2 photos$`) });
  await expect(card).toBeVisible();
  expect(await seriousViolations(page, testInfo, 'albums')).toEqual([]);
  await card.click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(tileImage(page, first.filename)).toBeVisible();
  await expect(tileImage(page, third.filename)).toBeVisible();
  await expect(tileImage(page, second.filename)).toHaveCount(0);
  const albumUrl = page.url();
  expect(await seriousViolations(page, testInfo, 'album')).toEqual([]);

  // The order is the album's: the one selected photo moves later, and the server keeps it.
  const before = await gridOrder(page);
  await page.getByRole('checkbox', { name: `Select ${before[0]}` }).check();
  await expect(page.getByRole('button', { name: 'Move earlier' })).toBeDisabled();
  await page.getByRole('button', { name: 'Move later' }).click();
  await expect(announcer(page)).toHaveText('Moved later');
  await expect.poll(() => gridOrder(page)).toEqual([before[1], before[0]]);
  await page.getByRole('button', { name: 'Clear selection' }).click();
  const albumId = albumUrl.split('/albums/')[1];
  const kept = (await (await request.get(`/api/albums/${albumId}/photos`)).json()) as { photos: { filename: string }[] };
  expect(kept.photos.map((p) => p.filename)).toEqual([before[1], before[0]]);

  // Its lightbox takes a photo out of the album; it never deletes one.
  await tileImage(page, first.filename).click();
  const viewer = lightboxOf(page, first.filename);
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'Delete photo' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Remove from album' })).toBeVisible();
  await viewer.getByRole('button', { name: 'Close' }).click();

  // A link, made from the album page.
  await page.getByRole('button', { name: 'Share' }).click();
  const share = page.getByRole('dialog', { name: 'Share this album' });
  await share.getByRole('button', { name: 'Create link' }).click();
  const linkField = share.getByRole('textbox', { name: 'Link' });
  await expect(linkField).toHaveValue(/\/s\/[0-9a-f]{32,}$/);
  const link = await linkField.inputValue();
  expect(await seriousViolations(page, testInfo, 'share-dialog')).toEqual([]);

  // Someone with the link and nothing else sees the album, and can change nothing.
  const visitor = await stranger(browser, baseURL);
  try {
    await open(visitor.page, link);
    const shown = visitor.page;
    await expect(shown.getByRole('heading', { level: 1, name: title })).toBeVisible();
    await expect(tileImage(shown, first.filename)).toBeVisible();
    await expect(tileImage(shown, third.filename)).toBeVisible();
    await expect(galleryOf(shown).getByRole('img')).toHaveCount(2);
    for (const control of ['Upload photos', 'Delete all', 'Add to album', 'Sign out', 'Settings']) {
      await expect(shown.getByRole('button', { name: control })).toHaveCount(0);
      await expect(shown.getByRole('link', { name: control })).toHaveCount(0);
    }
    await expect(shown.getByRole('checkbox')).toHaveCount(0);
    expect(await seriousViolations(shown, testInfo, 'shared')).toEqual([]);

    await tileImage(shown, third.filename).click();
    const sharedViewer = lightboxOf(shown, third.filename);
    await expect(sharedViewer).toBeVisible();
    await expect(sharedViewer.getByRole('button', { name: 'Delete photo' })).toHaveCount(0);
    await expect(sharedViewer.getByRole('button', { name: 'Remove from album' })).toHaveCount(0);
    await expect(sharedViewer.getByRole('button', { name: 'Add to album' })).toHaveCount(0);
    await shown.keyboard.press('Delete');
    await expect(shown.getByRole('alertdialog')).toHaveCount(0);

    // Its images come through the link, privately; the owner's library stays closed.
    const src = await sharedViewer.locator('img.lightbox-image').getAttribute('src');
    expect(src).toMatch(/^\/api\/shared\/[0-9a-f]+\/photos\/[^/]+\/preview$/);
    const image = await visitor.context.request.get(src!);
    expect(image.status()).toBe(200);
    expect(image.headers()['cache-control']).toContain('private');
    expect((await visitor.context.request.get(`/api/photos/${second.id}/preview`)).status()).toBe(401);
    expect((await visitor.context.request.get('/api/photos')).status()).toBe(401);
    await visitor.page.goto('/');
    await expect(visitor.page).toHaveURL(/\/sign-in$/);

    // Revoked by its owner, the link shows nothing more.
    await page.goto(albumUrl);
    await page.getByRole('button', { name: 'Share' }).click();
    await share.getByRole('button', { name: /^Revoke the link / }).click();
    await expect(share.getByText('No live links.')).toBeVisible();
    await open(visitor.page, link);
    await expect(visitor.page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
    await expect(galleryOf(visitor.page)).toHaveCount(0);
    expect((await visitor.context.request.get(src!)).status()).toBe(404);
  } finally {
    await visitor.context.close();
  }
});

test('a photo shared from the lightbox shows that photo alone to a visitor', async ({ page, browser, baseURL, request }, testInfo) => {
  const [lone, other] = await uploadViaApi(request, distinctJpegs('lone', 2));
  await open(page, '/');
  await tileImage(page, lone.filename).click();
  const viewer = lightboxOf(page, lone.filename);
  await expect(viewer).toBeVisible();
  const shareButton = viewer.getByRole('button', { name: 'Share photo' });
  await shareButton.click();
  const share = page.getByRole('dialog', { name: 'Share this photo' });
  await expect(share.getByText('No live links.')).toBeVisible();
  await share.getByLabel('Link works for').selectOption('7');
  // Keys typed in the dialog are the dialog's: F, 0 and the arrows do nothing to the viewer
  // behind it, which still shows the same photo.
  const password = share.getByLabel(/^Password/);
  await password.pressSequentially('f0');
  await password.press('ArrowRight');
  await expect(password).toHaveValue('f0');
  await expect(viewer).toBeVisible();
  expect(await page.evaluate(() => document.fullscreenElement)).toBeNull();
  await password.fill('');
  await share.getByRole('button', { name: 'Create link' }).click();
  const linkField = share.getByRole('textbox', { name: 'Link' });
  await expect(linkField).toHaveValue(/\/s\/[0-9a-f]{32,}$/);
  const link = await linkField.inputValue();
  await expect(linkField).toBeFocused();
  const live = share.getByRole('list', { name: 'Live links' }).getByRole('listitem');
  await expect(live).toHaveCount(1);
  await expect(live.getByText(/^Works until \d{4}-\d{2}-\d{2}$/)).toBeVisible();
  expect(await seriousViolations(page, testInfo, 'share-photo')).toEqual([]);
  // Escape closes the dialog, not the viewer, and the focus goes back to the button.
  await page.keyboard.press('Escape');
  await expect(share).toHaveCount(0);
  await expect(viewer).toBeVisible();
  await expect(shareButton).toBeFocused();

  // The owner's list of links has it, as a photo link.
  const links = (await (await request.get('/api/shares')).json()) as { url: string; photo_id?: string }[];
  expect(links.find((l) => l.url === new URL(link).pathname)?.photo_id).toBe(lone.id);

  // A visitor with the link sees that photo, and nothing else of the library.
  const visitor = await stranger(browser, baseURL);
  try {
    await open(visitor.page, link);
    await expect(tileImage(visitor.page, lone.filename)).toBeVisible();
    await expect(galleryOf(visitor.page).getByRole('img')).toHaveCount(1);
    await expect(tileImage(visitor.page, other.filename)).toHaveCount(0);
    expect((await visitor.context.request.get(`/api/photos/${other.id}/preview`)).status()).toBe(401);
  } finally {
    await visitor.context.close();
  }
});

test('a link with a password opens only once it is given', async ({ browser, baseURL, request }, testInfo) => {
  const [photo] = await uploadViaApi(request, distinctJpegs('locked', 1));
  const made = await request.post('/api/albums', { data: { title: `Locked ${testInfo.project.name}` } });
  expect(made.status()).toBe(201);
  const album = (await made.json()) as { id: string };
  expect((await request.post(`/api/albums/${album.id}/photos`, { data: { photo_ids: [photo.id] } })).status()).toBe(200);
  const shared = await request.post(`/api/albums/${album.id}/share`, { data: { password: 'open sesame', expires_in_days: 7 } });
  expect(shared.status()).toBe(201);
  const { url } = (await shared.json()) as { url: string };

  const visitor = await stranger(browser, baseURL);
  try {
    const page = visitor.page;
    await open(page, url);
    await expect(page.getByRole('heading', { name: 'This album has a password' })).toBeVisible();
    await expect(galleryOf(page)).toHaveCount(0);
    await page.getByLabel('Password').fill('wrong guess');
    await page.getByRole('button', { name: 'Open the album' }).click();
    await expect(page.getByRole('alert')).toContainText(/password/i);
    await page.getByLabel('Password').fill('open sesame');
    await page.getByRole('button', { name: 'Open the album' }).click();
    await expect(tileImage(page, photo.filename)).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: `Locked ${testInfo.project.name}` })).toBeVisible();
  } finally {
    await visitor.context.close();
  }
});
