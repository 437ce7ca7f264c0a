// Uploading by dropping files on the page: real DragEvents carrying a DataTransfer of Files.

import { distinctJpeg, emptyGallery, expect, fixture, galleryOf, listViaApi, open, test, tileImage, type FileSpec } from './support';
import type { Page } from '@playwright/test';

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
});

/** Dispatches drag events on `document.body` (they bubble to the window's handlers). */
async function drag(page: Page, types: string[], files: FileSpec[]): Promise<boolean[]> {
  const payload = files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString('base64') }));
  return page.evaluate(
    ({ types, payload }) => {
      const transfer = new DataTransfer();
      for (const file of payload) {
        const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: file.mimeType }));
      }
      // Whether each event was cancelled (preventDefault), i.e. taken by the page.
      return types.map(
        (type) =>
          !document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer })),
      );
    },
    { types, payload },
  );
}

test('files dragged over the page show the drop target; dropping uploads them', async ({ page, request }) => {
  const files = [distinctJpeg('wide-16x9.jpg', 'dropped-wide.jpg'), fixture('photo.webp'), fixture('rotated-exif.jpg')];
  await open(page);
  const overlay = page.locator('.drop-overlay');
  await expect(overlay).not.toHaveClass(/\bvisible\b/);

  // Entering and leaving again hides the target.
  expect(await drag(page, ['dragenter'], files)).toEqual([true]);
  await expect(overlay).toHaveClass(/\bvisible\b/);
  await expect(overlay).toHaveCSS('opacity', '1');
  await expect(overlay).toHaveText('Drop photos to upload them');
  await drag(page, ['dragleave'], files);
  await expect(overlay).not.toHaveClass(/\bvisible\b/);
  await expect(overlay).toHaveCSS('opacity', '0');

  // The page takes the drop (cancels it, so the browser does not open the file itself).
  expect(await drag(page, ['dragenter', 'dragover'], files)).toEqual([true, true]);
  await expect(overlay).toHaveClass(/\bvisible\b/);
  expect(await drag(page, ['drop'], files)).toEqual([true]);
  await expect(overlay).not.toHaveClass(/\bvisible\b/);

  const items = page.locator('section[aria-label="Uploads"] li.upload-item');
  await expect(items).toHaveCount(files.length);
  for (const file of files) {
    await expect(items.filter({ hasText: file.name })).toHaveAttribute('data-state', 'stored');
    await expect(tileImage(page, file.name)).toBeVisible();
  }
  await expect(galleryOf(page).locator('.tile')).toHaveCount(files.length);
  expect((await listViaApi(request)).map((p) => p.filename).sort()).toEqual(files.map((f) => f.name).sort());
});

test('dragging text (no files) over the page is left alone', async ({ page }) => {
  await open(page);
  const taken = await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.setData('text/plain', 'just some words');
    return ['dragenter', 'dragover'].map(
      (type) => !document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer })),
    );
  });
  expect(taken).toEqual([false, false]);
  await expect(page.locator('.drop-overlay')).not.toHaveClass(/\bvisible\b/);
});
