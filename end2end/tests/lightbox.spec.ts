// The lightbox: opening (click, keyboard, deep link), moving (buttons, keys, swipe), zooming
// (keys, buttons, double-click, double-tap, pinch), closing, and keeping focus inside.

import type { CDPSession, Page } from '@playwright/test';
import {
  distinctJpeg,
  emptyGallery,
  expect,
  fixture,
  lightboxOf,
  open,
  photoName,
  test,
  tileImage,
  uploadViaApi,
  type Photo,
} from './support';

// Uploaded oldest first, so the grid shows them in reverse when ordered by upload (the
// timeline by date taken would put the rotated photo, taken in 2021, last):
// square, wide, rotated, portrait, landscape.
const BY_UPLOAD = '/?sort=uploaded';
let landscape: Photo, portrait: Photo, rotated: Photo, wide: Photo, square: Photo;

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
  [landscape, portrait, rotated, wide, square] = await uploadViaApi(request, [
    distinctJpeg('landscape-4x3.jpg', 'lb-landscape.jpg'),
    distinctJpeg('portrait-3x4.jpg', 'lb-portrait.jpg'),
    fixture('rotated-exif.jpg'),
    distinctJpeg('wide-16x9.jpg', 'lb-wide.jpg'),
    distinctJpeg('square.jpg', 'lb-square.jpg'),
  ]);
});

/** The open lightbox shows `photo`, `position` of 5, and its address says so. */
async function expectShowing(page: Page, photo: Photo, position: number): Promise<void> {
  await expect(page).toHaveURL(`/?photo=${photo.id}&sort=uploaded`);
  const dialog = lightboxOf(page, photo.filename);
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.lightbox-position')).toHaveText(`${position} of 5`);
  await expect(dialog.locator('img.lightbox-image')).toHaveAttribute('alt', photoName(photo.filename));
}

function image(page: Page) {
  return lightboxOf(page).locator('img.lightbox-image');
}

/** The zoom of the open photo, from the `scale()` of its inline transform. */
async function scaleOf(page: Page): Promise<number> {
  return image(page).evaluate((img) => {
    const match = /scale\(([\d.]+)\)/.exec((img as HTMLElement).style.transform);
    return match ? Number(match[1]) : NaN;
  });
}

async function expectScale(page: Page, scale: number): Promise<void> {
  await expect.poll(() => scaleOf(page), { message: `zoomed to ${scale}` }).toBeCloseTo(scale, 3);
}

