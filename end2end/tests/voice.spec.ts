// Voice commands, driven through a fake speech recogniser (real recognition cannot run
// headless): turning voice on and off (button and the V key), what is heard while speaking,
// sessions that the browser ends being started again, filtering by a spoken tag, moving through
// the viewer, deleting with a spoken confirmation, adding to an album and opening one, help,
// describing a photo, the slideshow, moving a seeded timeline by date, a
// refused microphone and a browser without speech recognition.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import {
  distinctJpegs,
  emptyGallery,
  expect,
  galleryOf,
  lightboxOf,
  listViaApi,
  open,
  test,
  tileImage,
  uploadViaApi,
  watchHydration,
  PASSWORD,
  type FileSpec,
  type Photo,
} from './support';

const TESTDATA = path.resolve(__dirname, '..', '..', 'models', 'testdata');

/** One recognition session object, as the fake makes it (see `installFakeSpeech`). */
interface FakeRecognition {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  maxAlternatives: number;
  /** The final results of the current session, in order. */
  results: unknown[];
  /** Calls the handler property `on{type}`, if the app set one. */
  emit(type: 'start' | 'result' | 'error' | 'end', event: object): void;
  /** Ends the session now: no longer active, then `onend`. */
  finish(): void;
}

interface FakeSpeech {
  instances: FakeRecognition[];
  /** The session started and not ended yet. */
  active: FakeRecognition | null;
  /** How many times `start()` was called. */
  starts: number;
}

declare global {
  interface Window {
    __speech?: FakeSpeech;
  }
}

interface FakeSpeechOptions {
  /** Every `start()` fails with this error code ("not-allowed", "audio-capture"...). */
  deny?: string;
}

/**
 * Replaces the browser's speech recognition (both names) with a fake before the app loads.
 * Events are plain objects handed to the handler properties (`onstart`, `onresult`, `onerror`,
 * `onend`), one macrotask after `start()`, `stop()` or `abort()`, like Chrome's.
 */
async function installFakeSpeech(page: Page, options: FakeSpeechOptions = {}): Promise<void> {
  await page.addInitScript((deny: string | null) => {
    type Handler = ((event: object) => void) | null;
    const speech: FakeSpeech = { instances: [], active: null, starts: 0 };

    class FakeSpeechRecognition extends EventTarget implements FakeRecognition {
      lang = '';
      continuous = false;
      interimResults = false;
      maxAlternatives = 1;
      onstart: Handler = null;
      onresult: Handler = null;
      onerror: Handler = null;
      onend: Handler = null;
      results: unknown[] = [];
      state: 'idle' | 'starting' | 'listening' | 'stopping' = 'idle';

      constructor() {
        super();
        speech.instances.push(this);
      }

      start(): void {
        if (this.state !== 'idle') throw new DOMException('already started', 'InvalidStateError');
        this.state = 'starting';
        this.results = [];
        speech.starts += 1;
        setTimeout(() => {
          if (this.state !== 'starting') return; // stopped before it started
          if (deny !== null) {
            this.emit('error', { error: deny, message: '' });
            this.finish();
            return;
          }
          this.state = 'listening';
          speech.active = this;
          this.emit('start', {});
        }, 0);
      }

      stop(): void {
        this.end();
      }

      abort(): void {
        this.end();
      }

      emit(type: string, event: object): void {
        const handler = (this as unknown as Record<string, Handler>)[`on${type}`];
        if (typeof handler === 'function') handler.call(this, event);
      }

      finish(): void {
        this.state = 'idle';
        if (speech.active === this) speech.active = null;
        this.emit('end', {});
      }

      /** Like Chrome, stopping a session that is not running does nothing. */
      private end(): void {
        if (this.state === 'idle' || this.state === 'stopping') return;
        this.state = 'stopping';
        setTimeout(() => this.finish(), 0);
      }
    }

    const w = window as unknown as Record<string, unknown>;
    w.SpeechRecognition = FakeSpeechRecognition;
    w.webkitSpeechRecognition = FakeSpeechRecognition;
    window.__speech = speech;
  }, options.deny ?? null);
}

