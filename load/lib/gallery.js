// Small client of the gallery's HTTP API for the load scripts (Node 18+: global fetch,
// FormData, Blob; no dependencies).
'use strict';

const { uniquePhoto } = require('./photos');

const PENDING = new Set(['queued', 'fetching', 'preprocessing', 'predicting', 'storing']);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The session the tool acts with (`GAILLERY_LOAD_COOKIE`, set by lib/common.sh). */
function auth() {
  const cookie = process.env.GAILLERY_LOAD_COOKIE;
  return cookie ? { cookie } : {};
}

async function getJson(url, timeoutMs = 30000) {
  const res = await fetch(url, { headers: auth(), signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every photo's status, through the whole listing (200 a page). */
async function census(target) {
  const counts = { total: 0, done: 0, failed: 0, pending: 0 };
  const byStatus = {};
  const reasons = {};
  let cursor = null;
  for (let page = 0; page < 100000; page++) {
    const q = new URLSearchParams({ limit: '200' });
    if (cursor) q.set('cursor', cursor);
    const body = await getJson(`${target}/api/photos?${q}`);
    for (const p of body.photos) {
      counts.total += 1;
      byStatus[p.status] = (byStatus[p.status] || 0) + 1;
      if (p.status === 'done') counts.done += 1;
      else if (p.status === 'failed') {
        counts.failed += 1;
        const r = p.status_reason || '(no reason)';
        reasons[r] = (reasons[r] || 0) + 1;
      } else if (PENDING.has(p.status)) counts.pending += 1;
    }
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return { ...counts, byStatus, reasons };
}

/**
 * Polls the listing until no photo is queued or being classified, or `timeoutS` passes.
 * Returns the last census with `drained` and `seconds` (from the call).
 */
async function waitDrained(target, { timeoutS = 600, intervalMs = 1000, log = () => {} } = {}) {
  const start = Date.now();
  let last = null;
  let lastLog = 0;
  while (true) {
    last = await census(target);
    const seconds = (Date.now() - start) / 1000;
    if (last.pending === 0) return { ...last, drained: true, seconds };
    if (seconds > timeoutS) return { ...last, drained: false, seconds };
    if (Date.now() - lastLog > 10000) {
      lastLog = Date.now();
      log(`  ${seconds.toFixed(0)} s: ${last.pending} pending, ${last.done} done, ${last.failed} failed`);
    }
    await sleep(intervalMs);
  }
}

/** Uploads `count` distinct real photos, `batch` per request. Returns the ids. */
async function seed(target, { count = 200, batch = 10 } = {}) {
  const ids = [];
  let i = 0;
  while (i < count) {
    const form = new FormData();
    const n = Math.min(batch, count - i);
    for (let k = 0; k < n; k++, i++) {
      const p = uniquePhoto(i);
      form.append('file', new Blob([p.bytes], { type: p.type }), p.filename);
    }
    const res = await fetch(`${target}/api/photos`, {
      method: 'POST',
      headers: auth(),
      body: form,
      signal: AbortSignal.timeout(60000),
    });
    const body = await res.json();
    if (res.status !== 201 || body.errors.length > 0 || body.photos.length !== n) {
      throw new Error(`seed upload: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
    for (const p of body.photos) ids.push(p.id);
  }
  return ids;
}

module.exports = { census, waitDrained, seed, getJson, sleep };