/** Two animation frames: anything the last input scheduled has happened. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

test('opens on click, moves with buttons and arrow keys, closes with Close', async ({ page }) => {
  await open(page, BY_UPLOAD);
  await tileImage(page, rotated.filename).click();
  await expectShowing(page, rotated, 3);

  // EXIF orientation 6 turns the stored 640×480 upright, and the date taken is shown.
  const dialog = lightboxOf(page);
  await expect(dialog.locator('.lightbox-info')).toContainText('480 × 640');
  await expect(dialog.locator('.lightbox-info')).toContainText('Taken 2021-07-14 18:30:05');
  await expect(dialog.getByRole('link', { name: 'Download original' })).toHaveAttribute('href', `/api/photos/${rotated.id}/original`);

  await dialog.getByRole('button', { name: 'Next photo' }).click();
  await expectShowing(page, portrait, 4);
  await expect(dialog.locator('.lightbox-info')).toContainText('480 × 640');
  await expect(dialog.locator('.lightbox-info')).not.toContainText('Taken');
  await dialog.getByRole('button', { name: 'Previous photo' }).click();
  await dialog.getByRole('button', { name: 'Previous photo' }).click();
  await expectShowing(page, wide, 2);

  await page.keyboard.press('ArrowLeft');
  await expectShowing(page, square, 1);
  await expect(dialog.getByRole('button', { name: 'Previous photo' })).toBeDisabled();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expectShowing(page, rotated, 3);

  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(lightboxOf(page)).toHaveCount(0);
  await expect(page).toHaveURL(BY_UPLOAD);
  await expect(page.locator(`#tile-${rotated.id}`)).toBeFocused();

  // Back closes it too: moving replaces the address, so one step back is the gallery.
  await tileImage(page, wide.filename).click();
  await expectShowing(page, wide, 2);
  await page.keyboard.press('ArrowRight');
  await expectShowing(page, rotated, 3);
  await page.goBack();
  await expect(lightboxOf(page)).toHaveCount(0);
  await expect(page).toHaveURL(BY_UPLOAD);
  await expect(tileImage(page, wide.filename)).toBeVisible();
});

test('opens from the keyboard; Escape closes it and focus returns to the photo', async ({ page }) => {
  await open(page, BY_UPLOAD);
  const link = page.locator(`#tile-${portrait.id}`);
  await link.focus();
  await page.keyboard.press('Enter');
  await expectShowing(page, portrait, 4);
  await expect(lightboxOf(page).getByRole('button', { name: 'Close' })).toBeFocused();

  await page.keyboard.press('ArrowRight');
  await expectShowing(page, landscape, 5);
  await expect(lightboxOf(page).getByRole('button', { name: 'Next photo' })).toBeDisabled();

  await page.keyboard.press('Escape');
  await expect(lightboxOf(page)).toHaveCount(0);
  await expect(page).toHaveURL(BY_UPLOAD);
  // Focus goes back to the tile of the photo last shown, not the one first opened.
  await expect(page.locator(`#tile-${landscape.id}`)).toBeFocused();
});

test('a deep link opens the photo on load, rendered by the server', async ({ page, request }) => {
  const html = await (await request.get(`/?photo=${wide.id}`)).text();
  expect(html).toContain('role="dialog"');
  expect(html).toContain(`Photo viewer: ${wide.filename}`);
  expect(html).toContain(`/api/photos/${wide.id}/preview`);

  await open(page, `/?photo=${wide.id}&sort=uploaded`);
  await expectShowing(page, wide, 2);
  // The original downloads byte for byte.
  const href = await lightboxOf(page).getByRole('link', { name: 'Download original' }).getAttribute('href');
  const original = await request.get(href!);
  expect(Buffer.compare(await original.body(), distinctJpeg('wide-16x9.jpg', 'lb-wide.jpg').buffer)).toBe(0);

  await lightboxOf(page).getByRole('button', { name: 'Close' }).click();
  await expect(lightboxOf(page)).toHaveCount(0);
  await expect(page.locator(`#tile-${wide.id}`)).toBeFocused();

  // An address naming no photo just shows the gallery.
  await open(page, '/?photo=not-a-photo-id');
  await expect(tileImage(page, wide.filename)).toBeVisible();
  await expect(lightboxOf(page)).toHaveCount(0);
});

test('Tab and Shift+Tab stay inside the lightbox', async ({ page }) => {
  await open(page, `/?photo=${rotated.id}&sort=uploaded`);
  const dialog = lightboxOf(page, rotated.filename);
  await expect(dialog).toBeVisible();
  // The first control: a label link once the photo is classified, else Zoom in (Zoom out is
  // disabled at fit); Next photo is last.
  const first = dialog.locator('a[href], button:not([disabled])').first();
  const last = dialog.getByRole('button', { name: 'Next photo' });
  await expect(dialog.getByRole('button', { name: 'Zoom out' })).toBeDisabled();

  await last.focus();
  await page.keyboard.press('Tab');
  await expect(first).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(last).toBeFocused();

  // A full lap and more never leaves the dialog.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement) && document.activeElement !== d)).toBe(true);
  }
});

test('zooms with + and − keys and the zoom buttons; a new photo starts unzoomed', async ({ page }) => {
  await open(page, `/?photo=${rotated.id}&sort=uploaded`);
  const dialog = lightboxOf(page, rotated.filename);
  await expect(dialog).toBeVisible();
  await expectScale(page, 1.0);

  await page.keyboard.press('+');
  await expectScale(page, 1.5);
  await expect(image(page)).toHaveClass(/\bzoomed\b/);
  await dialog.getByRole('button', { name: 'Zoom in' }).click();
  await expectScale(page, 2.25);
  await dialog.getByRole('button', { name: 'Zoom out' }).click();
  await expectScale(page, 1.5);
  await page.keyboard.press('-');
  await expectScale(page, 1.0);
  await expect(dialog.getByRole('button', { name: 'Zoom out' })).toBeDisabled();

  // At most 5×.
  for (let i = 0; i < 6; i++) await page.keyboard.press('+');
  await expectScale(page, 5.0);
  await expect(dialog.getByRole('button', { name: 'Zoom in' })).toBeDisabled();

  await page.keyboard.press('ArrowRight');
  await expectShowing(page, portrait, 4);
  await expectScale(page, 1.0);
});

test('double-click zooms in, and again back out', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name === 'phone', 'a phone has no double-click; double-tap is tested instead');
  await open(page, `/?photo=${landscape.id}&sort=uploaded`);
  await expect(lightboxOf(page, landscape.filename)).toBeVisible();
  await image(page).dblclick();
  await expectScale(page, 2.5);
  await image(page).dblclick();
  await expectScale(page, 1.0);
});

/** Touches through the DevTools protocol, as a finger on a touch screen makes them. */
class Finger {
  constructor(private cdp: CDPSession) {}