/** A browser without speech recognition. */
async function removeSpeech(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    delete w.SpeechRecognition;
    delete w.webkitSpeechRecognition;
  });
}

async function speechState(page: Page): Promise<{ starts: number; listening: boolean }> {
  return page.evaluate(() => ({ starts: window.__speech!.starts, listening: window.__speech!.active !== null }));
}

async function waitUntilListening(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => window.__speech?.active != null), { message: 'a recognition session is listening' })
    .toBe(true);
}

/** One result event for the next result of the session: interim, or final. */
async function hear(page: Page, transcript: string, isFinal: boolean): Promise<void> {
  await waitUntilListening(page);
  await page.evaluate(
    ({ transcript, isFinal }) => {
      const recognition = window.__speech!.active!;
      // Chrome's lists also answer `item(i)`; the app indexes them.
      const item = function (this: ArrayLike<unknown>, index: number) {
        return this[index] ?? null;
      };
      const result = Object.assign([{ transcript, confidence: 0.9 }], { isFinal, item });
      const results = Object.assign([...recognition.results, result], { item });
      recognition.emit('result', { resultIndex: recognition.results.length, results });
      if (isFinal) recognition.results.push(result);
    },
    { transcript, isFinal },
  );
}

/** Says `text` as Chrome's continuous recognition reports it: interim, then final. */
async function say(page: Page, text: string): Promise<void> {
  await hear(page, text, false);
  await hear(page, text, true);
}

/** The browser ends the session by itself (after silence), optionally after an error. */
async function endSession(page: Page, error?: string): Promise<void> {
  await waitUntilListening(page);
  await page.evaluate((code) => {
    const recognition = window.__speech!.active!;
    if (code !== null) recognition.emit('error', { error: code, message: '' });
    recognition.finish();
  }, error ?? null);
}

function voiceToggle(page: Page) {
  return page.getByRole('button', { name: /^(Start|Stop) voice commands$/ });
}

function voiceStatus(page: Page) {
  return page.getByRole('status', { name: 'Voice' });
}

async function expectVoiceOn(page: Page, on: boolean): Promise<void> {
  const toggle = voiceToggle(page);
  await expect(toggle).toHaveAccessibleName(on ? 'Stop voice commands' : 'Start voice commands');
  await expect(toggle).toHaveAttribute('aria-pressed', on ? 'true' : 'false');
}

/** Installs the fake, opens the gallery and turns voice on. */
async function openListening(page: Page): Promise<void> {
  await installFakeSpeech(page);
  await open(page);
  await voiceToggle(page).click();
  await expectVoiceOn(page, true);
  await waitUntilListening(page);
}

function testPhoto(name: string): FileSpec {
  return { name, mimeType: 'image/png', buffer: fs.readFileSync(path.join(TESTDATA, name)) };
}

type Classified = Photo & { labels: { label: string; probability: number }[] };

