import { defineConfig, devices } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';

// Each run gets a fresh data directory and its own port, so tests never touch ./data.
const port = Number(process.env.GAILLERY_E2E_PORT ?? 3917);
const dataDir = process.env.GAILLERY_E2E_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gaillery-e2e-'));
if (!process.env.GAILLERY_E2E_DATA) {
  process.env.GAILLERY_E2E_DATA = dataDir;
  // The run's library (10,000 seeded photos per project): gone with the run, as below.
  process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
}
const root = path.resolve(__dirname, '..');

// A second server loads two models, for classifying a photo again with another one: the
// fetched EfficientNet-Lite0 and ResNet50 with generated weights (tools/generate-resnet50.mjs).
// Its address names `localhost`, not 127.0.0.1: cookies ignore ports, and the two servers'
// session cookies must not replace each other.
const twoModelsPort = port + 1;
process.env.GAILLERY_E2E_TWO_MODELS_URL = `http://localhost:${twoModelsPort}`;
const twoModelsData = process.env.GAILLERY_E2E_TWO_MODELS_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gaillery-e2e-models-'));
if (!process.env.GAILLERY_E2E_TWO_MODELS_DATA) {
  process.env.GAILLERY_E2E_TWO_MODELS_DATA = twoModelsData;
  const models = path.join(twoModelsData, 'models');
  fs.mkdirSync(models);
  fs.symlinkSync(path.join(root, 'models', 'efficientnet-lite0.safetensors'), path.join(models, 'efficientnet-lite0.safetensors'));
  execFileSync(process.execPath, [path.join(__dirname, 'tools', 'generate-resnet50.mjs'), path.join(models, 'resnet50.safetensors')]);
  // 100 MB of weights: gone with the run (the main process made them; workers only read).
  process.on('exit', () => fs.rmSync(twoModelsData, { recursive: true, force: true }));
}
// The server binary: scripts/test.sh passes the one its tests built; by hand, the release build.
const server = process.env.GAILLERY_E2E_BIN ?? `${root}/target/release/gaillery`;
const serve = (listen: number, data: string, extra: string) =>
  `${server} serve --addr 127.0.0.1:${listen} --data-dir ${data} --site-root ${root}/target/site --leptos-config ${root}/Leptos.toml ${extra}`;

// The signed-in state the setup project saves (see tests/auth.setup.ts).
const authState = path.join(__dirname, '.auth', 'admin.json');

// Debian's chromium, never a downloaded browser.
const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // One server and one gallery: tests that change the gallery run one after another.
  workers: 1,
  fullyParallel: false,
  // No retries: a test that fails once is a failure (docs/testing.md, The hydration panic).
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromium,
  },
  // `setup` makes the administrator through the first-run page; every other test starts signed
  // in as it (the saved cookies), on desktop and phone.
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts/, use: { ...devices['Desktop Chrome'], launchOptions: chromium } },
    {
      name: 'desktop',
      dependencies: ['setup'],
      use: { ...devices['Desktop Chrome'], launchOptions: chromium, storageState: authState },
    },
    {
      name: 'phone',
      dependencies: ['setup'],
      use: { ...devices['iPhone 13'], browserName: 'chromium', launchOptions: chromium, storageState: authState },
    },
  ],
  webServer: [
    {
      command: serve(port, dataDir, `--model-dir ${root}/models`),
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: serve(twoModelsPort, path.join(twoModelsData, 'data'), `--model-dir ${path.join(twoModelsData, 'models')} --model efficientnet-lite0,resnet50`),
      url: `http://localhost:${twoModelsPort}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
