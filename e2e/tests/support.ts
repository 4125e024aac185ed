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
  ) {}

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
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => process.stderr.write(d));
  const deadline = Date.now() + 120_000;
  while (!out.includes('Kith is listening')) {
    if (Date.now() > deadline) throw new Error(`kith did not start:\n${out}`);
    if (child.exitCode !== null) throw new Error(`kith exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const setup = out.match(/(http:\/\/\S+\/setup\/\S+)/)?.[1];
  const logins: Login[] = [];
  for (const line of out.split('\n')) {
    const m = line.match(/^\s+(\S+)\s+(.+?)\s{2,}(\S+@\S+)\s+password: (\S+)(?:\s+totp: (\S+))?/);
    if (m) logins.push({ role: m[1], name: m[2].trim(), email: m[3], password: m[4], totp: m[5] });
  }
  return new Kith(`http://127.0.0.1:${port}`, setup, logins, child, dataDir, pgDatabase);
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

type Fixtures = { kithDatabase: string };
export const test = base.extend<Fixtures>({
  kithDatabase: ['sqlite', { option: true }],
});
export { expect };
