// More photos than one page (60): the rest load by scrolling, and the lightbox reaches past
// the loaded ones.

import { distinctJpegs, emptyGallery, expect, galleryOf, gridOrder, lightboxOf, listViaApi, open, test, uploadViaApi, type Photo } from './support';

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

test('the first page shows 60 photos; scrolling down loads the rest', async ({ page }) => {
  await open(page);
  const tiles = galleryOf(page).locator('.tile');
  await expect(tiles).toHaveCount(PAGE);
  const loadMore = page.getByRole('button', { name: 'Load more photos' });
  await expect(loadMore).toBeVisible();
  // The end of the page is more than a screen away, so nothing more has loaded yet.
  await expect(tiles).toHaveCount(PAGE);

  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(tiles).toHaveCount(TOTAL);
  await expect(loadMore).toHaveCount(0);
  expect(await gridOrder(page)).toEqual(newestFirst.map((p) => p.filename));
});

test('the lightbox moves past the loaded photos and opens one that is not loaded', async ({ page }) => {
  const last = PAGE - 1;
  await open(page, `/?photo=${newestFirst[last].id}`);
  const dialog = lightboxOf(page, newestFirst[last].filename);
  await expect(dialog).toBeVisible();
  // Near the end of what is loaded, the next page loads, so Next keeps going.
  await expect(dialog.locator('.lightbox-position')).toHaveText(`${PAGE} of ${TOTAL}`);
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(`/?photo=${newestFirst[PAGE].id}`);
  await expect(lightboxOf(page, newestFirst[PAGE].filename).locator('.lightbox-position')).toHaveText(`${PAGE + 1} of ${TOTAL}`);

  // A deep link to the oldest photo, which the first page does not include.
  const oldest = newestFirst[TOTAL - 1];
  await open(page, `/?photo=${oldest.id}`);
  await expect(lightboxOf(page, oldest.filename)).toBeVisible();
  await expect(lightboxOf(page).locator('img.lightbox-image')).toHaveAttribute('src', `/api/photos/${oldest.id}/preview`);
  await lightboxOf(page).getByRole('button', { name: 'Close' }).click();
  await expect(lightboxOf(page)).toHaveCount(0);
});
