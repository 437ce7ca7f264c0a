// The timeline of a large library: months and days in order, the scrubber (mouse, touch,
// keyboard), a deep link into a month not loaded, an upload into an old month, and a DOM that
// stays small however far one scrolls. The library is seeded with `gaillery seed-library`
// into an account of its own, so the admin's gallery stays as the other tests expect it.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { request as newRequest, type Browser, type Page } from '@playwright/test';
import { expect, fixture, lightboxOf, open, test, watchHydration, PASSWORD } from './support';

const COUNT = 10_000;
const root = path.resolve(__dirname, '..', '..');
const binary = process.env.GAILLERY_E2E_BIN ?? `${root}/target/release/gaillery`;

interface Section {
  month: string;
  count: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const heading = (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

test.describe.configure({ mode: 'serial' });

let owner: string;
let sections: Section[];

test.beforeAll(async ({ request }, testInfo) => {
  test.setTimeout(300_000);
  owner = `timeline-${testInfo.project.name}`;
  const created = await request.post('/api/users', { data: { username: owner, password: PASSWORD, admin: false } });
  expect([201, 409], await created.text()).toContain(created.status());
  if (created.status() === 201) {
    execFileSync(binary, ['seed-library', '--count', String(COUNT), '--user', owner, '--data-dir', process.env.GAILLERY_E2E_DATA ?? ''], {
      stdio: 'inherit',
      timeout: 240_000,
    });
  }
});

/** A page signed in as the seeded account. */
async function ownersPage(browser: Browser, baseURL: string | undefined, isMobile: boolean): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    ...(isMobile ? { viewport: { width: 390, height: 664 }, isMobile: true, hasTouch: true } : {}),
  });
  const signedIn = await context.request.post('/api/session', { data: { username: owner, password: PASSWORD } });
  expect(signedIn.status()).toBe(204);
  const page = await context.newPage();
  await watchHydration(page);
  sections = (await (await context.request.get('/api/timeline')).json()).sections;
  return page;
}

/** Resolves once photos of `month` are on screen, below the sticky header. */
async function expectMonthOnScreen(page: Page, month: string): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate((month) => {
        const top = document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
        return Array.from(document.querySelectorAll(`[data-month="${month}"] .tile img`)).some((image) => {
          const box = image.getBoundingClientRect();
          return box.bottom > top && box.top < window.innerHeight;
        });
      }, month),
    )
    .toBe(true);
}

/** The month whose section is at the top of the viewport, as the scrubber reports it. */
async function monthAtTop(page: Page): Promise<string> {
  return (await page.getByRole('slider', { name: 'Timeline: jump to a month' }).getAttribute('aria-valuetext')) ?? '';
}

test('months and days are headed newest first, photos without a date by their upload', async ({ browser, baseURL, isMobile }) => {
  const page = await ownersPage(browser, baseURL, isMobile);
  expect(sections.reduce((sum, s) => sum + s.count, 0)).toBe(COUNT);
  await open(page, '/');
  const months = page.locator('.month');
  await expect(months).toHaveCount(sections.length);
  expect(await months.evaluateAll((all) => all.map((m) => m.getAttribute('data-month')))).toEqual(sections.map((s) => s.month));
  const first = page.locator(`[data-month="${sections[0].month}"]`);
  await expect(first.locator('.month-heading')).toContainText(heading(sections[0].month));
  // The first month's days, as its photos' dates say (EXIF, else the upload time).
  const listed = await (await page.request.get(`/api/photos?month=${sections[0].month}&limit=200`)).json();
  const days: string[] = [];
  for (const photo of listed.photos as { taken_at: string | null; created_at: string }[]) {
    const date = (photo.taken_at ?? photo.created_at).slice(0, 10);
    if (days.at(-1) !== date) days.push(date);
  }
  // Blocks far below the viewport are spacers, so the page shows the first of them.
  const shown = await first.locator('.day-heading').allTextContents();
  const expected = days.map((day) =>
    new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  );
  expect(shown.length).toBeGreaterThan(0);
  expect(shown).toEqual(expected.slice(0, shown.length));
  await expect(first.locator('.tile img').first()).toBeVisible();
  await page.context().close();
});

