import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, Page } from '@playwright/test';
import { spawn, execFileSync, ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type Login = { role: string; name: string; email: string; password: string; totp?: string };

export class Kith {
  constructor(
    public baseURL: string,
    public setupLink: string | undefined,
    public logins: Login[],
    private child: ChildProcess,
    public dataDir: string,
    private pgDatabase?: string,
    /** Everything the server wrote on stdout and stderr, as it comes. */
    public output: { text: string } = { text: '' },
  ) {}

  /** Lines the server logged as errors, or as words missing from a catalogue. */
  problems(): string[] {
    return this.output.text
      .split('\n')
      .filter((l) => /\bERROR\b|missing translation|panicked/.test(l));
  }

  /** A demo login of a role that has a second factor: the first, or the one after `skip` others. */
  loginFor(role: string, skip = 0): Login {
    const l = this.logins.filter((x) => x.role === role && x.totp)[skip];
    if (!l) throw new Error(`no demo ${role} with a second factor`);
    return l;
  }

  login(email: string): Login {
    const l = this.logins.find((x) => x.email === email);
    if (!l) throw new Error(`no demo login ${email}`);
    return l;
  }

  async stop() {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.pgDatabase) {
      execFileSync('psql', [process.env.KITH_E2E_POSTGRES_URL!, '-q', '-c', `DROP DATABASE IF EXISTS ${this.pgDatabase} WITH (FORCE)`]);
    }
  }
}

