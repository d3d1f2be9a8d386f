/**
 * Test support for the fleet end-to-end tests: host roots built from the
 * shared fixture inventories, a feed mirror directory, and the real server
 * and agent processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseInventoryCsv } from '@patchloop/core';
import { fixturesDir } from '@patchloop/test-support';
import { afterAll } from 'vitest';
import { BIN } from './run.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const fixtures = fixturesDir();

const made: string[] = [];
/**
 * The test file's temporary directories go when it ends: registered at import, this hook runs after
 * the file's own (vitest runs after-hooks as a stack), so its servers have stopped by then. They
 * were kept before: a store of the feed-sync test alone left 1.5 GB in /tmp per run.
 */
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pl-${prefix}-`));
  made.push(dir);
  return dir;
}

function write(root: string, path: string, content: string): void {
  const f = join(root, path);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, content);
}

export interface CsvPackage {
  name: string;
  version: string;
  arch: string;
  source: string;
  sourceVersion: string;
}

export function csvPackages(name: string): CsvPackage[] {
  const inv = parseInventoryCsv(readFileSync(join(fixtures, 'inventories', 'normalized', name), 'utf8'));
  return inv.packages.map((p) => ({
    name: p.name,
    version: p.version,
    arch: p.arch ?? '',
    source: p.sourceName,
    sourceVersion: p.sourceVersion,
  }));
}

/** CSV packages as an agent sends them (core's InstalledPackage, no vendor). */
export function wirePackages(pkgs: readonly CsvPackage[]) {
  return pkgs.map((p) => ({
    name: p.name,
    version: p.version,
    arch: p.arch,
    sourceName: p.source,
    sourceVersion: p.sourceVersion,
    vendor: null,
  }));
}

export function dpkgStatus(pkgs: readonly CsvPackage[]): string {
  return pkgs
    .map((p) =>
      [
        `Package: ${p.name}`,
        'Status: install ok installed',
        `Architecture: ${p.arch}`,
        ...(p.source !== p.name || p.sourceVersion !== p.version
          ? [`Source: ${p.source}${p.sourceVersion !== p.version ? ` (${p.sourceVersion})` : ''}`]
          : []),
        `Version: ${p.version}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

export function apkInstalled(pkgs: readonly CsvPackage[]): string {
  return pkgs.map((p) => `P:${p.name}\nV:${p.version}\nA:${p.arch}\no:${p.source}\n\n`).join('');
}

export interface HostRoot {
  readonly root: string;
  readonly hostname: string;
  readonly machineId: string;
}

export function debianBusterRoot(hostname: string, machineId: string, pkgs: readonly CsvPackage[]): HostRoot {
  const root = tempDir(`root-${hostname}`);
  write(
    root,
    'etc/os-release',
    'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\nVERSION_ID="10"\nVERSION_CODENAME=buster\nID=debian\n',
  );
  write(root, 'etc/hostname', `${hostname}\n`);
  write(root, 'etc/machine-id', `${machineId}\n`);
  write(root, 'var/lib/dpkg/status', dpkgStatus(pkgs));
  return { root, hostname, machineId };
}

export function alpineRoot(hostname: string, machineId: string, pkgs: readonly CsvPackage[]): HostRoot {
  const root = tempDir(`root-${hostname}`);
  write(
    root,
    'etc/os-release',
    'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.10.9\nPRETTY_NAME="Alpine Linux v3.10"\n',
  );
  write(root, 'etc/hostname', `${hostname}\n`);
  write(root, 'etc/machine-id', `${machineId}\n`);
  write(root, 'lib/apk/db/installed', apkInstalled(pkgs));
  return { root, hostname, machineId };
}

/** A mirror directory (PATCHLOOP_FEED_MIRROR) with the Debian lists and Alpine 3.10's secdb. */
export function feedMirror(): string {
  const dir = tempDir('mirror');
  cpSync(join(fixtures, 'debian-security-tracker/DSA-list.txt'), join(dir, 'debian-dsa/DSA/list'));
  cpSync(join(fixtures, 'debian-security-tracker/DLA-list.txt'), join(dir, 'debian-dla/DLA/list'));
  for (const repo of ['main', 'community']) {
    cpSync(join(fixtures, `alpine-secdb/v3.10/${repo}.json`), join(dir, `alpine-secdb/v3.10/${repo}.json`));
  }
  return dir;
}

export interface Proc {
  readonly child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A job signing key file, as an operator makes one for PostgreSQL replicas (the embedded store makes its own). */
export function signingKeyFile(): string {
  const file = join(tempDir('job-key'), 'job-signing.key');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return file;
}

/** A test server's environment: its admin token and enrolment secret, no feed sync, quiet logs, and `extra`. */
export function serverEnv(
  admin: string,
  secret: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATCHLOOP_ADMIN_TOKEN: admin,
    PATCHLOOP_ENROLL_SECRET: secret,
    PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    PATCHLOOP_LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** The arguments of `patchloop agent` on a host root, checking in every second. */
export function agentArgs(o: {
  server: string;
  secret: string;
  root: string;
  stateDir: string;
  tags: string;
  extra?: string[];
}): string[] {
  return [
    'agent',
    '--server',
    o.server,
    '--enroll-secret',
    o.secret,
    '--root',
    o.root,
    '--state-dir',
    o.stateDir,
    '--interval',
    '1s',
    '--tags',
    o.tags,
    ...(o.extra ?? []),
  ];
}

export async function startServer(
  args: string[],
  env: Record<string, string>,
): Promise<Proc & { url: string }> {
  // A server on PostgreSQL refuses to start without its job signing key file.
  const keyed =
    env.PATCHLOOP_DATABASE_URL && !env.PATCHLOOP_JOB_SIGNING_KEY_FILE
      ? { ...env, PATCHLOOP_JOB_SIGNING_KEY_FILE: signingKeyFile() }
      : env;
  const p = start(['server', '--port', '0', ...args], keyed);
  const url = await waitFor('the server to listen', async () => {
    if (p.child.exitCode !== null) throw new Error(`server exited: ${p.output()}`);
    return /listening on (http:\/\/\S+)/.exec(p.output())?.[1] ?? null;
  });
  return Object.assign(p, { url });
}

export function client(url: string, token: string) {
  return async <T = unknown>(path: string, init: RequestInit = {}): Promise<T> => {
    const r = await fetch(`${url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        // Only with a body: Fastify refuses an empty body declared as JSON.
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.headers ?? {}),
      },
    });
    const body = (await r.json()) as T;
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
}
