// The timeline benchmark of issue #16, run by bench/timeline.sh against a server it started on a
// seeded library (GAILLERY_BENCH_URL). A config of its own, so the normal test run never picks
// the benchmark up. Debian's chromium with the launch arguments of ../playwright.config.ts.

import { defineConfig } from '@playwright/test';
import * as path from 'node:path';

const baseURL = process.env.GAILLERY_BENCH_URL;
if (!baseURL) throw new Error('GAILLERY_BENCH_URL is not set: run bench/timeline.sh');
// Beside the result, in the script's temporary directory (gone with it).
const result = process.env.GAILLERY_BENCH_RESULT ?? '';
if (!result) throw new Error('GAILLERY_BENCH_RESULT is not set: run bench/timeline.sh');

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.bench\.ts$/,
  outputDir: path.join(path.dirname(result), 'playwright'),
  // Set by timeline.sh from the library's size; the measurements bound themselves too.
  timeout: Number(process.env.GAILLERY_BENCH_TIMEOUT_MS ?? 600_000),
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    trace: 'off',
    screenshot: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
});
