// Artillery processor for Task 1: a visitor opens the gallery and loads every image and tag.
'use strict';

const http = require('http');
const { pickSession } = require('./lib/sessions');

// Thumbnails are fetched like a browser does over HTTP/1.1: up to 6 connections to the server
// at once. Artillery's own HTTP engine costs ~3 ms of CPU per request, so at 50 visitors/s
// (60 thumbnails each) it, not the server, would be the bottleneck on a small machine; Node's
// bare http client costs a fraction of that. The requests are reported in Artillery's usual
// metrics (http.requests, http.codes.*, http.response_time, and per endpoint as `thumbnail`).
const CONNECTIONS = Number(process.env.LOAD_THUMBNAIL_CONNECTIONS || 6);
const TIMEOUT_MS = 10000;

/**
 * Scenario-level afterResponse: any 4xx/5xx ends the visitor as failed (Artillery itself only
 * fails a visitor on network errors and timeouts). Counted as `errors.HTTP <code> <name>`.
 */
function checkStatus(req, res, context, ee, next) {
  if (res.statusCode >= 400) {
    return next(new Error(`HTTP ${res.statusCode} ${req.name || req.url}`));
  }
  return next();
}

/** After the listing: the ids of the photos whose thumbnails the grid shows. */
function rememberPhotos(req, res, context, ee, next) {
  let photos;
  try {
    photos = JSON.parse(res.body).photos;
  } catch (err) {
    return next(new Error('listing is not JSON'));
  }
  if (!Array.isArray(photos)) {
    return next(new Error('listing has no photos array'));
  }
  context.vars.photoIds = photos.map((p) => p.id);
  return next();
}

function getOnce(agent, url, cookie) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const headers = cookie ? { cookie } : {};
    const req = http.get(url, { agent, headers, timeout: TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
      });
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        resolve({ status: res.statusCode, ms, bytes });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT thumbnail')));
    req.on('error', reject);
  });
}

/** Flow function: GET /api/photos/{id}/thumbnail for every listed photo, 6 at a time. */
function loadThumbnails(context, ee, done) {
  const ids = context.vars.photoIds || [];
  const base = context.vars.target;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  let failure = null;
  async function lane() {
    while (failure === null && next < ids.length) {
      const url = `${base}/api/photos/${ids[next++]}/thumbnail`;
      ee.emit('counter', 'http.requests', 1);
      ee.emit('rate', 'http.request_rate');
      try {
        const r = await getOnce(agent, url, context.vars.cookie);
        ee.emit('counter', `http.codes.${r.status}`, 1);
        ee.emit('counter', 'http.responses', 1);
        ee.emit('counter', 'http.downloaded_bytes', r.bytes);
        ee.emit('histogram', 'http.response_time', r.ms);
        ee.emit('histogram', 'plugins.metrics-by-endpoint.response_time.thumbnail', r.ms);
        ee.emit('counter', `plugins.metrics-by-endpoint.thumbnail.codes.${r.status}`, 1);
        if (r.status >= 400 && failure === null) failure = new Error(`HTTP ${r.status} thumbnail`);
      } catch (err) {
        if (failure === null) failure = new Error(`${err.code || err.message} thumbnail`);
      }
    }
  }
  const lanes = [];
  for (let i = 0; i < Math.min(CONNECTIONS, ids.length); i++) lanes.push(lane());
  Promise.all(lanes).then(() => {
    agent.destroy();
    done(failure);
  });
}

module.exports = { checkStatus, rememberPhotos, loadThumbnails, pickSession };