/** Uploads photos of `models/testdata` and waits until they are classified. */
async function uploadClassified(request: APIRequestContext, names: string[]): Promise<Classified[]> {
  const stored = await uploadViaApi(request, names.map(testPhoto));
  const classified: Classified[] = [];
  for (const photo of stored) {
    let latest: Classified | undefined;
    await expect
      .poll(
        async () => {
          latest = (await (await request.get(`/api/photos/${photo.id}`)).json()) as Classified;
          return latest.status;
        },
        { timeout: 60_000, message: `${photo.filename} is classified` },
      )
      .toBe('done');
    classified.push(latest!);
  }
  return classified;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test.beforeEach(async ({ request }) => {
  await emptyGallery(request);
});

test('the button and the V key turn voice on and off', async ({ page }) => {
  await installFakeSpeech(page);
  await open(page);
  const toggle = voiceToggle(page);
  await expectVoiceOn(page, false);
  await expect(toggle).not.toHaveClass(/\blistening\b/);

  await toggle.click();
  await expectVoiceOn(page, true);
  await expect(toggle).toHaveClass(/\blistening\b/);
  await expect.poll(() => speechState(page)).toEqual({ starts: 1, listening: true });
  const settings = await page.evaluate(() => {
    const { lang, continuous, interimResults } = window.__speech!.active!;
    return { lang, continuous, interimResults };
  });
  expect(settings).toEqual({ lang: expect.stringMatching(/^en\b/), continuous: true, interimResults: true });

  await toggle.click();
  await expectVoiceOn(page, false);
  await expect(toggle).not.toHaveClass(/\blistening\b/);
  await expect.poll(() => speechState(page)).toEqual({ starts: 1, listening: false });

  // V, with the focus anywhere but in a text field.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('v');
  await expectVoiceOn(page, true);
  await expect.poll(() => speechState(page)).toEqual({ starts: 2, listening: true });
  await page.keyboard.press('v');
  await expectVoiceOn(page, false);
  await expect.poll(() => speechState(page)).toEqual({ starts: 2, listening: false });

  // In the search box, V is a letter.
  const search = page.getByRole('combobox', { name: 'Search tags' });
  await search.press('v');
  await expect(search).toHaveValue('v');
  await expectVoiceOn(page, false);
  expect((await speechState(page)).starts).toBe(2);
});

test('shows what is heard while speaking, then what was understood', async ({ page }) => {
  await openListening(page);
  const status = voiceStatus(page);

  await hear(page, 'banana bread', false);
  await expect(status).toContainText('banana bread');
  await expect(status).not.toContainText('Heard');

  await hear(page, 'banana bread recipe', true);
  await expect(status).toContainText('Heard “banana bread recipe”');
  await expect(status).toContainText(/Sorry, I didn['’]t understand\. Say “help” for what you can say\./);
  // It speaks from the bottom of the screen, below the photos, not from inside the header.
  const box = (await status.boundingBox())!;
  const screen = page.viewportSize()!;
  expect(box.y + box.height, 'bottom of the voice status').toBeGreaterThan(screen.height - 40);
  expect(box.y + box.height).toBeLessThanOrEqual(screen.height);
});

test('keeps listening when the browser ends a session, until turned off', async ({ page }) => {
  await openListening(page);
  const status = voiceStatus(page);

  // Chrome ends a continuous session after a while of silence: a new one starts.
  await endSession(page);
  await expect.poll(() => speechState(page)).toEqual({ starts: 2, listening: true });
  await expectVoiceOn(page, true);
  await say(page, 'banana bread recipe');
  await expect(status).toContainText('Heard “banana bread recipe”');

  // "no-speech" is no reason to stop either.
  await endSession(page, 'no-speech');
  await expect(status).toContainText('No speech was heard');
  await expect.poll(() => speechState(page)).toEqual({ starts: 3, listening: true });
  await expectVoiceOn(page, true);

  // Turned off, a session that ends is not started again.
  await voiceToggle(page).click();
  await expectVoiceOn(page, false);
  await expect.poll(() => speechState(page)).toEqual({ starts: 3, listening: false });
  await page.waitForTimeout(1_000);
  expect(await speechState(page)).toEqual({ starts: 3, listening: false });
});

test('opens the viewer, moves through it and closes it by voice', async ({ page, request }) => {
  const [oldest, middle, newest] = await uploadViaApi(request, distinctJpegs('voice', 3));
  await openListening(page);
  const status = voiceStatus(page);

  await say(page, 'open the gallery');
  await expect(lightboxOf(page, newest.filename)).toBeVisible();
  await expect(page).toHaveURL(`/?photo=${newest.id}`);
  await expect(status).toContainText(`Opened ${newest.filename}`);

  await say(page, 'next');
  await expect(lightboxOf(page, middle.filename)).toBeVisible();
  await say(page, 'next');
  await expect(lightboxOf(page, oldest.filename)).toBeVisible();
  await say(page, 'previous');
  await expect(lightboxOf(page, middle.filename)).toBeVisible();

  await say(page, 'close');
  await expect(lightboxOf(page)).toHaveCount(0);
  await expect(status).toContainText('Closed the viewer');
  await expect(tileImage(page, middle.filename)).toBeVisible();
  await expectVoiceOn(page, true);
});

test('filters by a spoken tag and shows everything again', async ({ page, request }) => {
  test.setTimeout(150_000); // classification
  await uploadClassified(request, ['chelsea.png', 'coffee.png']);
  await openListening(page);
  const status = voiceStatus(page);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(2);

  await say(page, 'show me cat photos');
  await expect(status).toContainText('Heard “show me cat photos”');
  await expect(status).toContainText('Showing 1 cat photo');
  await expect(page).toHaveURL(/[?&]tag=cat\b/);
  await expect(tileImage(page, 'chelsea.png')).toBeVisible();
  await expect(tileImage(page, 'coffee.png')).toHaveCount(0);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(1);

  // A word that is no label leaves the gallery as it was.
  await say(page, 'show me unicorn photos');
  await expect(status).toContainText(/I don['’]t know “unicorn”/);
  await expect(page).toHaveURL(/[?&]tag=cat\b/);
  await expect(galleryOf(page).locator('.tile')).toHaveCount(1);

  // A label no photo has.
  await say(page, 'show me dog photos');
  await expect(status).toContainText('No dog photos yet');

  await say(page, 'show all');
  await expect(status).toContainText('Showing all photos');
  await expect(page).not.toHaveURL(/[?&]tag=/);
  await expect(tileImage(page, 'chelsea.png')).toBeVisible();
  await expect(tileImage(page, 'coffee.png')).toBeVisible();
  await expectVoiceOn(page, true);
});

test('says what the open photo looks like', async ({ page, request }) => {
  test.setTimeout(90_000); // classification
  const [coffee] = await uploadClassified(request, ['coffee.png']);
  expect(coffee.labels.length).toBeGreaterThan(0);
  await openListening(page);

  await say(page, 'open the gallery');
  await expect(lightboxOf(page, 'coffee.png')).toBeVisible();
  await say(page, 'what is this');
  const top = coffee.labels[0].label;
  await expect(voiceStatus(page)).toContainText(new RegExp(`This looks like[\\s\\S]*${escapeRegExp(top)}`, 'i'));
});

test('deletes the open photo only after a spoken yes', async ({ page, request }) => {
  const [oldest, middle, newest] = await uploadViaApi(request, distinctJpegs('voice', 3));
  await openListening(page);
  await say(page, 'open the gallery');
  await expect(lightboxOf(page, newest.filename)).toBeVisible();
  const confirm = page.getByRole('alertdialog', { name: 'Delete this photo?' });

  // "No" keeps it.
  await say(page, 'delete this photo');
  await expect(confirm).toBeVisible();
  await say(page, 'no');
  await expect(confirm).toHaveCount(0);
  await expect(lightboxOf(page, newest.filename)).toBeVisible();
  expect((await request.get(`/api/photos/${newest.id}`)).status()).toBe(200);

  // "Yes" deletes it: the viewer goes on to the next photo, or closes.
  await say(page, 'delete this photo');
  await expect(confirm).toBeVisible();
  await say(page, 'yes');
  await expect(confirm).toHaveCount(0);
  await expect(lightboxOf(page, newest.filename)).toHaveCount(0);
  // By id: the grid may be hidden from assistive technology behind the viewer.
  await expect(page.locator(`#tile-${newest.id}`)).toHaveCount(0);
  await expect(page.locator(`#tile-${middle.id}`)).toHaveCount(1);
  await expect.poll(async () => (await request.get(`/api/photos/${newest.id}`)).status()).toBe(404);
  expect((await listViaApi(request)).map((p) => p.id)).toEqual([middle.id, oldest.id]);
});

test('adds the open photo to an album and opens the album by voice', async ({ page, request }, testInfo) => {
  const [photo] = await uploadViaApi(request, distinctJpegs('spoken-album', 1));
  const title = `Holidays ${testInfo.project.name}`;
  const made = await request.post('/api/albums', { data: { title } });
  expect(made.status()).toBe(201);
  const album = (await made.json()) as { id: string };
  await openListening(page);

  await say(page, 'open the gallery');
  await expect(lightboxOf(page, photo.filename)).toBeVisible();
  await say(page, `add this to ${title.toLowerCase()}`);
  await expect(voiceStatus(page)).toContainText(`Added 1 photo to ${title}`);
  const listed = (await (await request.get(`/api/albums/${album.id}/photos`)).json()) as { photos: Photo[] };
  expect(listed.photos.map((p) => p.id)).toEqual([photo.id]);

  await say(page, 'add this to the album nobody made');
  await expect(voiceStatus(page)).toContainText('You have no album called “nobody made”');

  await say(page, `show the album ${title.toLowerCase()}`);
  await expect(page).toHaveURL(`/albums/${album.id}`);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(tileImage(page, photo.filename)).toBeVisible();
});

test('help lists what can be said, and closes by voice or button', async ({ page }) => {
  await openListening(page);
  const help = page.getByRole('dialog', { name: 'Voice commands' });

  await say(page, 'help');
  await expect(help).toBeVisible();
  await expect(help).toContainText('show me dog photos');
  await say(page, 'close');
  await expect(help).toHaveCount(0);

  await say(page, 'help');
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toHaveCount(0);
  await expectVoiceOn(page, true);
});

test('a spoken slideshow moves on by itself and stops when told', async ({ page, request }) => {
  const [, middle, newest] = await uploadViaApi(request, distinctJpegs('voice', 3));
  await openListening(page);
  await say(page, 'open the gallery');
  const lightbox = lightboxOf(page);
  await expect(lightboxOf(page, newest.filename)).toBeVisible();
  await expect(lightbox.getByRole('button', { name: 'Start slideshow' })).toHaveAttribute('aria-pressed', 'false');
  await lightbox.getByLabel('Slideshow interval').selectOption('3');

  await say(page, 'start the slideshow');
  await expect(lightbox.getByRole('button', { name: 'Stop slideshow' })).toHaveAttribute('aria-pressed', 'true');
  await expect(lightboxOf(page, middle.filename)).toBeVisible({ timeout: 10_000 });

  await say(page, 'stop');
  await expect(lightbox.getByRole('button', { name: 'Start slideshow' })).toHaveAttribute('aria-pressed', 'false');
  // Stopped: nothing moves for longer than the interval.
  const shown = page.url();
  await page.waitForTimeout(4_500);
  expect(page.url()).toBe(shown);
  await expect(lightbox).toBeVisible();
});

for (const [code, message] of [
  ['not-allowed', 'Microphone access was denied'],
  ['audio-capture', 'No microphone was found'],
] as const) {
  test(`a "${code}" error turns voice off and says so; the gallery still works`, async ({ page, request }) => {
    const [photo] = await uploadViaApi(request, distinctJpegs('voice', 1));
    await installFakeSpeech(page, { deny: code });
    await open(page);

    await voiceToggle(page).click();
    await expect(voiceStatus(page)).toContainText(message);
    await expectVoiceOn(page, false);
    await expect(voiceToggle(page)).not.toHaveClass(/\blistening\b/);
    // Not retried in a loop.
    expect((await speechState(page)).starts).toBe(1);

    await tileImage(page, photo.filename).click();
    await expect(lightboxOf(page, photo.filename)).toBeVisible();
  });
}

test('a browser without speech recognition says voice is not available', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await removeSpeech(page);
  await open(page);
  expect(await page.evaluate(() => 'SpeechRecognition' in window || 'webkitSpeechRecognition' in window)).toBe(false);

  const unavailable = page.getByRole('button', { name: 'Voice commands are not available' });
  await expect(unavailable).toHaveAttribute('aria-disabled', 'true');
  // Playwright waits for an aria-disabled button to be enabled before clicking: force it.
  await unavailable.click({ force: true });
  await expect(voiceStatus(page)).toContainText('Voice commands need a browser with speech recognition');
  await expect(unavailable).toHaveAttribute('aria-disabled', 'true');
  expect(errors).toEqual([]);
});

/** A month of `/api/timeline`: `2019-05` and how many photos it holds. */
interface Section {
  month: string;
  count: number;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "May 2019" for `2019-05`: how the timeline heads a month, and how it is said. */
function monthHeading(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/** Months since year 0, to find a month the library has no photos of. */
function monthIndex(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthOfIndex(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * A page signed in as an account of its own, with a library made by `gaillery seed-library`
 * (a few hundred photos over twenty years, dated from today), listening through the fake
 * recogniser; and the library's months, newest first.
 */
async function seededListening(
  browser: Browser,
  request: APIRequestContext,
  options: { baseURL?: string; isMobile: boolean; owner: string },
): Promise<{ page: Page; sections: Section[] }> {
  const { baseURL, isMobile, owner } = options;
  const created = await request.post('/api/users', { data: { username: owner, password: PASSWORD, admin: false } });
  expect([201, 409], await created.text()).toContain(created.status());
  if (created.status() === 201) {
    const binary = process.env.GAILLERY_E2E_BIN ?? path.resolve(__dirname, '..', '..', 'target', 'release', 'gaillery');
    execFileSync(binary, ['seed-library', '--count', '300', '--user', owner, '--data-dir', process.env.GAILLERY_E2E_DATA ?? ''], {
      stdio: 'inherit',
      timeout: 120_000,
    });
  }
  const context = await browser.newContext({
    baseURL,
    ...(isMobile ? { viewport: { width: 390, height: 664 }, isMobile: true, hasTouch: true } : {}),
  });
  const signedIn = await context.request.post('/api/session', { data: { username: owner, password: PASSWORD } });
  expect(signedIn.status()).toBe(204);
  const sections = ((await (await context.request.get('/api/timeline')).json()) as { sections: Section[] }).sections;
  const page = await context.newPage();
  await watchHydration(page);
  await installFakeSpeech(page);
  await open(page);
  await voiceToggle(page).click();
  await expectVoiceOn(page, true);
  await waitUntilListening(page);
  return { page, sections };
}

/** Resolves once `month`'s section starts right below the sticky header, as a jump puts it. */
async function expectSectionAtTop(page: Page, month: string): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate((month) => {
          const header = document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
          const section = document.querySelector(`[data-month="${month}"]`);
          return section === null ? null : Math.abs(section.getBoundingClientRect().top - header) <= 2;
        }, month),
      { message: `${month} is at the top of the viewport` },
    )
    .toBe(true);
  await expect(page.getByRole('slider', { name: 'Timeline: jump to a month' })).toHaveAttribute('aria-valuetext', monthHeading(month));
}

test('a spoken month, year or "the top" moves the timeline there', async ({ browser, baseURL, isMobile, request }, testInfo) => {
  test.setTimeout(180_000); // seeding
  const { page, sections } = await seededListening(browser, request, {
    baseURL,
    isMobile,
    owner: `voice-timeline-${testInfo.project.name}`,
  });
  expect(sections.length).toBeGreaterThan(3);
  const status = voiceStatus(page);

  // A month well down the timeline, not loaded yet.
  const target = sections[Math.floor(sections.length / 2)];
  await say(page, `go to ${monthHeading(target.month)}`);
  await expect(status).toContainText(`Showing ${monthHeading(target.month)}`);
  await expectSectionAtTop(page, target.month);

  await say(page, 'go to the top');
  await expect(status).toContainText(`Showing the newest photos, from ${monthHeading(sections[0].month)}`);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  await expect(page.getByRole('slider', { name: 'Timeline: jump to a month' })).toHaveAttribute(
    'aria-valuetext',
    monthHeading(sections[0].month),
  );

  // A month without photos, just after an older one that has some: that one, and the reply
  // says so. The newest such gap, so that the page can scroll it to the top.
  const older = sections.find((section, i) => i > 0 && monthIndex(sections[i - 1].month) - monthIndex(section.month) > 1);
  expect(older, 'the seeded library has a month without photos').toBeDefined();
  const missing = monthOfIndex(monthIndex(older!.month) + 1);
  await say(page, `show photos from ${monthHeading(missing)}`);
  await expect(status).toContainText(`No photos from ${monthHeading(missing)}; showing ${monthHeading(older!.month)}`);
  await expectSectionAtTop(page, older!.month);

  // A year: its newest month with photos.
  const year = target.month.slice(0, 4);
  const newestOfYear = sections.find((section) => section.month.startsWith(year))!;
  await say(page, `show me photos from ${year}`);
  await expect(status).toContainText(`Showing ${monthHeading(newestOfYear.month)}`);
  await expectSectionAtTop(page, newestOfYear.month);
  await page.context().close();
});
