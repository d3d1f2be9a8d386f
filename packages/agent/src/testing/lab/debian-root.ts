/**
 * Test support: Debian bookworm roots for the lab's hosts. `debootstrap --variant=minbase` runs
 * once (about 20–60 s and 200 MB) and its result is kept as a tarball in the lab cache
 * (`PATCHLOOP_LAB_CACHE`, else `<repo>/.lab-cache/`); every host root is a fresh extraction of that
 * tarball into its own temp directory, so hosts are independent copies.
 *
 * A host root gets apt settings for a chroot without a network of its own: sources.list names only
 * the lab repository (apt-repo.ts), apt does not drop to `_apt`, and no service starts
 * (policy-rc.d). Nothing is mounted: `chroot ROOT apt-get update|install` and dpkg work without
 * /proc, /sys or /dev/pts (see chroot.ts for the environment to run them with).
 *
 * Needs root (debootstrap, chroot, device nodes in the tarball) and Debian's debootstrap and
 * dpkg-dev, which the test runner installs (scripts/run-tests.js).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sourcesLine } from './apt-repo.js';
import { unmountUnder } from './chroot.js';
import { findCommand, labHostEnv, runOk } from './exec.js';

export const LAB_SUITE = 'bookworm';
export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
/** How long a test waits for another process that is building the tarball. */
const LOCK_WAIT_MS = 15 * 60_000;

/** The Debian mirror debootstrap downloads from (`PATCHLOOP_DEBIAN_MIRROR`). */
export function debianMirror(): string {
  return process.env.PATCHLOOP_DEBIAN_MIRROR || DEFAULT_DEBIAN_MIRROR;
}

/** Where the tarball is kept: `PATCHLOOP_LAB_CACHE`, else `.lab-cache/` at the repository's top. */
export function labCacheDir(): string {
  if (process.env.PATCHLOOP_LAB_CACHE) return resolve(process.env.PATCHLOOP_LAB_CACHE);
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(join(dir, 'package-lock.json')) && existsSync(join(dir, 'packages'))) {
      return join(dir, '.lab-cache');
    }
    const up = dirname(dir);
    if (up === dir) return join(tmpdir(), 'patchloop-lab-cache');
    dir = up;
  }
}

/** Why the lab cannot run here, or null when it can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the lab needs Linux (chroot, debootstrap)';
  if (process.getuid?.() !== 0) return 'not running as root (debootstrap and chroot need root)';
  const needs: [string, string][] = [
    ['debootstrap', 'debootstrap'],
    ['dpkg-deb', 'dpkg'],
    ['dpkg-scanpackages', 'dpkg-dev'],
    ['chroot', 'coreutils'],
    ['tar', 'tar'],
  ];
  const missing = needs.filter(([cmd]) => findCommand(cmd) === null);
  if (missing.length > 0) {
    const names = missing.map(([cmd]) => cmd).join(', ');
    const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
    return `${names} not installed (apt-get install ${pkgs})`;
  }
  return null;
}

let building: Promise<string> | null = null;

/**
 * The path of a gzipped tarball of a minbase bookworm root, made once and kept in the lab cache.
 * Safe when several test files (processes) ask at once: one builds under a lock while the others
 * wait; the tarball appears by an atomic rename, so an existing one is always complete.
 */
export function bookwormTarball(): Promise<string> {
  building ??= ensureTarball().catch((e: unknown) => {
    building = null;
    throw e;
  });
  return building;
}

async function ensureTarball(): Promise<string> {
  const cache = labCacheDir();
  const arch = (await runOk('dpkg', ['--print-architecture'])).stdout.trim();
  const tarball = join(cache, `debian-${LAB_SUITE}-minbase-${arch}.tar.gz`);
  if (existsSync(tarball)) return tarball;
  await mkdir(cache, { recursive: true });
  await withLock(`${tarball}.lock`, async () => {
    if (!existsSync(tarball)) await buildTarball(tarball);
  });
  return tarball;
}

