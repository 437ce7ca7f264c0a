// Shared by every spec: a `test` whose pages report when the app has hydrated, gallery setup
// and cleanup through the JSON API, distinct test images, and a few page helpers.

import { test as base, expect, type APIRequestContext, type CDPSession, type Locator, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

export { expect };

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

/** The administrator the setup project creates on the first run; every test is signed in as it. */
export const ADMIN = 'admin';
export const PASSWORD = 'correct horse battery';
/** Where the setup project saves the signed-in state (cookies of both servers). */
export const AUTH_STATE = path.resolve(__dirname, '..', '.auth', 'admin.json');

/** The six photo-like JPEGs of `end2end/fixtures`, by shape. */
export const SHAPES = [
  'landscape-4x3.jpg',
  'portrait-3x4.jpg',
  'square.jpg',
  'panorama-4x1.jpg',
  'wide-16x9.jpg',
  'tall-9x16.jpg',
] as const;

export interface Photo {
  id: string;
  filename: string;
  width: number;
  height: number;
  taken_at: string | null;
  size_bytes: number;
  status: string;
}

export interface FileSpec {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

declare global {
  interface Window {
    __gailleryHydrated?: boolean;
    __gailleryErrors?: string[];
  }
}

/**
 * Pages of this `test` set `window.__gailleryHydrated` once the WASM module is instantiated
 * and `hydrate()` has run: Leptos' loader calls `hydrate()` in the microtasks that follow
 * `WebAssembly.instantiateStreaming`, so a timer started when that resolves fires after it.
 *
 * A test also fails when the page throws (a WASM panic, a failed hydration) or the server
 * answers any request of the page with a 5xx status.
 */
export const test = base.extend({
  page: async ({ page }, use, testInfo) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 500) problems.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
    });
    page.on('console', (message) => {
      // Refused uploads (4xx) are expected; anything else is worth seeing in the output.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
        console.log(`[${testInfo.project.name}] console error: ${message.text()}`);
      }
    });
    await watchHydration(page);
    await use(page);
    expect(problems, 'errors in the page or from the server').toEqual([]);
  },
});

/**
 * Makes `page` set `window.__gailleryHydrated` once the app has hydrated, and collect errors
 * in `window.__gailleryErrors`, for `open`. The `page` of this `test` has it; pages of other
 * browser contexts (another person signed in) need it called.
 */
export async function watchHydration(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const errors: string[] = (window.__gailleryErrors = []);
    window.addEventListener('error', (event) => errors.push(String(event.message)));
    window.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason?.message ?? event.reason)));
    const wasm = WebAssembly as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = wasm[name];
      if (typeof original !== 'function') continue;
      wasm[name] = (...args: unknown[]) =>
        original.apply(WebAssembly, args).then((result) => {
          setTimeout(() => {
            window.__gailleryHydrated = true;
          }, 0);
          return result;
        });
    }
  });
}

export function mimeTypeOf(name: string): string {
  const extension = path.extname(name).toLowerCase();
  return (
    { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.txt': 'text/plain' }[
      extension
    ] ?? 'application/octet-stream'
  );
}

/** A fixture file as it is on disk. */
export function fixture(name: string): FileSpec {
  return { name, mimeType: mimeTypeOf(name), buffer: fs.readFileSync(path.join(FIXTURES, name)) };
}

/**
 * A fixture JPEG made unique by a JPEG comment segment after SOI, saved under `name`: the same
 * picture, different bytes, so the server's deduplication never merges it with another upload.
 */
export function distinctJpeg(shape: string, name: string): FileSpec {
  const jpeg = fs.readFileSync(path.join(FIXTURES, shape));
  const comment = Buffer.from(`gaillery e2e ${name}`, 'utf8');
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(comment.length + 2, 2);
  return {
    name,
    mimeType: 'image/jpeg',
    buffer: Buffer.concat([jpeg.subarray(0, 2), segment, comment, jpeg.subarray(2)]),
  };
}

/** `count` distinct JPEGs cycling through the shapes, named `{prefix}-{i}-{shape}`. */
export function distinctJpegs(prefix: string, count: number): FileSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const shape = SHAPES[i % SHAPES.length];
    return distinctJpeg(shape, `${prefix}-${String(i + 1).padStart(2, '0')}-${shape}`);
  });
}

