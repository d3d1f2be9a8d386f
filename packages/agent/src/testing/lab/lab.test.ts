/**
 * The lab itself: packages from dpkg-deb in a repository served on 127.0.0.1, bookworm roots
 * extracted from the cached debootstrap tarball, and apt inside a chroot installing from that
 * repository only. The truth is dpkg's database inside each root.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAptRepo, type AptRepo } from './apt-repo.js';
import { dpkgStatus, installedVersion, pathInRoot, runInRoot, runInRootOk } from './chroot.js';
import { bookwormTarball, labUnavailable, makeHostRoot, removeHostRoot } from './debian-root.js';
import { buildLabPackages } from './packages.js';

const why = labUnavailable();
if (why !== null) console.log(`skipping the lab tests: ${why}`);

const timings: string[] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(2)} s`);
  }
}

describe.skipIf(why !== null)('the lab', () => {
  const started = Date.now();
  let repo: AptRepo;
  let rootA: string;
  let rootB: string;
  let debDir: string;
  const hostRunHadReboot = existsSync('/run/reboot-required');

  const apt = (root: string, ...args: string[]) => runInRoot(root, ['apt-get', '-y', ...args]);
  const aptOk = (root: string, ...args: string[]) => runInRootOk(root, ['apt-get', '-y', ...args]);

  beforeAll(async () => {
    await timed('tarball (cached after the first run)', () => bookwormTarball());
    debDir = await mkdtemp(join(tmpdir(), 'patchloop-lab-test-debs-'));
    const debs = await timed('build 7 packages', () => buildLabPackages(debDir));
    repo = await startAptRepo(debs);
    rootA = await timed('root copy A', () =>
      makeHostRoot('lab-a', { hostname: 'lab-a', machineId: 'a'.repeat(32), repoUrl: repo.url }),
    );
    rootB = await timed('root copy B', () =>
      makeHostRoot('lab-b', { hostname: 'lab-b', machineId: 'b'.repeat(32), repoUrl: repo.url }),
    );
  }, 900_000);

  afterAll(async () => {
    if (rootA) await removeHostRoot(rootA);
    if (rootB) await removeHostRoot(rootB);
    await repo?.stop();
    if (debDir) await rm(debDir, { recursive: true, force: true });
    timings.push(`whole ${((Date.now() - started) / 1000).toFixed(2)} s`);
    console.log(`lab timings:\n  ${timings.join('\n  ')}`);
  });

  it('serves the repository over HTTP (GET, HEAD, Content-Length, 404)', async () => {
    const head = await fetch(`${repo.url}Packages`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const body = await (await fetch(`${repo.url}Packages`)).text();
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect(body).toContain('Package: pl-app\nVersion: 1.0-2');
    expect(body).toContain('Package: pl-app\nVersion: 1.0-1');
    expect((await fetch(`${repo.url}nothing.deb`)).status).toBe(404);
    expect((await fetch(`${repo.url}../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${repo.url}Release`)).status).toBe(200);
  });

  it('gives each root its identity and the lab repository as its only source', async () => {
    expect(await readFile(`${rootA}/etc/hostname`, 'utf8')).toBe('lab-a\n');
    expect(await readFile(`${rootA}/etc/machine-id`, 'utf8')).toBe(`${'a'.repeat(32)}\n`);
    expect(await readFile(`${rootA}/etc/os-release`, 'utf8')).toContain('VERSION_CODENAME=bookworm');
    expect(await readFile(`${rootA}/etc/apt/sources.list`, 'utf8')).toContain(
      `deb [trusted=yes] ${repo.url} ./`,
    );
    await timed('apt-get update', () => aptOk(rootA, 'update'));
    const policy = await runInRootOk(rootA, ['apt-cache', 'policy', 'pl-app']);
    expect(policy.stdout).toContain('1.0-2');
    expect(policy.stdout).not.toContain('deb.debian.org');
  });

  it('installs and upgrades pl-app from the lab repository', async () => {
    await timed('apt-get install pl-app=1.0-1', () => aptOk(rootA, 'install', 'pl-app=1.0-1'));
    expect(await installedVersion(rootA, 'pl-app')).toBe('1.0-1');
    expect(await readFile(`${rootA}/usr/share/pl-app/VERSION`, 'utf8')).toBe('1.0-1\n');
    await timed('apt-get install pl-app=1.0-2 (upgrade)', () => aptOk(rootA, 'install', 'pl-app=1.0-2'));
    expect((await dpkgStatus(rootA)).get('pl-app')).toEqual({
      package: 'pl-app',
      version: '1.0-2',
      status: 'install ok installed',
    });
  });

  it('pl-kernel-ish 1.0-2 asks for a reboot inside the root, not on the host', async () => {
    await aptOk(rootA, 'install', 'pl-kernel-ish=1.0-1');
    expect(existsSync(await pathInRoot(rootA, '/var/run/reboot-required'))).toBe(false);
    await aptOk(rootA, 'install', 'pl-kernel-ish=1.0-2');
    const flag = await pathInRoot(rootA, '/var/run/reboot-required');
    expect(flag).toBe(`${rootA}/run/reboot-required`);
    expect(await readFile(flag, 'utf8')).toContain('System restart required');
    expect(await readFile(`${flag}.pkgs`, 'utf8')).toBe('pl-kernel-ish\n');
    expect(existsSync('/run/reboot-required')).toBe(hostRunHadReboot);
  });

  it('a failing postinst (pl-broken 1.0-2) exits non-zero and leaves it half-configured', async () => {
    await aptOk(rootA, 'install', 'pl-broken=1.0-1');
    const r = await apt(rootA, 'install', 'pl-broken=1.0-2');
    expect(r.code).toBe(100);
    expect(r.stderr).toContain('pl-broken: this postinst fails on purpose');
    expect((await dpkgStatus(rootA)).get('pl-broken')).toMatchObject({
      version: '1.0-2',
      status: 'install ok half-configured',
    });
    // While one package is half-configured, every apt-get install retries its configuration and so
    // exits 100 too, although it installs what it was asked for.
    const other = await apt(rootA, 'install', 'pl-extra=1.0-1');
    expect(other.code).toBe(100);
    expect(other.stderr).toContain('pl-broken: this postinst fails on purpose');
    expect((await dpkgStatus(rootA)).get('pl-extra')).toMatchObject({
      version: '1.0-1',
      status: 'install ok installed',
    });
    // Going back to the version that configures mends it.
    await aptOk(rootA, 'install', '--allow-downgrades', 'pl-broken=1.0-1');
    expect((await dpkgStatus(rootA)).get('pl-broken')).toMatchObject({
      version: '1.0-1',
      status: 'install ok installed',
    });
  });

  it("a version the repository does not have fails with apt's message", async () => {
    const r = await apt(rootA, 'install', 'pl-extra=9.9');
    expect(r.code).toBe(100);
    expect(r.stderr).toContain("Version '9.9' for 'pl-extra' was not found");
    expect(await installedVersion(rootA, 'pl-extra')).toBe('1.0-1');
  });

  it('roots are independent copies', async () => {
    const b = await dpkgStatus(rootB);
    expect([...b.keys()].filter((p) => p.startsWith('pl-'))).toEqual([]);
    expect(b.get('dpkg')?.status).toBe('install ok installed');
    expect(await installedVersion(rootB, 'pl-app')).toBeNull();
    expect(existsSync(await pathInRoot(rootB, '/var/run/reboot-required'))).toBe(false);
    expect(await readFile(`${rootB}/etc/machine-id`, 'utf8')).toBe(`${'b'.repeat(32)}\n`);
    // B has never run apt-get update: it knows no lab package yet.
    const r = await apt(rootB, 'install', 'pl-app');
    expect(r.code).toBe(100);
    expect(r.stderr).toContain('Unable to locate package pl-app');
  });
});
