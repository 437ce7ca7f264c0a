// The timeline benchmark of issue #16 ("A million photos that browse like a hundred"), against
// a server on a seeded library that bench/timeline.sh started (GAILLERY_BENCH_URL), signed in
// as the library's owner. Measured in the page with its own clocks (performance.now()):
//
// - first screen: from navigation start to the first animation frame in which the thumbnails
//   in the viewport (below the sticky header) have all loaded (`complete && naturalWidth > 0`)
//   and reach three quarters down the viewport; also the first frame in which the first row
//   alone has (at least one thumbnail visible, all visible ones loaded);
// - scrubber jump: from the pointer press on the rail, at the share of the month that holds
//   the library's middle photo, to the first frame in which that month's thumbnails in the
//   viewport have all loaded and fill it (or the month ends above three quarters down);
// - scroll: `mouse.wheel` steps of STEP_PX every STEP_MS from the top, until the section of the
//   month twelve months older than the newest reaches the viewport top, or SCROLL_LIMIT_MS;
//   frame deltas from requestAnimationFrame (a frame over 1.5 x 16.7 ms is dropped) and the
//   Long Tasks API (tasks over 50 ms) during it;
// - at the end of the scroll: the elements in the DOM, the JS heap (CDP
//   `Runtime.getHeapUsage`) and the WASM module's linear memory, which holds the app's state
//   and is not part of the JS heap.
//
// Each repetition of first screen and jump is a new browser context (a cold cache, as a first
// visit); the results go to GAILLERY_BENCH_RESULT as JSON for the script's table.

