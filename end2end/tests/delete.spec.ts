// Deleting: one photo from the lightbox, a selection, and everything (typed confirmation);
// a selection kept when the page reloads its listing after missed live events.
// Every delete is checked against the server and survives a reload.

import {
  announcer,
  distinctJpegs,
  emptyGallery,
  expect,
  galleryOf,
  gridOrder,
  lightboxOf,
  listViaApi,
  open,
  test,
  tileImage,
  uploadViaApi,
  type Photo,
} from './support';

let photos: Photo[];

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
  photos = await uploadViaApi(request, distinctJpegs('del', 4));
});

/** Newest first, as the grid shows them. */
function names(list: Photo[]): string[] {
  return list.map((p) => p.filename).reverse();
}

test('deletes the open photo after confirmation and shows the next one', async ({ page, request }) => {
  const [oldest, second, third, newest] = photos;
  await open(page, `/?photo=${third.id}`);
  const dialog = lightboxOf(page, third.filename);
  await expect(dialog).toBeVisible();

  // The Delete key asks too; Escape answers "no" and leaves the lightbox open.
  await page.keyboard.press('Delete');
  const confirm = page.getByRole('alertdialog', { name: 'Delete this photo?' });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(dialog).toBeVisible();

  await dialog.getByRole('button', { name: 'Delete photo' }).click();
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText(`${third.filename} will be deleted for good.`);
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();

  await expect(confirm).toHaveCount(0);
  await expect(announcer(page)).toHaveText(`Deleted ${third.filename}`);
  // The next (older) photo takes its place.
  await expect(page).toHaveURL(`/?photo=${second.id}`);
  await expect(lightboxOf(page, second.filename).locator('.lightbox-position')).toHaveText('2 of 3');
  await lightboxOf(page).getByRole('button', { name: 'Close' }).click();
  await expect(tileImage(page, third.filename)).toHaveCount(0);
  expect(await gridOrder(page)).toEqual(names([oldest, second, newest]));

  expect((await request.get(`/api/photos/${third.id}`)).status()).toBe(404);
  await page.reload();
  await expect(galleryOf(page).locator('.tile')).toHaveCount(3);
  expect(await gridOrder(page)).toEqual(names([oldest, second, newest]));
});

test('deletes the selected photos', async ({ page, request }) => {
  const [oldest, second, third, newest] = photos;
  await open(page);
  const select = (photo: Photo) => page.getByRole('checkbox', { name: `Select ${photo.filename}` });

  await select(second).check();
  await expect(page.getByText('1 selected')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete all' })).toHaveCount(0);
  await select(newest).check();
  await expect(page.getByText('2 selected')).toBeVisible();
  await expect(page.locator('.tile.selected')).toHaveCount(2);

  // Clear selection unticks everything.
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await expect(page.getByText(/selected$/)).toHaveCount(0);
  await expect(select(second)).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Delete all' })).toBeVisible();

  await select(second).check();
  await select(newest).check();
  // Cancelling keeps them.
  await page.getByRole('button', { name: 'Delete selected' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete 2 photos?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(4);

  await page.getByRole('button', { name: 'Delete selected' }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(announcer(page)).toHaveText('Deleted 2 photos');
  await expect(galleryOf(page).locator('.tile')).toHaveCount(2);
  expect(await gridOrder(page)).toEqual(names([oldest, third]));
  await expect(page.getByText(/selected$/)).toHaveCount(0);

  expect((await listViaApi(request)).map((p) => p.id)).toEqual([third.id, oldest.id]);
  await page.reload();
  await expect(galleryOf(page).locator('.tile')).toHaveCount(2);
  expect(await gridOrder(page)).toEqual(names([oldest, third]));
});

test('a selection survives the reload after missed live events', async ({ page }) => {
  const [, second] = photos;
  // The first event stream ends at once, so the page reconnects, and reloads what it shows
  // because events may have been missed; the reconnect waits until the photo is selected.
  let streams = 0;
  let reconnect: () => void = () => {};
  const selected = new Promise<void>((resolve) => (reconnect = resolve));
  await page.route('**/api/events', async (route) => {
    streams += 1;
    if (streams === 1) {
      await route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 100\n\n' });
    } else {
      await selected;
      await route.continue();
    }
  });
  await open(page);
  const select = page.getByRole('checkbox', { name: `Select ${second.filename}` });
  await select.check();
  await expect(page.getByText('1 selected')).toBeVisible();

  // Marks the tiles of now, to tell when they are drawn anew.
  await galleryOf(page).locator('.tile').evaluateAll((tiles) => tiles.forEach((tile) => tile.setAttribute('data-before', '')));
  const relisted = page.waitForResponse((response) => response.url().includes('/_fn/timeline_months'));
  reconnect();
  expect((await relisted).ok()).toBe(true);
  // The months were listed again and the tiles drawn anew, with the photo still selected.
  await expect(galleryOf(page).locator('.tile[data-before]')).toHaveCount(0);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(photos.length);
  await expect(select).toBeChecked();
  await expect(page.getByText('1 selected')).toBeVisible();
  await expect(page.locator('.tile.selected')).toHaveCount(1);
});

test('"Delete all" needs the typed confirmation', async ({ page, request }) => {
  await open(page);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(4);

  await page.getByRole('button', { name: 'Delete all' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete every photo?' });
  await expect(confirm).toBeVisible();
  const everything = confirm.getByRole('button', { name: 'Delete everything' });
  const typed = confirm.getByRole('textbox');
  await expect(everything).toBeDisabled();
  await typed.fill('delete');
  await expect(everything).toBeDisabled();
  await typed.fill('Delete All');
  await expect(everything).toBeDisabled();
  // Escape cancels, and nothing is gone.
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  expect(await listViaApi(request)).toHaveLength(4);

  await page.getByRole('button', { name: 'Delete all' }).click();
  await expect(typed).toHaveValue('');
  await typed.fill('delete all');
  await expect(everything).toBeEnabled();
  await everything.click();

  await expect(confirm).toHaveCount(0);
  await expect(announcer(page)).toHaveText('Deleted all 4 photos');
  await expect(galleryOf(page).getByRole('heading', { name: 'No photos yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete all' })).toHaveCount(0);
  expect(await listViaApi(request)).toEqual([]);

  await page.reload();
  await expect(galleryOf(page).getByRole('heading', { name: 'No photos yet' })).toBeVisible();
  await expect(page.locator('.tile')).toHaveCount(0);
});
