// Artillery processor for Task 2: a visitor uploads 1 to 5 photos in one request; the server
// classifies each in the background.
'use strict';

const { uniquePhoto, multipart } = require('./lib/photos');
const { pickSession } = require('./lib/sessions');

const MIN_FILES = Number(process.env.LOAD_MIN_FILES || 1);
const MAX_FILES = Number(process.env.LOAD_MAX_FILES || 5);

/** beforeRequest: a multipart body of 1 to 5 distinct real photos (see lib/photos.js). */
function buildUpload(req, context, ee, next) {
  const n = MIN_FILES + Math.floor(Math.random() * (MAX_FILES - MIN_FILES + 1));
  const start = Math.floor(Math.random() * 5);
  const files = [];
  for (let i = 0; i < n; i++) files.push(uniquePhoto(start + i));
  const { body, contentType } = multipart(files);
  req.body = body;
  req.headers = Object.assign({}, req.headers, { 'content-type': contentType });
  context.vars.filesSent = n;
  ee.emit('counter', 'gaillery.files_sent', n);
  ee.emit('histogram', 'gaillery.upload_bytes', body.length);
  return next();
}

/**
 * afterResponse: the upload must be 201 with every photo stored (none refused, none a
 * duplicate of an earlier upload).
 */
function checkUpload(req, res, context, ee, next) {
  if (res.statusCode !== 201) {
    return next(new Error(`HTTP ${res.statusCode} upload`));
  }
  let reply;
  try {
    reply = JSON.parse(res.body);
  } catch (err) {
    return next(new Error('upload reply is not JSON'));
  }
  const stored = Array.isArray(reply.photos) ? reply.photos.length : 0;
  const refused = Array.isArray(reply.errors) ? reply.errors.length : 0;
  ee.emit('counter', 'gaillery.photos_stored', stored);
  if (refused > 0) {
    ee.emit('counter', 'gaillery.photos_refused', refused);
    return next(new Error(`upload refused ${refused} file(s): ${reply.errors[0].error}`));
  }
  if (stored !== context.vars.filesSent) {
    return next(new Error('upload stored fewer photos than sent'));
  }
  return next();
}

module.exports = { buildUpload, checkUpload, pickSession };
