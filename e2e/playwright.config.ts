import { defineConfig } from '@playwright/test';

// Journeys run against a real `kith` binary (each test file starts its own server on a fresh data
// folder) in Debian's Chromium. The "postgres" project runs only when KITH_E2E_POSTGRES_URL names a
// PostgreSQL server Kith may create databases on.
const projects = [{ name: 'sqlite', use: { kithDatabase: 'sqlite' } }];
if (process.env.KITH_E2E_POSTGRES_URL) {
  projects.push({ name: 'postgres', use: { kithDatabase: 'postgres' } });
} else {
  console.log('PostgreSQL browser journeys skipped: set KITH_E2E_POSTGRES_URL to run them');
}

export default defineConfig({
  testDir: './tests',
  timeout: 180_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects,
});