async function buildTarball(tarball: string): Promise<void> {
  const why = labUnavailable();
  if (why !== null) throw new Error(`cannot build the lab's Debian root: ${why}`);
  const work = await mkdtemp(join(tmpdir(), 'patchloop-debootstrap-'));
  const partial = `${tarball}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    const root = join(work, 'root');
    const mirror = debianMirror();
    const started = Date.now();
    await runOk('debootstrap', ['--variant=minbase', LAB_SUITE, root, mirror], {
      env: labHostEnv(),
      timeoutMs: 20 * 60_000,
    }).catch((e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`${msg}\n(is ${mirror} reachable? set PATCHLOOP_DEBIAN_MIRROR to another mirror)`);
    });
    // Caches that only concern the mirror: each host's apt reads the lab repository instead.
    await emptyDir(join(root, 'var/cache/apt/archives'), (f) => f.endsWith('.deb'));
    await emptyDir(join(root, 'var/lib/apt/lists'), (f) => f !== 'partial' && f !== 'lock');
    await runOk('tar', ['-czf', partial, '--numeric-owner', '-C', root, '.']);
    await rename(partial, tarball);
    console.log(`lab: built ${tarball} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await rm(partial, { force: true });
    await unmountUnder(work);
    await rm(work, { recursive: true, force: true });
  }
}

async function emptyDir(dir: string, keep: (file: string) => boolean): Promise<void> {
  const files = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(files.filter(keep).map((f) => rm(join(dir, f), { recursive: true, force: true })));
}

/** Runs `fn` holding a `mkdir` lock; a lock whose owner process is gone is taken over. */
async function withLock(lock: string, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && !processAlive(owner)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `waited ${LOCK_WAIT_MS / 60_000} min for ${lock} (held by pid ${owner}); remove it if stale`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    await writeFile(join(lock, 'pid'), String(process.pid));
    await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HostRootOptions {
  /** /etc/hostname; default: the name. */
  readonly hostname?: string;
  /** /etc/machine-id, 32 lowercase hex digits; default: random. */
  readonly machineId?: string;
  /** The lab repository's URL (apt-repo.ts) for sources.list; without it apt has no source at all. */
  readonly repoUrl?: string;
}

const roots = new Set<string>();

/** A new host root: a fresh extraction of the tarball in its own temp directory. */
export async function makeHostRoot(name: string, options: HostRootOptions = {}): Promise<string> {
  const machineId = options.machineId ?? randomBytes(16).toString('hex');
  if (!/^[0-9a-f]{32}$/.test(machineId))
    throw new Error(`machine id ${machineId} is not 32 lowercase hex digits`);
  const hostname = options.hostname ?? name;
  const tarball = await bookwormTarball();
  const root = await mkdtemp(join(tmpdir(), `patchloop-lab-${name.replace(/[^\w.-]/g, '_')}-`));
  roots.add(root);
  try {
    await runOk('tar', ['-xzf', tarball, '--numeric-owner', '-C', root]);
    await chmod(root, 0o755);
    await writeFile(join(root, 'etc/hostname'), `${hostname}\n`);
    await writeFile(join(root, 'etc/machine-id'), `${machineId}\n`, { mode: 0o444 });
    await writeFile(join(root, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n`);
    await setRootRepository(root, options.repoUrl ?? null);
    await writeFile(
      join(root, 'etc/apt/apt.conf.d/99patchloop-lab'),
      [
        '// Patchloop lab: apt inside a chroot, with the lab repository as its only source.',
        'APT::Sandbox::User "root";',
        'Acquire::Languages "none";',
        'Acquire::Retries "0";',
        'APT::Install-Recommends "false";',
        'Dpkg::Use-Pty "false";',
        '',
      ].join('\n'),
    );
    // Like Debian's chroot tools: no package starts a service inside the lab's roots.
    await writeFile(join(root, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    return root;
  } catch (e) {
    await removeHostRoot(root);
    throw e;
  }
}

/** Points a root's apt at the lab repository only (null: no source). */
export async function setRootRepository(root: string, repoUrl: string | null): Promise<void> {
  const list = repoUrl === null ? '' : `${sourcesLine(repoUrl)}\n`;
  await writeFile(join(root, 'etc/apt/sources.list'), `# Patchloop lab: the lab repository only\n${list}`);
  await rm(join(root, 'etc/apt/sources.list.d'), { recursive: true, force: true });
  await mkdir(join(root, 'etc/apt/sources.list.d'), { mode: 0o755 });
}

/** Removes a root made by makeHostRoot (unmounting anything mounted under it first). */
export async function removeHostRoot(root: string): Promise<void> {
  if (!roots.has(root)) throw new Error(`${root} is not a lab host root of this process`);
  await unmountUnder(root);
  await rm(root, { recursive: true, force: true });
  roots.delete(root);
}
