// Classifying a photo again with another model, on the second test server, which has loaded
// EfficientNet-Lite0 (the default) and ResNet50 with generated weights (playwright.config.ts).
// A server with one model offers no choice.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyGallery, expect, lightboxOf, open, test } from './support';

const TESTDATA = path.resolve(__dirname, '..', '..', 'models', 'testdata');
const TWO_MODELS = process.env.GAILLERY_E2E_TWO_MODELS_URL ?? '';

const chelsea = () => ({ name: 'chelsea.png', mimeType: 'image/png', buffer: fs.readFileSync(path.join(TESTDATA, 'chelsea.png')) });

test.describe('with two models loaded', () => {
  test.use({ baseURL: TWO_MODELS });

  test.beforeEach(async ({ request }) => {
    await emptyGallery(request);
  });

  test('a photo can be classified again with the other model', async ({ page, request }) => {
    const response = await request.post('/api/photos', { multipart: { file: chelsea() } });
    expect(response.status()).toBe(201);
    const [stored] = (await response.json()).photos as { id: string }[];
    await expect.poll(async () => (await (await request.get(`/api/photos/${stored.id}`)).json()).status, { timeout: 60_000 }).toBe('done');

    await open(page, `/?photo=${stored.id}`);
    const lightbox = lightboxOf(page, 'chelsea.png');
    const labels = lightbox.getByRole('list', { name: 'Labels' });
    // The default model, EfficientNet-Lite0, sees a cat.
    await expect(labels).toContainText(/tabby|tiger cat|Egyptian cat/);
    const model = lightbox.getByRole('combobox', { name: 'Model' });
    await expect(model.locator('option')).toHaveText(['efficientnet-lite0', 'resnet50']);
    await expect(model).toHaveValue('efficientnet-lite0');

    await model.selectOption('resnet50');
    await lightbox.getByRole('button', { name: 'Classify again' }).click();
    // Untrained ResNet50 weights guess something else entirely: new labels, not the cat.
    const summary = async () => {
      const photo = (await (await request.get(`/api/photos/${stored.id}`)).json()) as { status: string; labels: { label: string }[] };
      return `${photo.status}: ${photo.labels.map((l) => l.label).join(', ')}`;
    };
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^done: (?!.*(tabby|tiger cat|Egyptian cat)).+/);
    const [first] = (await summary()).replace('done: ', '').split(', ');
    // The viewer shows them live, and keeps the chosen model selected.
    await expect(labels.getByRole('listitem')).toHaveCount(3);
    await expect(labels.getByRole('listitem').first()).toContainText(first);
    await expect(model).toHaveValue('resnet50');
  });

  test('a model the server has not loaded is refused with a clear error', async ({ request }) => {
    const response = await request.post('/api/photos', { multipart: { file: chelsea() } });
    const [stored] = (await response.json()).photos as { id: string }[];
    const refused = await request.post(`/api/photos/${stored.id}/classify?model=vgg16`);
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toBe('unknown model "vgg16"; this server has: efficientnet-lite0, resnet50');
  });
});

test('with one model loaded, the viewer offers no choice of model', async ({ page, request }) => {
  await emptyGallery(request);
  const response = await request.post('/api/photos', { multipart: { file: chelsea() } });
  const [stored] = (await response.json()).photos as { id: string }[];
  await expect.poll(async () => (await (await request.get(`/api/photos/${stored.id}`)).json()).status, { timeout: 60_000 }).toBe('done');
  // The page gets the server's models with its HTML (the viewer reads them through a resource),
  // so the control is decided on the first render: the same list, asked for directly.
  const models = await request.post('/_fn/classification_models', { form: {} });
  expect(await models.json()).toEqual(['efficientnet-lite0']);
  await open(page, `/?photo=${stored.id}`);
  const lightbox = lightboxOf(page, 'chelsea.png');
  await expect(lightbox.getByRole('list', { name: 'Labels' })).toContainText(/tabby|tiger cat|Egyptian cat/);
  await expect(lightbox.getByRole('button', { name: 'Classify again' })).toHaveCount(0);
});