import { test, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import * as fs from 'node:fs';

const USER = required('GAILLERY_BENCH_USER');
const PASSWORD = required('GAILLERY_BENCH_PASSWORD');
const RESULT = required('GAILLERY_BENCH_RESULT');
const REPETITIONS = Number(process.env.GAILLERY_BENCH_REPETITIONS ?? 3);
const SCROLL_LIMIT_MS = Number(process.env.GAILLERY_BENCH_SCROLL_LIMIT_S ?? 60) * 1_000;
const STEP_PX = 100;
const STEP_MS = 16;
const MAX_PENDING_STEPS = 8;
/** GAILLERY_BENCH_PROFILE=1: a CPU profile and a trace of a jump and of the scroll, on stderr. */
const PROFILE = process.env.GAILLERY_BENCH_PROFILE === '1';
/** How long one measured wait (a first screen, a jump) may take before it counts as failed. */
const WAIT_LIMIT_MS = 30_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run bench/timeline.sh`);
  return value;
}

interface Section {
  month: string;
  count: number;
}

interface Bench {
  hydratedAt: number | null;
  firstRowAt: number | null;
  firstScreenAt: number | null;
  pointerDownAt: number | null;
  longTasks: { start: number; duration: number }[];
  recording: boolean;
  frames: number[];
  mostElements: number;
  reachedAt: number | null;
  /** Watches for the section with id `target` to reach the top of the viewport. */
  watch: (target: string) => void;
  wasmMemory: WebAssembly.Memory | null;
  errors: string[];
  /** Resolves with the time of the first frame in which `month`'s thumbnails fill the screen. */
  monthShown: (month: string) => Promise<number>;
}

declare global {
  interface Window {
    __bench: Bench;
  }
}

/**
 * Installed before any script of the page: the long-task observer, the hydration and WASM
 * memory hooks, the pointer-press clock, and one requestAnimationFrame loop that records
 * frames and watches for the first screen and for the scroll's target.
 */
function instrument(): void {
  const bench: Bench = {
    hydratedAt: null,
    firstRowAt: null,
    firstScreenAt: null,
    pointerDownAt: null,
    longTasks: [],
    recording: false,
    frames: [],
    mostElements: 0,
    reachedAt: null,
    watch: () => undefined,
    wasmMemory: null,
    errors: [],
    monthShown: () => Promise.reject(new Error('replaced below')),
  };
  window.__bench = bench;
  window.addEventListener('error', (event) => bench.errors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) => bench.errors.push(String(event.reason?.message ?? event.reason)));
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.addEventListener('pointerdown', (event) => (bench.pointerDownAt = event.timeStamp), { capture: true });

  // As end2end/tests/support.ts: hydrate() runs in the microtasks after instantiation.
  const wasm = WebAssembly as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = wasm[name];
    if (typeof original !== 'function') continue;
    wasm[name] = (...args: unknown[]) =>
      original.apply(WebAssembly, args).then((result) => {
        const instance = ((result as { instance?: WebAssembly.Instance }).instance ?? result) as WebAssembly.Instance;
        const memory = instance.exports?.memory;
        if (memory instanceof WebAssembly.Memory) bench.wasmMemory = memory;
        setTimeout(() => (bench.hydratedAt = performance.now()), 0);
        return result;
      });
  }

  const headerBottom = () => document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
  /** Whether the thumbnails under `scope` in the viewport have loaded and fill it. */
  const screenOf = (scope: string, filled: boolean): boolean => {
    const top = headerBottom();
    const visible = Array.from(document.querySelectorAll<HTMLImageElement>(`${scope} .tile img`)).filter((image) => {
      const box = image.getBoundingClientRect();
      return box.width > 0 && box.bottom > top && box.top < window.innerHeight;
    });
    if (visible.length === 0 || !visible.every((image) => image.complete && image.naturalWidth > 0)) return false;
    if (!filled) return true;
    const lowest = Math.max(...visible.map((image) => image.getBoundingClientRect().bottom));
    if (lowest >= window.innerHeight * 0.75) return true;
    // Or what is filled is all there is: the scope ends above, loaded in full.
    const section = document.querySelector(scope);
    if (!section || section.classList.contains('month-pending')) return false;
    return section.getBoundingClientRect().bottom < window.innerHeight * 0.75;
  };
  // By an observer of a line one pixel high under the header, so that watching forces no
  // layout of its own while scrolling.
  bench.watch = (target) => {
    const section = document.getElementById(target);
    if (!section) return;
    const top = Math.round(headerBottom());
    const observer = new IntersectionObserver(
      (entries) => {
        if (bench.reachedAt === null && entries.some((entry) => entry.isIntersecting)) {
          bench.reachedAt = performance.now();
          observer.disconnect();
        }
      },
      { rootMargin: `-${top}px 0px -${window.innerHeight - top - 1}px 0px` },
    );
    observer.observe(section);
  };
  const waiting: { month: string; resolve: (at: number) => void }[] = [];
  bench.monthShown = (month) => new Promise((resolve) => waiting.push({ month, resolve }));

  let last = 0;
  const frame = (now: number) => {
    if (bench.recording) {
      if (last > 0) bench.frames.push(now - last);
      if (bench.frames.length % 10 === 0) bench.mostElements = Math.max(bench.mostElements, document.getElementsByTagName('*').length);
    }
    last = now;
    if (bench.firstRowAt === null && screenOf('.timeline', false)) bench.firstRowAt = now;
    if (bench.firstScreenAt === null && screenOf('.timeline', true)) bench.firstScreenAt = now;
    for (let at = waiting.length - 1; at >= 0; at--) {
      if (screenOf(`section.month[data-month="${waiting[at].month}"]`, true)) waiting.splice(at, 1)[0].resolve(now);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** A new context (cold cache) signed in as the library's owner, with its page instrumented. */
async function ownersPage(browser: Browser, errors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const signedIn = await context.request.post('/api/session', { data: { username: USER, password: PASSWORD } });
  if (signedIn.status() !== 204) throw new Error(`sign-in as ${USER}: ${signedIn.status()} ${await signedIn.text()}`);
  await context.addInitScript(instrument);
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  return { context, page };
}

/** Opens the gallery and waits for its first screen and for hydration; returns their times. */
async function openGallery(page: Page): Promise<{ firstRow: number; firstScreen: number; hydrated: number }> {
  await page.goto('/');
  const handle = await page.waitForFunction(
    () => {
      const b = window.__bench;
      return b.firstScreenAt !== null && b.hydratedAt !== null && b.firstRowAt !== null
        ? { firstRow: b.firstRowAt, firstScreen: b.firstScreenAt, hydrated: b.hydratedAt }
        : null;
    },
    undefined,
    { timeout: WAIT_LIMIT_MS, polling: 50 },
  );
  const times = (await handle.jsonValue()) as { firstRow: number; firstScreen: number; hydrated: number };
  const failed = await page.evaluate(() => window.__bench.errors);
  if (failed.length > 0) throw new Error(`the app failed: ${failed.join('; ')}`);
  return times;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value: number) => Math.round(value * 10) / 10;

/** `YYYY-MM` moved back `months` months. */
function monthsBefore(month: string, months: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

test('the timeline of a large library', async ({ browser }) => {
  const errors: string[] = [];
  const result: Record<string, unknown> = {};

  // The library as the page will see it.
  const probe = await ownersPage(browser, errors);
  const sections = ((await (await probe.context.request.get('/api/timeline')).json()) as { sections: Section[] }).sections;
  await probe.context.close();
  const total = sections.reduce((sum, s) => sum + s.count, 0);
  // The month that holds the middle photo, and the share of the rail where it starts: pressed
  // at the middle of its stretch of the rail.
  let before = 0;
  let middle = sections[0];
  let middleShare = 0;
  for (const section of sections) {
    if (before + section.count > total / 2) {
      middle = section;
      middleShare = (before + section.count / 2) / total;
      break;
    }
    before += section.count;
  }
  result.photos = total;
  result.months = sections.length;
  result.jumpMonth = middle.month;

  // First screen and scrubber jump, each repetition a first visit.
  const firstRows: number[] = [];
  const firstScreens: number[] = [];
  const hydrations: number[] = [];
  const jumps: number[] = [];
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    const { context, page } = await ownersPage(browser, errors);
    const opened = await openGallery(page);
    firstRows.push(opened.firstRow);
    firstScreens.push(opened.firstScreen);
    hydrations.push(opened.hydrated);
    // Settled, as a person would look before reaching for the scrubber.
    await page.waitForTimeout(300);
    const rail = page.getByRole('slider', { name: 'Timeline: jump to a month' });
    const box = await rail.boundingBox();
    if (!box) throw new Error('no scrubber on the page');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * middleShare);
    await page.evaluate((month) => {
      (window as unknown as { __jump: Promise<number> }).__jump = window.__bench.monthShown(month);
      window.__bench.pointerDownAt = null;
    }, middle.month);
    const profiled = PROFILE && repetition === REPETITIONS - 1;
    const cdp = profiled ? await context.newCDPSession(page) : null;
    if (cdp) await startProfile(browser, page, cdp);
    await page.mouse.down();
    await page.mouse.up();
    const jumped = await page.evaluate(
      (limit) =>
        Promise.race([
          (window as unknown as { __jump: Promise<number> }).__jump.then((shown) => shown - (window.__bench.pointerDownAt ?? NaN)),
          new Promise<number>((resolve) => setTimeout(() => resolve(NaN), limit)),
        ]),
      WAIT_LIMIT_MS,
    );
    if (cdp) await stopProfile(browser, cdp, `the scrubber jump to ${middle.month}`);
    if (Number.isNaN(jumped)) throw new Error(`the scrubber jump to ${middle.month} did not show it within ${WAIT_LIMIT_MS} ms`);
    jumps.push(jumped);
    // Where the jump ended: the scrubber says which month is at the top.
    await page.waitForTimeout(1_000);
    result.jumpLandedOn = await rail.getAttribute('aria-valuetext');
    await context.close();
  }
  result.firstRowMs = firstRows.map(round);
  result.firstScreenMs = firstScreens.map(round);
  result.hydratedMs = hydrations.map(round);
  result.jumpMs = jumps.map(round);
  result.firstRowMedianMs = round(median(firstRows));
  result.firstScreenMedianMs = round(median(firstScreens));
  result.hydratedMedianMs = round(median(hydrations));
  result.jumpMedianMs = round(median(jumps));

  // The scroll: a year down at a steady speed.
  const { context, page } = await ownersPage(browser, errors);
  await openGallery(page);
  await page.waitForTimeout(500);
  const yearOlder = monthsBefore(sections[0].month, 12);
  const target = sections.find((s) => s.month <= yearOlder);
  result.scrollTarget = target?.month ?? null;
  await page.mouse.move(600, 500);
  const started = await page.evaluate((target) => {
    const b = window.__bench;
    b.frames = [];
    b.mostElements = 0;
    b.reachedAt = null;
    if (target !== null) b.watch(`month-${target}`);
    b.recording = true;
    return performance.now();
  }, target?.month ?? null);
  const cdp = await context.newCDPSession(page);
  if (PROFILE) await startProfile(browser, page, cdp);
  const { steps, wall, reached } = await wheelSteadily(page, SCROLL_LIMIT_MS, () =>
    page.evaluate(() => window.__bench.reachedAt !== null),
  );
  if (PROFILE) await stopProfile(browser, cdp, 'the scroll');
  const scroll = await page.evaluate((started) => {
    const b = window.__bench;
    b.recording = false;
    const ended = performance.now();
    const during = b.longTasks.filter((task) => task.start >= started && task.start <= ended);
    return {
      reachedMs: b.reachedAt === null ? null : b.reachedAt - started,
      scrolledPx: window.scrollY,
      frames: b.frames.length,
      dropped: b.frames.filter((delta) => delta > 1.5 * (1000 / 60)).length,
      longestFrameMs: Math.max(0, ...b.frames),
      longTasks: during.length,
      longestTaskMs: Math.max(0, ...during.map((task) => task.duration)),
      mostElements: Math.max(b.mostElements, document.querySelectorAll('*').length),
      elements: document.querySelectorAll('*').length,
      wasmBytes: b.wasmMemory?.buffer.byteLength ?? null,
    };
  }, started);
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
  await context.close();
  Object.assign(result, scroll, {
    scrollReached: reached,
    scrollSteps: steps,
    scrollWallMs: wall,
    scrollPxPerS: Math.round((steps * STEP_PX * 1000) / wall),
    jsHeapUsedBytes: heap.usedSize,
    jsHeapTotalBytes: heap.totalSize,
  });

  // The machine's own pace: the same scroll for a few seconds over a page of plain blocks,
  // which costs the main thread nothing. Frames it drops are the machine's, not the app's.
  const plain = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const blank = await plain.newPage();
  await blank.setContent(
    `<body style="margin:0">${Array.from({ length: 2_000 }, (_, i) => `<div style="height:200px;background:hsl(${(i * 37) % 360} 60% 40%)"></div>`).join('')}</body>`,
  );
  await blank.evaluate(() => {
    const frames: number[] = ((window as unknown as { __frames: number[] }).__frames = []);
    let last = 0;
    const frame = (now: number) => {
      if (last > 0) frames.push(now - last);
      last = now;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await blank.mouse.move(600, 500);
  await wheelSteadily(blank, 3_000, async () => false);
  const baseline = await blank.evaluate(() => (window as unknown as { __frames: number[] }).__frames);
  await plain.close();
  result.baselineFrames = baseline.length;
  result.baselineDropped = baseline.filter((delta) => delta > 1.5 * (1000 / 60)).length;

  result.errors = errors;
  fs.writeFileSync(RESULT, JSON.stringify(result, null, 2));
});

/**
 * Wheel steps of STEP_PX every STEP_MS over the middle of the page until `done` (asked every
 * eight steps) or `limitMs`. A step is acknowledged only once the browser has handled it,
 * which can take longer than a step on a busy machine: steps go out on time, with at most a
 * few unacknowledged, so a page that holds its main thread slows them down (the rate achieved
 * says so).
 */
async function wheelSteadily(
  page: Page,
  limitMs: number,
  done: () => Promise<boolean>,
): Promise<{ steps: number; wall: number; reached: boolean }> {
  const clock = Date.now();
  let steps = 0;
  let reached = false;
  const pending: Promise<void>[] = [];
  while (Date.now() - clock < limitMs) {
    while (pending.length >= MAX_PENDING_STEPS) await pending.shift();
    pending.push(page.mouse.wheel(0, STEP_PX));
    steps++;
    if (steps % 8 === 0 && (await done())) {
      reached = true;
      break;
    }
    // Steady: the next step at its time, never a burst to catch up.
    const wait = clock + steps * STEP_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(pending);
  return { steps, wall: Date.now() - clock, reached };
}

// What the main thread did in a jump and while scrolling (GAILLERY_BENCH_PROFILE=1): the
// functions with the most time of their own in a CPU profile, and the trace's events inside long tasks by time of
// their own (script, style, layout, paint, garbage collection). Costs time: profiled runs are
// for finding causes, not for the figures.

async function startProfile(browser: Browser, page: Page, cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'] });
  await cdp.send('Profiler.start');
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

async function stopProfile(browser: Browser, cdp: CDPSession, what: string): Promise<void> {
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };

  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<string, number>();
  profile.samples.forEach((id, at) => {
    const frame = nodes.get(id)!.callFrame;
    const file = frame.url.split('/').pop() ?? '';
    const name = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    selfTime.set(name, (selfTime.get(name) ?? 0) + (profile.timeDeltas[at] ?? 0) / 1000);
  });
  const top = [...selfTime.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.error(`CPU profile of ${what}, time of its own (ms):`);
  for (const [name, ms] of top) console.error(`  ${ms.toFixed(0).padStart(7)}  ${name.slice(0, 160)}`);

  // The renderer's main thread(s): where long tasks run.
  const main = new Set(
    trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const complete = trace.traceEvents
    .filter((e) => e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`))
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks = complete.filter((e) => e.name === 'RunTask');
  const long = tasks.filter((e) => e.dur! > 50_000);
  const busy = tasks.reduce((sum, task) => sum + task.dur! / 1000, 0);
  const longest = long.reduce((most, task) => Math.max(most, task.dur! / 1000), 0);
  console.error(`trace of ${what}: the main thread ran ${tasks.length} tasks, ${busy.toFixed(0)} ms in all; ${long.length} over 50 ms (longest ${longest.toFixed(0)} ms)`);
  for (const [title, chosen] of [['all tasks', tasks], ['tasks over 50 ms', long]] as const) {
    console.error(`  in ${title}, time of its own (ms):`);
    for (const [name, ms] of ownTimes(complete, chosen).slice(0, 15)) console.error(`  ${ms.toFixed(0).padStart(7)}  ${name}`);
  }
}

/** Time of its own of each kind of event inside `tasks`: its duration less its children's. */
function ownTimes(events: TraceEvent[], tasks: TraceEvent[]): [string, number][] {
  const own = new Map<string, number>();
  let next = 0;
  for (const task of tasks) {
    const end = task.ts + task.dur!;
    while (next < events.length && events[next].ts < task.ts) next++;
    const stack: { event: TraceEvent; children: number }[] = [];
    const close = (until: number) => {
      while (stack.length > 0 && stack[stack.length - 1].event.ts + stack[stack.length - 1].event.dur! <= until) {
        const { event, children } = stack.pop()!;
        own.set(event.name, (own.get(event.name) ?? 0) + Math.max(0, event.dur! - children) / 1000);
        if (stack.length > 0) stack[stack.length - 1].children += event.dur!;
      }
    };
    for (let at = next; at < events.length && events[at].ts < end; at++) {
      const event = events[at];
      if (event === task) continue;
      close(event.ts);
      stack.push({ event, children: 0 });
    }
    close(Number.POSITIVE_INFINITY);
  }
  return [...own.entries()].sort((a, b) => b[1] - a[1]);
}