/** Deletes every photo through the API, so each test starts from an empty gallery. */
export async function emptyGallery(request: APIRequestContext): Promise<void> {
  for (;;) {
    const response = await request.get('/api/photos?limit=100');
    expect(response.ok()).toBeTruthy();
    const { photos } = (await response.json()) as { photos: Photo[] };
    if (photos.length === 0) return;
    for (const photo of photos) {
      const deleted = await request.delete(`/api/photos/${photo.id}`);
      expect(deleted.status(), `DELETE ${photo.filename}`).toBe(204);
    }
  }
}

/** Uploads files one request each, in order (so the last one is the newest). */
export async function uploadViaApi(request: APIRequestContext, files: FileSpec[]): Promise<Photo[]> {
  const stored: Photo[] = [];
  for (const file of files) {
    const response = await request.post('/api/photos', { multipart: { file } });
    expect(response.status(), `upload of ${file.name}: ${await response.text()}`).toBe(201);
    const body = (await response.json()) as { photos: Photo[] };
    stored.push(body.photos[0]);
  }
  return stored;
}

/** Every photo the server has, newest first. */
export async function listViaApi(request: APIRequestContext): Promise<Photo[]> {
  const response = await request.get('/api/photos?limit=100');
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as { photos: Photo[] }).photos;
}

/**
 * Every photo the server has, in the timeline's order (by date taken, to the second, then id):
 * the order of the grid. Not the order of `listViaApi`, which is by upload time to the
 * millisecond; photos uploaded within one second can differ between the two.
 */
export async function listTimelineViaApi(request: APIRequestContext): Promise<Photo[]> {
  const timeline = await request.get('/api/timeline');
  expect(timeline.ok()).toBeTruthy();
  const { sections } = (await timeline.json()) as { sections: { month: string }[] };
  const photos: Photo[] = [];
  for (const { month } of sections) {
    const response = await request.get(`/api/photos?month=${month}&limit=200`);
    expect(response.ok()).toBeTruthy();
    photos.push(...((await response.json()) as { photos: Photo[] }).photos);
  }
  return photos;
}

/** Opens a page of the app and waits until it is hydrated (interactive). */
export async function open(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.__gailleryHydrated === true);
  // A module that instantiates but fails to start (a broken build) fails here, not later.
  const errors = await page.evaluate(() => window.__gailleryErrors ?? []);
  if (errors.length > 0) throw new Error(`the app failed to start: ${errors.join('; ')}`);
}

export function galleryOf(page: Page): Locator {
  return page.getByRole('region', { name: 'Gallery' });
}

/** An image's accessible name: "Photo NAME", and once classified ": label, label, label". */
export function photoName(filename: string): RegExp {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^Photo ${escaped}(: .+)?$`);
}

export function tileImage(page: Page, filename: string): Locator {
  return galleryOf(page).getByRole('img', { name: photoName(filename) });
}

export function lightboxOf(page: Page, filename?: string): Locator {
  return filename === undefined
    ? page.getByRole('dialog', { name: /^Photo viewer: / })
    : page.getByRole('dialog', { name: `Photo viewer: ${filename}`, exact: true });
}

export function announcer(page: Page): Locator {
  return page.locator('[role=status][aria-live=polite]');
}

/** Filenames of the grid's photos in page order. */
export async function gridOrder(page: Page): Promise<string[]> {
  const alts = await galleryOf(page).locator('.tile img').evaluateAll((images) =>
    images.map((image) => image.getAttribute('alt') ?? ''),
  );
  return alts.map((alt) => alt.replace(/^Photo /, '').replace(/: .*$/, ''));
}

/** Resolves once every image matched has loaded and decoded. */
export async function expectImagesLoaded(images: Locator): Promise<void> {
  await expect
    .poll(
      () =>
        images.evaluateAll((all) =>
          all.every((image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth > 0),
        ),
      { message: 'every image has loaded' },
    )
    .toBe(true);
}

/** Slows uploads down (bytes per second) through the DevTools protocol; `null` lifts it. */
export async function throttleUploads(cdp: CDPSession, bytesPerSecond: number | null): Promise<void> {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
}
