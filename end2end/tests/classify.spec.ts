// Classification seen from the page: an upload shows its stage, then its labels arrive over
// the event stream without a reload; a failed photo shows why and can be retried.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { emptyGallery, expect, galleryOf, lightboxOf, open, photoName, test, tileImage } from './support';

const TESTDATA = path.resolve(__dirname, '..', '..', 'models', 'testdata');

function photo(name: string) {
  return { name, mimeType: name.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer: fs.readFileSync(path.join(TESTDATA, name)) };
}

/** The same PNG with other bytes (a text chunk before its end), so it is not a duplicate. */
function pngCopy(name: string) {
  const original = photo(name);
  const u32 = (n: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(n >>> 0);
    return bytes;
  };
  const body = Buffer.from(`tEXtComment\0a copy of ${name}`, 'latin1');
  const chunk = Buffer.concat([u32(body.length - 4), body, u32(zlib.crc32(body))]);
  const end = original.buffer.length - 12; // IEND, the last chunk, is 12 bytes
  return { ...original, name: `again-${name}`, buffer: Buffer.concat([original.buffer.subarray(0, end), chunk, original.buffer.subarray(end)]) };
}

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
});

test('an upload shows its stage, then its labels arrive live', async ({ page }) => {
  await open(page);
  // Every status chip the grid ever shows, and a marker that proves no reload happened. Chips
  // are taken from the mutations themselves, so one that comes and goes within a task counts.
  await page.evaluate(() => {
    const w = window as unknown as { __stages: string[]; __samePage: boolean };
    w.__stages = [];
    w.__samePage = true;
    const seen = (chip: Element | null | undefined) => {
      const text = chip?.textContent?.trim() ?? '';
      if (text && !w.__stages.includes(text)) w.__stages.push(text);
    };
    new MutationObserver((records) => {
      for (const record of records) {
        seen(record.target.parentElement?.closest('.tile-status'));
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          seen(node.closest('.tile-status'));
          node.querySelectorAll('.tile-status').forEach(seen);
        }
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  // Nine at once: the pipeline takes eight at a time, so some wait their turn with their stage
  // on their tile however fast this machine classifies (one alone may be done before the page
  // learns of it, and then rightly shows no stage at all).
  const pngs = ['chelsea.png', 'coffee.png', 'motorcycle_left.png', 'astronaut.png'];
  const files = [...pngs.map(photo), photo('rocket.jpg'), ...pngs.map(pngCopy)];
  await page.getByLabel('Upload photos').setInputFiles(files);
  await expect(tileImage(page, 'chelsea.png')).toBeVisible();

  // Done: the tile carries the labels (shown on hover), the stage chip is gone.
  const tile = galleryOf(page).locator('.tile').filter({ has: page.getByRole('img', { name: photoName('chelsea.png') }) });
  await expect(tile.getByRole('list', { name: 'Labels' })).toContainText(/tabby|tiger cat|Egyptian cat/, { timeout: 60_000 });
  await expect(tile.locator('.tile-status')).toHaveCount(0);
  // Every upload in and classified, so the rows stay put under the pointer from here on.
  await expect(galleryOf(page).locator('.tile')).toHaveCount(files.length);
  await expect(galleryOf(page).locator('.tile-status')).toHaveCount(0, { timeout: 60_000 });
  const stages = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages);
  expect(stages.length, `stages seen: ${stages.join(', ')}`).toBeGreaterThan(0);
  expect(stages.every((s) => ['queued', 'fetching', 'preprocessing', 'predicting', 'storing'].includes(s))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);

  // Hover shows them; the lightbox always does, with percentages.
  await tile.hover();
  await expect(tile.getByRole('list', { name: 'Labels' })).toHaveCSS('opacity', '1');
  await tileImage(page, 'chelsea.png').click();
  const labels = lightboxOf(page, 'chelsea.png').getByRole('list', { name: 'Labels' });
  await expect(labels.getByRole('listitem')).toHaveCount(3);
  await expect(labels.getByRole('listitem').first()).toHaveText(/^.+ (\d+|<1)%$/);
});

test('a photo that cannot be classified says why and can be retried', async ({ page, request }) => {
  // Stored fine, then its original is damaged on disk, so classification fails on retry.
  const response = await request.post('/api/photos', { multipart: { file: photo('coffee.png') } });
  const [stored] = (await response.json()).photos as { id: string }[];
  await expect.poll(async () => (await (await request.get(`/api/photos/${stored.id}`)).json()).status, { timeout: 60_000 }).toBe('done');
  const original = path.join(process.env.GAILLERY_E2E_DATA ?? '', 'blobs', 'photos', stored.id, 'original');
  fs.writeFileSync(original, Buffer.from('\x89PNG\r\n\x1a\nbroken', 'binary'));
  expect((await request.post(`/api/photos/${stored.id}/classify`)).status()).toBe(202);
  await expect.poll(async () => (await (await request.get(`/api/photos/${stored.id}`)).json()).status, { timeout: 60_000 }).toBe('failed');

  await open(page, `/?photo=${stored.id}`);
  const lightbox = lightboxOf(page, 'coffee.png');
  await expect(lightbox.getByRole('status')).toContainText('Could not classify: cannot read the image');
  // The repaired file classifies again from the retry button.
  fs.writeFileSync(original, fs.readFileSync(path.join(TESTDATA, 'coffee.png')));
  await lightbox.getByRole('button', { name: 'Retry' }).click();
  await expect(lightbox.getByRole('list', { name: 'Labels' })).toContainText('espresso', { timeout: 60_000 });
});

test('the gallery filters by a broad word typed in the search box and by a clicked label', async ({ page, request }) => {
  for (const name of ['chelsea.png', 'coffee.png']) {
    const response = await request.post('/api/photos', { multipart: { file: photo(name) } });
    expect(response.status()).toBe(201);
  }
  await expect
    .poll(async () => ((await (await request.get('/api/photos')).json()).photos as { status: string }[]).map((p) => p.status).join(), { timeout: 60_000 })
    .toBe('done,done');

  await open(page);
  await expect(tileImage(page, 'chelsea.png')).toBeVisible();
  await expect(tileImage(page, 'coffee.png')).toBeVisible();
  // Suggestions come from the labels that exist, with counts.
  await expect(page.locator('#tag-suggestions option[value="espresso"]')).toHaveText('espresso (1)');

  // "Cats" is no label: the hierarchy and the plural find the tabby / tiger cat.
  const search = page.getByRole('combobox', { name: 'Search tags' });
  await search.fill('Cats');
  await search.press('Enter');
  await expect(page).toHaveURL(/[?&]tag=Cats\b/);
  await expect(tileImage(page, 'chelsea.png')).toBeVisible();
  await expect(tileImage(page, 'coffee.png')).toHaveCount(0);

  // The filter is in the address: a reload keeps it.
  await open(page, page.url());
  await expect(tileImage(page, 'coffee.png')).toHaveCount(0);
  await page.getByRole('link', { name: 'Remove filter Cats' }).click();
  await expect(tileImage(page, 'coffee.png')).toBeVisible();

  // A label in the lightbox is a filter too.
  await tileImage(page, 'coffee.png').click();
  await lightboxOf(page, 'coffee.png').getByRole('link', { name: 'espresso' }).click();
  await expect(page).toHaveURL(/[?&]tag=espresso\b/);
  await expect(tileImage(page, 'coffee.png')).toBeVisible();
  await expect(tileImage(page, 'chelsea.png')).toHaveCount(0);

  // Two words at once: both must match.
  await search.fill('cat');
  await search.press('Enter');
  await expect(galleryOf(page).getByRole('heading', { name: 'No photos match' })).toBeVisible();
});

test('suggestions include labels of photos classified after the page loaded', async ({ page, request }) => {
  await open(page);
  const search = page.getByRole('combobox', { name: 'Search tags' });
  await search.focus();
  await expect(page.locator('#tag-suggestions option')).toHaveCount(0);

  const response = await request.post('/api/photos', { multipart: { file: photo('coffee.png') } });
  const [stored] = (await response.json()).photos as { id: string }[];
  await expect.poll(async () => (await (await request.get(`/api/photos/${stored.id}`)).json()).status, { timeout: 60_000 }).toBe('done');

  // Coming back to the box asks again.
  await search.blur();
  await search.focus();
  await expect(page.locator('#tag-suggestions option[value="espresso"]')).toHaveText('espresso (1)');
});