test('the scrubber jumps to a month by pointer and by keyboard', async ({ browser, baseURL, isMobile }) => {
  const page = await ownersPage(browser, baseURL, isMobile);
  await open(page, '/');
  const rail = page.getByRole('slider', { name: 'Timeline: jump to a month' });
  await expect(rail).toBeVisible();
  const box = (await rail.boundingBox())!;
  // Where 60 % of the photos are newer: the month the rail says is there.
  const total = sections.reduce((sum, s) => sum + s.count, 0);
  let before = 0;
  const target = sections.find((s) => (before += s.count) > total * 0.6)!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height * 0.6;
  if (isMobile) {
    await page.touchscreen.tap(x, y);
  } else {
    await page.mouse.move(x, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(x, y, { steps: 5 });
    await expect(page.locator('.scrubber-label')).toHaveText(heading(target.month));
    await page.mouse.up();
  }
  await expectMonthOnScreen(page, target.month);
  await expect.poll(() => monthAtTop(page)).toBe(heading(target.month));

  // The keyboard: End, Home, a year down.
  await rail.focus();
  await page.keyboard.press('End');
  const last = sections.at(-1)!;
  await expectMonthOnScreen(page, last.month);
  await page.keyboard.press('Home');
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  await page.keyboard.press('PageDown');
  await expect.poll(() => monthAtTop(page)).toBe(heading(sections[12].month));
  await expectMonthOnScreen(page, sections[12].month);
  await page.context().close();
});

test('a deep link opens a photo of a month that is not loaded', async ({ browser, baseURL, isMobile }) => {
  const page = await ownersPage(browser, baseURL, isMobile);
  const oldest = sections.at(-1)!;
  const listed = await (await page.request.get(`/api/photos?month=${oldest.month}`)).json();
  const photo = listed.photos[0] as { id: string; filename: string };
  await open(page, `/?photo=${photo.id}`);
  await expect(lightboxOf(page, photo.filename)).toBeVisible();
  await expect(lightboxOf(page).locator('img.lightbox-image')).toHaveAttribute('src', `/api/photos/${photo.id}/preview`);
  await page.context().close();
});

test('a photo taken long ago lands in its month, and the page says where', async ({ browser, baseURL, isMobile }) => {
  const page = await ownersPage(browser, baseURL, isMobile);
  await open(page, '/');
  const july = sections.find((s) => s.month === '2021-07')?.count ?? 0;
  // Taken 14 July 2021 (its EXIF date).
  await page.locator('#file-input').setInputFiles([fixture('rotated-exif.jpg')]);
  const notice = page.locator('.arrival-notice');
  await expect(notice).toContainText('1 photo added to July 2021');
  await notice.getByRole('button', { name: 'Show' }).click();
  await expect.poll(() => monthAtTop(page)).toBe('July 2021');
  const month = page.locator('[data-month="2021-07"]');
  await expect(month.locator('.month-count')).toHaveText(july === 0 ? '1 photo' : `${july + 1} photos`);
  // In its place by date: somewhere down the month, shown once scrolled to.
  const added = month.getByRole('img', { name: /^Photo rotated-exif\.jpg/ });
  for (let screen = 0; screen < 30 && (await added.count()) === 0; screen++) {
    await page.evaluate(() => window.scrollBy(0, window.innerHeight));
    await page.waitForTimeout(100);
  }
  await added.scrollIntoViewIfNeeded();
  await expect(added).toBeInViewport();
  // Gone again, so the next run finds the library as seeded.
  const api = await newRequest.newContext({ baseURL });
  await api.post('/api/session', { data: { username: owner, password: PASSWORD } });
  const listed = await (await api.get('/api/photos?month=2021-07&limit=200')).json();
  for (const added of (listed.photos as { id: string; filename: string }[]).filter((p) => p.filename === 'rotated-exif.jpg')) {
    expect((await api.delete(`/api/photos/${added.id}`)).status()).toBe(204);
  }
  await api.dispose();
  await page.context().close();
});

test('scrolling to the end of the library keeps the DOM small', async ({ browser, baseURL, isMobile }) => {
  test.setTimeout(120_000);
  const page = await ownersPage(browser, baseURL, isMobile);
  await open(page, '/');
  // Two screens a frame down to the end, counting the elements as it goes: a hundred frames
  // at a time in the page itself (so Playwright's trace does not snapshot every step), with
  // where each stretch ended kept, so that a scroll that stalls says where and how.
  type Stretch = { steps: number; ms: number; y: number; height: number; elements: number; end: boolean };
  const stretches: Stretch[] = [];
  const started = Date.now();
  while (Date.now() - started < 80_000 && !stretches.at(-1)?.end) {
    let timer: NodeJS.Timeout | undefined;
    const stretch = await Promise.race([
      page.evaluate(async () => {
        const began = performance.now();
        let elements = 0;
        let steps = 0;
        let end = false;
        while (steps < 100 && !end) {
          window.scrollBy(0, window.innerHeight * 2);
          // The next frame; should the browser stop drawing frames, 100 ms.
          await new Promise((resolve) => {
            requestAnimationFrame(() => setTimeout(resolve, 0));
            setTimeout(resolve, 100);
          });
          steps += 1;
          if (steps % 4 === 0) elements = Math.max(elements, document.getElementsByTagName('*').length);
          end = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 4;
        }
        const height = document.documentElement.scrollHeight;
        return { steps, ms: Math.round(performance.now() - began), y: Math.round(window.scrollY), height, elements, end };
      }),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 30_000))),
    ]);
    clearTimeout(timer);
    expect(stretch, `the page answers within 30 s; before: ${JSON.stringify(stretches)}`).not.toBeNull();
    stretches.push(stretch!);
  }
  const progress = JSON.stringify({ stretches, errors: await page.evaluate(() => window.__gailleryErrors) });
  expect(stretches.at(-1)?.end, `reached the end of the page: ${progress}`).toBe(true);
  // Months near the end load and take their real height: the end is where the last one is.
  const last = page.locator(`[data-month="${sections.at(-1)!.month}"] .tile img`).first();
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(last).toBeInViewport({ timeout: 1_000 });
  }).toPass();
  const atEnd = await page.evaluate(() => document.getElementsByTagName('*').length);
  const largest = Math.max(atEnd, ...stretches.map((stretch) => stretch.elements));
  expect(largest, `elements in the page at any point of the scroll: ${progress}`).toBeLessThan(3_000);
  await page.context().close();
});

