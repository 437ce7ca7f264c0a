#!/usr/bin/env bash
# Makes docs/gallery.png, the README's picture: the release server on a fresh data directory,
# the administrator made through the API, the five test photos of models/testdata uploaded and
# classified, and the gallery photographed in Debian's chromium at 1200x640.
#
#   scripts/docs-screenshot.sh
#
# Builds nothing; needs the release server and site (`scripts/run.sh` builds both), the model
# weights and test photos (`scripts/setup.sh --tests`), and Playwright in end2end/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=${PORT:-4961}
data=$(mktemp -d "${TMPDIR:-/tmp}/gaillery-screenshot-XXXXXX")
server_pid=""
cleanup() {
  [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

target/release/gaillery serve --addr "127.0.0.1:$port" --data-dir "$data/data" \
  --site-root "$root/target/site" --leptos-config "$root/Leptos.toml" --model-dir "$root/models" \
  >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done

cd end2end
GAILLERY_SHOT_URL="http://127.0.0.1:$port" GAILLERY_SHOT_PHOTOS="$root/models/testdata" \
  GAILLERY_SHOT_OUT="$root/docs/gallery.png" timeout 120 node - <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const { chromium, request } = require('@playwright/test');
(async () => {
  const base = process.env.GAILLERY_SHOT_URL;
  const api = await request.newContext({ baseURL: base });
  const setup = await api.post('/api/setup', { data: { username: 'admin', password: 'a photo gallery of our own' } });
  if (setup.status() !== 201) throw new Error(`setup: ${setup.status()} ${await setup.text()}`);
  const dir = process.env.GAILLERY_SHOT_PHOTOS;
  for (const name of fs.readdirSync(dir).sort()) {
    const buffer = fs.readFileSync(path.join(dir, name));
    const mimeType = name.endsWith('.png') ? 'image/png' : 'image/jpeg';
    const sent = await api.post('/api/photos', { multipart: { file: { name, mimeType, buffer } } });
    if (sent.status() !== 201) throw new Error(`${name}: ${sent.status()} ${await sent.text()}`);
  }
  // Classified: every photo has its labels.
  for (let tries = 0; ; tries++) {
    const { photos } = await (await api.get('/api/photos')).json();
    if (photos.every((photo) => photo.status === 'done')) break;
    if (tries > 200) throw new Error('the photos were not classified in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1200, height: 640 }, storageState: await api.storageState() });
  const page = await context.newPage();
  await page.goto(base);
  await page.waitForFunction(() => {
    const images = Array.from(document.querySelectorAll('.tile img'));
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  });
  // Hydrated and laid out for the real width.
  await page.waitForTimeout(1000);
  await page.screenshot({ path: process.env.GAILLERY_SHOT_OUT });
  await browser.close();
  await api.dispose();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
JS
echo "wrote docs/gallery.png"