const binary = process.env.KITH_BIN || resolve(__dirname, '../../target/debug/kith');

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Starts `kith serve` on a fresh data folder (and a fresh PostgreSQL database for that project). */
export async function startKith(database: string, demo: boolean): Promise<Kith> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-e2e-'));
  const args = ['--data-dir', dataDir, 'serve', '--listen', `127.0.0.1:${port}`];
  if (demo) args.push('--demo');
  let pgDatabase: string | undefined;
  if (database === 'postgres') {
    const admin = process.env.KITH_E2E_POSTGRES_URL!;
    const name = `kith_e2e_${randomBytes(6).toString('hex')}`;
    pgDatabase = name;
    execFileSync('psql', [admin, '-q', '-c', `CREATE DATABASE ${name}`]);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    args.unshift('--database', url.toString());
  }
  const child = spawn(binary, args, { env: { ...process.env, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { text: '' };
  child.stdout!.on('data', (d) => (output.text += d.toString()));
  child.stderr!.on('data', (d) => {
    output.text += d.toString();
    process.stderr.write(d);
  });
  const deadline = Date.now() + 120_000;
  while (!output.text.includes('Kith is listening')) {
    const out = output.text;
    if (Date.now() > deadline) throw new Error(`kith did not start:\n${out}`);
    if (child.exitCode !== null) throw new Error(`kith exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const out = output.text;
  const setup = out.match(/(http:\/\/\S+\/setup\/\S+)/)?.[1];
  const logins: Login[] = [];
  for (const line of out.split('\n')) {
    const m = line.match(/^\s+(\S+)\s+(.+?)\s{2,}(\S+@\S+)\s+password: (\S+)(?:\s+totp: (\S+))?/);
    if (m) logins.push({ role: m[1], name: m[2].trim(), email: m[3], password: m[4], totp: m[5] });
  }
  return new Kith(`http://127.0.0.1:${port}`, setup, logins, child, dataDir, pgDatabase, output);
}

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret. */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', bytes).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return ((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

const lastStep = new Map<string, number>();

/** A code for a step not used before by this secret (Kith refuses a replayed code). */
export async function freshCode(secret: string): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (lastStep.get(secret) !== step) {
      lastStep.set(secret, step);
      return totp(secret);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Signs in through the pages; passes the second factor when asked. */
export async function signIn(page: Page, kith: Kith, email: string, password: string, secret?: string) {
  await page.goto(`${kith.baseURL}/login`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await expect(page).not.toHaveURL(/\/login(\?.*)?$/);
  if (page.url().endsWith('/mfa')) {
    if (!secret) throw new Error('second factor asked but no secret');
    await page.locator('form[action="/mfa"] #code').fill(await freshCode(secret));
    await page.locator('form[action="/mfa"] button.primary').click();
  }
}

export async function signOut(page: Page) {
  await page.locator('form[action="/logout"] button').click();
  await expect(page).toHaveURL(/\/login$/);
}

/** Fails on any serious or critical accessibility finding of axe on the page as it is now. */
export async function noSeriousAxeViolations(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${where}: ${v.id} (${v.nodes.length}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The route a path belongs to: `/courses/0190…/intake` → `/courses/{id}/intake`. */
export function routeOf(pathOrUrl: string): string {
  const u = new URL(pathOrUrl, 'http://x');
  return u.pathname.replace(uuid, '{id}').replace(/\/$/, '') || '/';
}

/**
 * Follows a signed-in person through the pages: every distinct page (route) they reach is checked
 * once with axe, every answer of the server is watched for 5xx, and the script errors of the page
 * are kept. `done()` asserts that nothing went wrong.
 */
export class Walk {
  /** The routes visited. */
  readonly routes = new Set<string>();
  private readonly checked = new Set<string>();
  readonly failures: string[] = [];

  constructor(private page: Page, private label: string) {
    page.on('response', (r) => {
      if (r.status() >= 500) this.failures.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('pageerror', (e) => this.failures.push(`script error on ${page.url()}: ${e.message}`));
  }

  /**
   * Records the page now shown, and checks its accessibility the first time its route (or, for a
   * page whose content depends on its query, the route with `variant`) is seen.
   */
  async check(where?: string, variant?: string) {
    await this.page.waitForLoadState('domcontentloaded');
    const route = routeOf(this.page.url());
    this.routes.add(route);
    const key = variant ? `${route} (${variant})` : route;
    if (this.checked.has(key)) return;
    this.checked.add(key);
    const t0 = Date.now();
    await noSeriousAxeViolations(this.page, `${this.label} ${where ?? key}`);
    if (process.env.KITH_E2E_TIMING) console.log(`axe ${key}: ${Date.now() - t0} ms`);
  }

  done() {
    expect(this.failures, `${this.label}: server errors or script errors`).toEqual([]);
  }
}

/** The same-origin links of the page now shown, as routes. */
export async function linkRoutes(page: Page): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  return [...new Set(hrefs.filter((h) => h.startsWith(origin)).map(routeOf))];
}

/**
 * The routes reachable from the page at `start` in at most two clicks: the page itself, its links,
 * and the links of the pages those lead to (opened in a second tab of the same browser context).
 * Every first-level link must answer without error: a broken link fails the test.
 */
export async function routesWithinTwoClicks(page: Page, start: string): Promise<Set<string>> {
  const tab = await page.context().newPage();
  const origin = new URL(start).origin;
  const broken: string[] = [];
  try {
    await tab.goto(start);
    const first = new Map<string, string>();
    for (const h of await tab.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      if (h.startsWith(origin)) first.set(routeOf(h), h.split('#')[0]);
    }
    const reach = new Set<string>([routeOf(start), ...first.keys()]);
    for (const href of first.values()) {
      const r = await tab.goto(href);
      if (!r || r.status() >= 400) {
        broken.push(`${r?.status()} ${href}`);
        continue;
      }
      if (!(r.headers()['content-type'] ?? '').includes('text/html')) continue;
      for (const x of await linkRoutes(tab)) reach.add(x);
    }
    expect(broken, `links of ${start} that fail`).toEqual([]);
    return reach;
  } finally {
    await tab.close();
  }
}

/** Today (UTC, as Kith counts days) as YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * A datetime-local value (UTC, as Kith's forms take it) `minutes` minutes ago, but not before
 * today's midnight: sessions recorded in one journey then all fall on the day the course opened.
 */
export function minutesAgoToday(minutes: number): string {
  const midnight = new Date().setUTCHours(0, 0, 0, 0);
  return new Date(Math.max(Date.now() - minutes * 60_000, midnight)).toISOString().slice(0, 16);
}

type Fixtures = { kithDatabase: string };
export const test = base.extend<Fixtures>({
  kithDatabase: ['sqlite', { option: true }],
});
export { expect };
