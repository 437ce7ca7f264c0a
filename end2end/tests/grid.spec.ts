// The justified grid: full rows span the width, tiles of a row share a height, newest first,
// and the layout follows the viewport.

import { devices, type Page } from '@playwright/test';
import { distinctJpegs, emptyGallery, expect, galleryOf, gridOrder, open, photoName, test, uploadViaApi, type Photo } from './support';

interface RowBox {
  partial: boolean;
  left: number;
  right: number;
  heights: number[];
  tiles: number;
}

interface Layout {
  galleryLeft: number;
  galleryRight: number;
  /** The page's width without a scroll bar. */
  viewport: number;
  rows: RowBox[];
}

async function measure(page: Page): Promise<Layout> {
  return galleryOf(page).evaluate((gallery) => {
    const box = gallery.getBoundingClientRect();
    const style = getComputedStyle(gallery);
    const rows = Array.from(gallery.querySelectorAll<HTMLElement>('.row')).map((row) => {
      const tiles = Array.from(row.querySelectorAll<HTMLElement>(':scope > .tile')).map((t) => t.getBoundingClientRect());
      return {
        partial: row.classList.contains('row-partial'),
        left: Math.min(...tiles.map((t) => t.left)),
        right: Math.max(...tiles.map((t) => t.right)),
        heights: tiles.map((t) => t.height),
        tiles: tiles.length,
      };
    });
    return {
      galleryLeft: box.left + parseFloat(style.paddingLeft),
      galleryRight: box.right - parseFloat(style.paddingRight),
      viewport: document.documentElement.clientWidth,
      rows,
    };
  });
}

/** The row height the layout aims at for a width (`gaillery_core::layout::target_row_height_for`). */
function targetRowHeight(width: number): number {
  return width < 480 ? 120 : width < 900 ? 170 : 220;
}

/** What is wrong with the layout, as readable lines; empty when it is justified. */
function layoutProblems(layout: Layout): string[] {
  const problems: string[] = [];
  const { rows, galleryLeft, galleryRight } = layout;
  const target = targetRowHeight(galleryRight - galleryLeft);
  if (rows.length < 2) problems.push(`expected several rows, got ${rows.length}`);
  rows.forEach((row, i) => {
    const last = i === rows.length - 1;
    const spread = Math.max(...row.heights) - Math.min(...row.heights);
    if (spread > 1) problems.push(`row ${i}: heights differ by ${spread.toFixed(2)}px (${row.heights.join(', ')})`);
    if (Math.abs(row.left - galleryLeft) > 1) problems.push(`row ${i}: starts at ${row.left}, gallery at ${galleryLeft}`);
    if (!last && row.partial) problems.push(`row ${i} of ${rows.length} does not fill the width`);
    if (!last && Math.abs(row.right - galleryRight) > 1.5) {
      problems.push(`row ${i}: ends at ${row.right.toFixed(2)}, gallery ends at ${galleryRight.toFixed(2)}`);
    }
    if (last && row.right > galleryRight + 1) problems.push(`last row is wider than the gallery (${row.right} > ${galleryRight})`);
    // A row that does not fill the width keeps the target height (or less, if it is nearly full).
    if (row.partial && row.heights[0] > target + 0.5) {
      problems.push(`row ${i} does not fill the width but is ${row.heights[0].toFixed(1)}px high, above the target ${target}px`);
    }
  });
  return problems;
}

function meanFullRowHeight(layout: Layout): number {
  const full = layout.rows.slice(0, -1);
  return full.reduce((sum, row) => sum + row.heights[0], 0) / full.length;
}

let photos: Photo[];

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
  photos = await uploadViaApi(request, distinctJpegs('grid', 14));
});

test('rows are justified and photos are newest first', async ({ page }) => {
  await open(page);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(photos.length);
  await expect.poll(async () => layoutProblems(await measure(page))).toEqual([]);
  expect(await gridOrder(page)).toEqual(photos.map((p) => p.filename).reverse());

  // Each tile links to its photo and can be selected.
  const newest = photos[photos.length - 1];
  const link = page.locator(`#tile-${newest.id}`);
  await expect(link).toHaveAttribute('href', `/?photo=${newest.id}`);
  await expect(link.getByRole('img')).toHaveAccessibleName(photoName(newest.filename));
  await expect(page.getByRole('checkbox', { name: `Select ${newest.filename}` })).not.toBeChecked();
});

