// Uploading with the file picker: progress per file, outcomes per file, and cancelling.

import * as path from 'node:path';
import {
  announcer,
  distinctJpeg,
  emptyGallery,
  expect,
  fixture,
  galleryOf,
  gridOrder,
  listTimelineViaApi,
  listViaApi,
  open,
  test,
  throttleUploads,
  tileImage,
} from './support';

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
});

test('picked files upload with progress; a bad file fails alone with the server message', async ({ page, request }) => {
  const good = ['landscape-4x3.jpg', 'portrait-3x4.jpg', 'square.jpg', 'alpha.png'];
  const bad = ['not-a-photo.txt', 'truncated.jpg'];
  // The bad files come last, so the first three are still running while the rest wait.
  const picked = [...good, ...bad].map(fixture);

  // What the server says about each bad file, asked directly (refused files are not stored).
  const serverMessages = new Map<string, string>();
  for (const name of bad) {
    const response = await request.post('/api/photos', { multipart: { file: fixture(name) } });
    expect(response.status()).toBeGreaterThanOrEqual(400);
    const { photos, errors } = (await response.json()) as { photos: unknown[]; errors: { filename: string; error: string }[] };
    expect(photos).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].filename).toBe(name);
    serverMessages.set(name, errors[0].error);
  }

  await open(page);
  await expect(galleryOf(page).getByRole('heading', { name: 'No photos yet' })).toBeVisible();
  // Set before the upload; still there after it proves the page was never reloaded.
  await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));

  // Slow enough that the first three (of six, three at a time) are seen part-way.
  const cdp = await page.context().newCDPSession(page);
  await throttleUploads(cdp, 60 * 1024);
  await page.getByLabel('Upload photos').setInputFiles(picked);

  const panel = page.locator('section[aria-label="Uploads"]');
  const items = panel.locator('li.upload-item');
  await expect(items).toHaveCount(picked.length);
  await expect(announcer(page)).toHaveText(`Uploading ${picked.length} photos`);
  // Three run at once; the others wait their turn.
  await expect(items.and(page.locator('[data-state=uploading]'))).toHaveCount(3);
  await expect(items.and(page.locator('[data-state=waiting]'))).toHaveCount(3);
  const firstProgress = page.getByRole('progressbar', { name: `Upload of ${good[0]}` });
  await expect
    .poll(() => firstProgress.evaluate((bar) => (bar as HTMLProgressElement).value), {
      message: 'the first upload is seen part-way',
    })
    .toBeGreaterThan(0);
  const partWay = await firstProgress.evaluate((bar) => (bar as HTMLProgressElement).value);
  expect(partWay).toBeLessThan(1);
  await expect(page.getByRole('button', { name: `Cancel upload of ${good[0]}` })).toBeVisible();

  await throttleUploads(cdp, null);

  for (const name of good) {
    const item = items.filter({ hasText: name });
    await expect(item).toHaveAttribute('data-state', 'stored');
    await expect(item.locator('.upload-outcome')).toHaveText('Uploaded');
    await expect(page.getByRole('progressbar', { name: `Upload of ${name}` })).toHaveJSProperty('value', 1);
    await expect(item.getByRole('button', { name: /^Cancel upload/ })).toHaveCount(0);
  }
  for (const name of bad) {
    const item = items.filter({ hasText: name });
    await expect(item).toHaveAttribute('data-state', 'failed');
    await expect(item.locator('.upload-outcome')).toHaveText(serverMessages.get(name)!);
  }

  // Every line of the panel stays inside it: long error messages wrap instead of spilling out.
  const spilling = await panel.evaluate((section) => {
    const box = section.getBoundingClientRect();
    return Array.from(section.querySelectorAll('.upload-name, .upload-outcome, progress, button')).flatMap((element) => {
      // The element's box, and the boxes of its text (which can overflow the element).
      const range = document.createRange();
      range.selectNodeContents(element);
      const rects = [element.getBoundingClientRect(), ...Array.from(range.getClientRects())];
      const out = rects.some((r) => r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5));
      return out ? [`${element.className || element.tagName}: ${element.textContent}`] : [];
    });
  });
  expect(spilling).toEqual([]);
  const shot = path.join(test.info().project.outputDir, 'screenshots', `${test.info().project.name}-uploads.png`);
  await panel.screenshot({ path: shot, animations: 'disabled' });
  await test.info().attach('uploads panel', { path: shot, contentType: 'image/png' });

  // The good photos are in the grid, without a reload, newest first.
  for (const name of good) await expect(tileImage(page, name)).toBeVisible();
  await expect(galleryOf(page).locator('.tile')).toHaveCount(good.length);
  expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
  const stored = await listViaApi(request);
  expect(stored.map((p) => p.filename).sort()).toEqual([...good].sort());
  const timeline = await listTimelineViaApi(request);
  expect(await gridOrder(page)).toEqual(timeline.map((p) => p.filename));

  // Picking a photo that is already there says so and adds nothing.
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await expect(panel).toHaveCount(0);
  await page.getByLabel('Upload photos').setInputFiles([fixture(good[0])]);
  await expect(items.filter({ hasText: good[0] }).locator('.upload-outcome')).toHaveText('Already in the gallery');
  await expect(galleryOf(page).locator('.tile')).toHaveCount(good.length);
});

test('a cancelled upload stops and never reaches the gallery', async ({ page, request }) => {
  const cancelled = distinctJpeg('landscape-4x3.jpg', 'cancel-me.jpg');
  const kept = distinctJpeg('square.jpg', 'keep-me.jpg');
  await open(page);

  const cdp = await page.context().newCDPSession(page);
  await throttleUploads(cdp, 8 * 1024);
  await page.getByLabel('Upload photos').setInputFiles([cancelled]);

  const item = page.locator('section[aria-label="Uploads"] li.upload-item').filter({ hasText: cancelled.name });
  await expect(item).toHaveAttribute('data-state', 'uploading');
  await expect
    .poll(() => page.getByRole('progressbar', { name: `Upload of ${cancelled.name}` }).evaluate((bar) => (bar as HTMLProgressElement).value))
    .toBeGreaterThan(0);
  await page.getByRole('button', { name: `Cancel upload of ${cancelled.name}` }).click();

  await expect(item).toHaveAttribute('data-state', 'cancelled');
  await expect(item.locator('.upload-outcome')).toHaveText('Cancelled');
  await expect(item.getByRole('button', { name: /^Cancel upload/ })).toHaveCount(0);
  await expect(announcer(page)).toHaveText(`Cancelled ${cancelled.name}`);

  // Another upload after it goes through; by the time it is stored, the aborted request is long
  // gone, and only the second photo exists.
  await throttleUploads(cdp, null);
  await page.getByLabel('Upload photos').setInputFiles([kept]);
  await expect(page.locator('li.upload-item').filter({ hasText: kept.name })).toHaveAttribute('data-state', 'stored');
  await expect(item).toHaveAttribute('data-state', 'cancelled');
  expect((await listViaApi(request)).map((p) => p.filename)).toEqual([kept.name]);

  await page.reload();
  await expect(tileImage(page, kept.name)).toBeVisible();
  await expect(tileImage(page, cancelled.name)).toHaveCount(0);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(1);
});
