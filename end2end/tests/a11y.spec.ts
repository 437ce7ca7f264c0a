// Accessibility (axe, WCAG 2.1 A and AA) of the gallery and the lightbox, and screenshots of
// both with real photos, kept as artifacts in test-results/screenshots/.

import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import * as path from 'node:path';
import {
  SHAPES,
  emptyGallery,
  expect,
  expectImagesLoaded,
  fixture,
  galleryOf,
  lightboxOf,
  open,
  test,
  uploadViaApi,
  type Photo,
} from './support';

// @axe-core/playwright depends on its own playwright-core (1.65), whose `Page` type differs from
// that of @playwright/test (1.64) in details axe does not use; the object is the same.
type AxePage = ConstructorParameters<typeof AxeBuilder>[0]['page'];

let photos: Photo[];

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
  photos = await uploadViaApi(request, [...SHAPES, 'rotated-exif.jpg', 'alpha.png', 'photo.webp'].map(fixture));
});

/** Serious and critical WCAG 2.1 A/AA violations, printed in full when there are any. */
async function seriousViolations(page: Page, testInfo: TestInfo, what: string, include?: string) {
  let builder = new AxeBuilder({ page: page as unknown as AxePage }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  await testInfo.attach(`axe-${what}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations) {
    console.log(`[${testInfo.project.name}] ${what}: ${v.impact} ${v.id}: ${v.help}`);
    for (const node of v.nodes) console.log(`    ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ')}`);
  }
  return serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function screenshot(page: Page, testInfo: TestInfo, what: string, fullPage = false): Promise<void> {
  const file = path.join(testInfo.project.outputDir, 'screenshots', `${testInfo.project.name}-${what}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled', caret: 'hide' });
  await testInfo.attach(`${testInfo.project.name}-${what}.png`, { path: file, contentType: 'image/png' });
}

test('the gallery has no serious accessibility violations; screenshot', async ({ page }, testInfo) => {
  await open(page);
  const tiles = galleryOf(page).locator('.tile img');
  await expect(tiles).toHaveCount(photos.length);
  await expectImagesLoaded(tiles);
  expect(await seriousViolations(page, testInfo, 'gallery')).toEqual([]);
  await screenshot(page, testInfo, 'gallery', true);
});

test('the open lightbox has no serious accessibility violations; screenshot', async ({ page }, testInfo) => {
  const shown = photos.find((p) => p.filename === 'landscape-4x3.jpg')!;
  await open(page, `/?photo=${shown.id}`);
  const dialog = lightboxOf(page, shown.filename);
  await expect(dialog).toBeVisible();
  await expectImagesLoaded(dialog.locator('img.lightbox-image'));
  expect(await seriousViolations(page, testInfo, 'lightbox', '.lightbox')).toEqual([]);
  // The whole page too: what is behind the modal must not break the rules either.
  expect(await seriousViolations(page, testInfo, 'page-with-lightbox')).toEqual([]);
  await screenshot(page, testInfo, 'lightbox');
});