test('the grid reflows when the window is resized', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'a phone screen does not resize');
  await open(page);
  await expect.poll(async () => layoutProblems(await measure(page))).toEqual([]);
  const wide = await measure(page);

  for (const size of [
    { width: 820, height: 900 },
    { width: 1600, height: 900 },
    { width: 460, height: 900 },
  ]) {
    await page.setViewportSize(size);
    await expect
      .poll(async () => {
        const layout = await measure(page);
        const problems = layoutProblems(layout);
        // Wait for the new width, not just any justified layout.
        if (layout.viewport > size.width || layout.galleryRight - layout.galleryLeft < layout.viewport - 16 - 1) {
          problems.push('old width');
        }
        return problems;
      }, { message: `justified at ${size.width}px` })
      .toEqual([]);
  }
  // Narrower windows get shorter rows (a smaller target height), not just fewer photos a row.
  const narrow = await measure(page);
  expect(meanFullRowHeight(narrow)).toBeLessThan(meanFullRowHeight(wide));
});

test('phone rows are shorter than desktop rows', async ({ page, browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'compares the phone layout with a desktop one');
  const { defaultBrowserType: _, ...desktop } = devices['Desktop Chrome'];
  const context = await browser.newContext({
    ...desktop,
    baseURL: testInfo.project.use.baseURL,
    storageState: testInfo.project.use.storageState,
  });
  try {
    const desktopPage = await context.newPage();
    await desktopPage.goto('/');
    await expect(galleryOf(desktopPage).locator('.tile')).toHaveCount(photos.length);
    await expect.poll(async () => layoutProblems(await measure(desktopPage))).toEqual([]);
    const wide = await measure(desktopPage);

    // The server lays out for a guessed desktop width; once hydrated, the phone lays out again.
    await open(page);
    await expect
      .poll(async () => meanFullRowHeight(await measure(page)), { message: 'phone rows after hydration' })
      .toBeLessThan(meanFullRowHeight(wide) * 0.75);
    const phone = await measure(page);
    expect(layoutProblems(phone)).toEqual([]);
    expect(phone.rows.length).toBeGreaterThan(wide.rows.length);
  } finally {
    await context.close();
  }
});

test('on a phone the header is two short lines, and leaves the screen to the photos', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'the phone header');
  await open(page);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(photos.length);
  const header = page.locator('header.topbar');
  const box = await header.boundingBox();
  const viewport = page.viewportSize();
  expect(box && viewport, 'header and viewport measured').toBeTruthy();
  // It wrapped to about 300 px of a 664 px screen when every button showed its words.
  expect(box!.height, 'header height').toBeLessThanOrEqual(110);
  // Every control is there, named by its hidden word, and inside the header and the screen.
  const controls = [
    header.getByRole('button', { name: 'Delete all' }),
    header.getByRole('button', { name: 'Start voice commands' }),
    header.getByText('Upload photos'),
    header.getByRole('link', { name: 'Albums' }),
    header.getByRole('link', { name: 'Settings' }),
    header.getByRole('button', { name: 'Sign out' }),
  ];
  for (const control of controls) {
    await expect(control).toBeVisible();
    const bounds = (await control.boundingBox())!;
    expect(bounds.x + bounds.width, 'control inside the screen').toBeLessThanOrEqual(viewport!.width);
    expect(bounds.y + bounds.height, 'control inside the header').toBeLessThanOrEqual(box!.y + box!.height);
  }
  // The search shares the first line with the name, and takes what the name leaves of it.
  const search = header.getByRole('combobox', { name: 'Search tags' });
  expect((await search.boundingBox())!.width).toBeGreaterThan(viewport!.width * 0.6);
  // The voice status has nothing to say yet, and shows nothing (it showed an empty frame).
  const status = page.getByRole('status', { name: 'Voice' });
  expect(await status.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
  const shot = testInfo.outputPath('phone-header.png');
  await header.screenshot({ path: shot });
  await testInfo.attach('phone header', { path: shot, contentType: 'image/png' });
});
