// Real photos for the load tests, each made unique so the server stores a new photo instead of
// returning the existing one (it deduplicates uploads by SHA-256).
//
// The photos are scikit-image's samples that scripts/fetch-models.sh puts in models/testdata/.
// A photo is made unique by appending a short tag AFTER the image's end marker (PNG: after the
// IEND chunk; JPEG: after FFD9). Decoders stop at the end marker, so the pixels, the
// classification and the derived images are those of the original photo; only the bytes (and so
// the SHA-256) differ. No re-encoding, no dependencies.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { threadId } = require('worker_threads');

const TESTDATA =
  process.env.GAILLERY_TESTDATA || path.join(__dirname, '..', '..', 'models', 'testdata');
const NAMES = ['chelsea.png', 'coffee.png', 'rocket.jpg', 'motorcycle_left.png', 'astronaut.png'];

const PNG_END = Buffer.from('0000000049454e44ae426082', 'hex'); // IEND chunk, length 0, CRC
const JPEG_END = Buffer.from('ffd9', 'hex');

let cache = null;

function photos() {
  if (cache) return cache;
  cache = NAMES.map((name) => {
    const file = path.join(TESTDATA, name);
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run scripts/fetch-models.sh`);
    }
    const bytes = fs.readFileSync(file);
    const png = name.endsWith('.png');
    const end = png ? PNG_END : JPEG_END;
    if (!bytes.subarray(bytes.length - end.length).equals(end)) {
      // Anything already after the end marker would still be ignored by decoders, but the
      // samples are known to end exactly there: a different file means a different download.
      throw new Error(`${file} does not end with its ${png ? 'IEND' : 'EOI'} marker`);
    }
    return {
      stem: path.basename(name, path.extname(name)),
      ext: path.extname(name),
      type: png ? 'image/png' : 'image/jpeg',
      bytes,
    };
  });
  return cache;
}

// Unique across processes, Artillery's worker threads and runs.
const PREFIX = `${process.pid}-${threadId}-${crypto.randomBytes(4).toString('hex')}`;
let counter = 0;

/** The `index`-th sample (cycling), with a unique tag after its end marker. */
function uniquePhoto(index) {
  const all = photos();
  const base = all[((index % all.length) + all.length) % all.length];
  counter += 1;
  const id = `${PREFIX}-${counter}`;
  return {
    filename: `${base.stem}-${id}${base.ext}`,
    type: base.type,
    bytes: Buffer.concat([base.bytes, Buffer.from(`\nGAILLERY-LOAD ${id}\n`)]),
  };
}

/** A multipart/form-data body with one part named `file` per photo. */
function multipart(files) {
  const boundary = `----gaillery-load-${crypto.randomBytes(12).toString('hex')}`;
  const chunks = [];
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\n` +
          `Content-Disposition: form-data; name="file"; filename="${f.filename}"\r\n` +
          `Content-Type: ${f.type}\r\n\r\n`
      ),
      f.bytes,
      Buffer.from('\r\n')
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

module.exports = { photos, uniquePhoto, multipart, NAMES };
