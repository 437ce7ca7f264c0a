// A month with more photos than one page (60): the server renders the first page, the rest of
// the month loads as it comes into view, and the lightbox reaches all of it.

import { distinctJpegs, emptyGallery, expect, galleryOf, lightboxOf, listViaApi, open, test, tileImage, uploadViaApi, type Photo } from './support';

const PAGE = 60;
const TOTAL = 65;

let newestFirst: Photo[];

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  await emptyGallery(request);
  await uploadViaApi(request, distinctJpegs('many', TOTAL));
  newestFirst = await listViaApi(request);
  expect(newestFirst).toHaveLength(TOTAL);
});

test('the server renders the first page; the rest of the month loads as it is scrolled to', async ({ page }) => {
  await page.goto('/');
  // Before the app starts, the server's page already shows the first photos.
  await expect(galleryOf(page).locator('.tile').first()).toBeVisible();
  await open(page);
  const month = galleryOf(page).locator('.month');
  await expect(month).toHaveCount(1);
  await expect(month.locator('.month-count')).toHaveText(`${TOTAL} photos`);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  // Uploaded one after another without a date of their own: the oldest upload is last.
  await expect(tileImage(page, newestFirst[TOTAL - 1].filename)).toBeInViewport();
  await tileImage(page, newestFirst[TOTAL - 1].filename).click();
  await expect(lightboxOf(page, newestFirst[TOTAL - 1].filename).locator('.lightbox-position')).toHaveText(`${TOTAL} of ${TOTAL}`);
});

test('the lightbox moves past the first page and opens any photo of the month', async ({ page }) => {
  const last = PAGE - 1;
  await open(page, `/?photo=${newestFirst[last].id}`);
  const dialog = lightboxOf(page, newestFirst[last].filename);
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.lightbox-position')).toHaveText(`${PAGE} of ${TOTAL}`);
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(`/?photo=${newestFirst[PAGE].id}`);
  await expect(lightboxOf(page, newestFirst[PAGE].filename).locator('.lightbox-position')).toHaveText(`${PAGE + 1} of ${TOTAL}`);

  const oldest = newestFirst[TOTAL - 1];
  await open(page, `/?photo=${oldest.id}`);
  await expect(lightboxOf(page, oldest.filename)).toBeVisible();
  await expect(lightboxOf(page).locator('img.lightbox-image')).toHaveAttribute('src', `/api/photos/${oldest.id}/preview`);
  await lightboxOf(page).getByRole('button', { name: 'Close' }).click();
  await expect(lightboxOf(page)).toHaveCount(0);
});