  static async on(page: Page): Promise<Finger> {
    return new Finger(await page.context().newCDPSession(page));
  }

  async touch(type: 'touchStart' | 'touchMove' | 'touchEnd', points: [number, number][]): Promise<void> {
    await this.cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y]) => ({ x, y })) });
  }

  async swipe(from: [number, number], to: [number, number], steps = 8): Promise<void> {
    await this.touch('touchStart', [from]);
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      await this.touch('touchMove', [[from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t]]);
    }
    await this.touch('touchEnd', []);
  }

  async tap(at: [number, number]): Promise<void> {
    await this.touch('touchStart', [at]);
    await this.touch('touchEnd', []);
  }

  async pinch(center: [number, number], fromDistance: number, toDistance: number, steps = 6): Promise<void> {
    const points = (d: number): [number, number][] => [
      [center[0] - d / 2, center[1]],
      [center[0] + d / 2, center[1]],
    ];
    await this.touch('touchStart', points(fromDistance));
    for (let i = 1; i <= steps; i++) await this.touch('touchMove', points(fromDistance + ((toDistance - fromDistance) * i) / steps));
    await this.touch('touchEnd', []);
  }
}

test('touch: swipe moves, double-tap and pinch zoom', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'touch gestures need a touch screen');
  await open(page, `/?photo=${rotated.id}&sort=uploaded`);
  await expectShowing(page, rotated, 3);
  const stage = await lightboxOf(page).locator('.lightbox-stage').boundingBox();
  expect(stage).not.toBeNull();
  // Above the middle, clear of the side buttons and below the toolbar.
  const y = stage!.y + stage!.height * 0.3;
  const [left, right] = [stage!.x + stage!.width * 0.2, stage!.x + stage!.width * 0.8];
  const finger = await Finger.on(page);

  await finger.swipe([right, y], [left, y]);
  await expectShowing(page, portrait, 4);
  await finger.swipe([left, y], [right, y]);
  await expectShowing(page, rotated, 3);
  // A mostly vertical drag is not a swipe.
  await finger.swipe([right, y], [right - 60, y + 200]);
  await settle(page);
  await expectShowing(page, rotated, 3);

  const middle: [number, number] = [stage!.x + stage!.width / 2, stage!.y + stage!.height / 2];
  await finger.tap(middle);
  await finger.tap(middle);
  await expectScale(page, 2.5);
  await settle(page);
  await expectScale(page, 2.5);
  await finger.tap(middle);
  await finger.tap(middle);
  await expectScale(page, 1.0);

  await finger.pinch(middle, 80, 200);
  await expect(image(page)).toHaveClass(/\bzoomed\b/);
  expect(await scaleOf(page)).toBeCloseTo(2.5, 1);
  // A zoomed photo pans instead of swiping to the next one.
  await finger.swipe([right, y], [left, y]);
  await settle(page);
  await expectShowing(page, rotated, 3);
  await expect(image(page)).toHaveAttribute('style', /translate\(-\d/);
});
