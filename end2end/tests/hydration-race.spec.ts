// The first page load while photos are being uploaded and classified. The server's render and
// the data the browser hydrates it with must agree however the library changes meanwhile.
// They once did not: resources made inside a `Suspense` body were made twice on the server
// (Leptos walks the body once to find its resources, then renders it again), each set asking
// the server separately. The browser hydrated the page with the first set's data, the HTML came
// from the second, and when labels changed between the two (a classification finishing), the
// tag suggestions differed and hydration panicked (`failed_to_cast_marker_node`).

import { SHAPES, emptyGallery, expect, fixture, lightboxOf, open, test, uploadViaApi } from './support';

/** The values a page's server render serialised for hydration, by resource number. */
function resolvedResources(html: string): Map<number, string> {
  const values = new Map<number, string>();
  for (const [, id, value] of html.matchAll(/__RESOLVED_RESOURCES\[(\d+)\] = ("(?:[^"\\]|\\.)*")/g)) {
    values.set(Number(id), value);
  }
  return values;
}

const ROUNDS = Number(process.env.GAILLERY_RACE_ROUNDS ?? 4);
const LOADS_PER_ROUND = 6;

test('pages rendered while uploads are classified hydrate without a mismatch', async ({ page, request }) => {
  test.setTimeout(30_000 + ROUNDS * 30_000);
  for (let round = 0; round < ROUNDS; round++) {
    // From an empty library, photos with different labels: the tags change while they are
    // classified, and the page is loaded again and again meanwhile.
    await emptyGallery(request);
    const uploading = uploadViaApi(request, ['rotated-exif.jpg', 'alpha.png', 'photo.webp', ...SHAPES].map(fixture));
    for (let load = 0; load < LOADS_PER_ROUND; load++) {
      await open(page, '/');
      // Hydrated and alive: typing reaches the search box.
      await page.getByRole('combobox', { name: 'Search tags' }).fill('a', { timeout: 10_000 });
      expect(await page.evaluate(() => window.__gailleryErrors ?? [])).toEqual([]);
    }
    const [photo] = await uploading;
    // A deep link into the viewer, while the last photos are classified.
    await open(page, `/?photo=${photo.id}`);
    await expect(lightboxOf(page, photo.filename)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(lightboxOf(page)).toHaveCount(0);
  }
});

// The cause, checked directly: each page's data is asked for once per render. A resource made
// in a `Suspense` body was made once per walk of it, and its value serialised once per walk.
for (const path of ['/', '/settings', '/?photo=PHOTO']) {
  test(`the server render of ${path} fetches each resource once`, async ({ request }) => {
    await emptyGallery(request);
    const [photo] = await uploadViaApi(request, [fixture('square.jpg')]);
    // Uncompressed, as the stream's parts are easier to read.
    const response = await request.get(path.replace('PHOTO', photo.id), { headers: { 'accept-encoding': 'identity' } });
    expect(response.status()).toBe(200);
    const values = [...resolvedResources(await response.text()).values()];
    expect(values.length).toBeGreaterThanOrEqual(2);
    expect(values.length, `serialised values: ${values.join('\n')}`).toBe(new Set(values).size);
  });
}