test('deleting a photo in the middle of a month keeps what is on screen in place', async ({ browser, baseURL, isMobile }) => {
  const page = await ownersPage(browser, baseURL, isMobile);
  await open(page, '/');
  // A year down, then a screen and a half into that month.
  await page.getByRole('slider', { name: 'Timeline: jump to a month' }).focus();
  await page.keyboard.press('PageDown');
  const month = sections[12].month;
  await expectMonthOnScreen(page, month);
  await page.evaluate(() => window.scrollBy(0, window.innerHeight * 1.5));
  await expectMonthOnScreen(page, month);
  // The tiles on screen, top to bottom: the first stays put, one lower down goes.
  const tilesOnScreen = () =>
    page.evaluate(() => {
      const top = document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
      return Array.from(document.querySelectorAll<HTMLElement>('.tile-link'))
        .map((link) => ({ id: link.id, top: link.getBoundingClientRect().top }))
        .filter((tile) => tile.top >= top && tile.top < window.innerHeight - 120);
    });
  // Months above may still be settling (scroll anchoring then moves scrollY, not the
  // content): measure once the tiles on screen stay put.
  let before = await tilesOnScreen();
  await expect
    .poll(async () => {
      const previous = JSON.stringify(before);
      await page.waitForTimeout(300);
      before = await tilesOnScreen();
      return JSON.stringify(before) === previous;
    })
    .toBe(true);
  expect(before.length, 'tiles on screen').toBeGreaterThan(2);
  const kept = before[0];
  const doomed = before[Math.floor(before.length / 2)];
  const keptTop = async () => (await tilesOnScreen()).find((tile) => tile.id === kept.id)?.top;

  await page.locator(`#${doomed.id}`).click();
  await expect(lightboxOf(page)).toBeVisible();
  // Opening a photo leaves the page behind it where it was (it used to jump to the top).
  expect(Math.abs(((await keptTop()) ?? Infinity) - kept.top), 'opening a photo moved the top tile by').toBeLessThan(2);
  await lightboxOf(page).getByRole('button', { name: 'Delete photo' }).click();
  await page.getByRole('alertdialog', { name: 'Delete this photo?' }).getByRole('button', { name: 'Delete', exact: true }).click();
  await lightboxOf(page).getByRole('button', { name: 'Close' }).click();
  await expect(lightboxOf(page)).toHaveCount(0);
  await expect(page.locator(`#${doomed.id}`)).toHaveCount(0);
  await expect(page.locator(`[data-month="${month}"] .month-count`)).toHaveText(`${sections[12].count - 1} photos`);
  expect(Math.abs(((await keptTop()) ?? Infinity) - kept.top), 'deleting moved the top tile by').toBeLessThan(2);
  await page.context().close();
});
