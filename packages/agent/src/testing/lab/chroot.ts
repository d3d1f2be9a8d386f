/**
 * Running commands inside a lab host root, and reading the truth about it from the outside.
 *
 * Commands run as `chroot ROOT cmd…` with a clean environment (LAB_CHROOT_ENV): the caller's
 * variables would leak in otherwise, and some break tools inside the root (a TMPDIR that does not
 * exist in it; a PATH without the sbin directories, where dpkg finds ldconfig and
 * start-stop-daemon).
 *
 * Reading files of a root from the outside must resolve symbolic links inside the root: bookworm's
 * /var/run is a link to /run, so `ROOT/var/run/reboot-required` opened naively is the host's own
 * /run/reboot-required. `pathInRoot` resolves like the chroot would.
 */
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { runCommand, runOk, type CommandResult, type RunOptions } from './exec.js';

/** The environment for commands inside a root (apt, dpkg, dpkg-query). */
export const LAB_CHROOT_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LC_ALL: 'C.UTF-8',
  DEBIAN_FRONTEND: 'noninteractive',
  DEBCONF_NONINTERACTIVE_SEEN: 'true',
};

/** `chroot ROOT args…`; resolves with how it ended (a failing command is not an error here). */
export function runInRoot(
  root: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return runCommand('chroot', [root, ...args], { env: { ...LAB_CHROOT_ENV }, ...options });
}

/** The same for a command that must succeed: the error names the command and its stderr. */
export function runInRootOk(
  root: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return runOk('chroot', [root, ...args], { env: { ...LAB_CHROOT_ENV }, ...options });
}

/** A package's record in a root's dpkg database. */
export interface DpkgRecord {
  readonly package: string;
  readonly version: string;
  /** dpkg's Status field, as `install ok installed` or `install ok half-configured`. */
  readonly status: string;
}

/** The packages of a root's dpkg database (ROOT/var/lib/dpkg/status), read without running anything. */
export async function dpkgStatus(root: string): Promise<Map<string, DpkgRecord>> {
  const text = await readFile(await pathInRoot(root, '/var/lib/dpkg/status'), 'utf8');
  const out = new Map<string, DpkgRecord>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: *(.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const pkg = field('Package');
    if (pkg === undefined) continue;
    const arch = field('Architecture');
    const key = out.has(pkg) && arch !== undefined ? `${pkg}:${arch}` : pkg;
    out.set(key, { package: pkg, version: field('Version') ?? '', status: field('Status') ?? '' });
  }
  return out;
}

/** The version dpkg has installed of a package in a root, or null (what `dpkg-query -W` says). */
export async function installedVersion(root: string, pkg: string): Promise<string | null> {
  const r = await runInRoot(root, ['dpkg-query', '-W', '-f', '${Status}\t${Version}', pkg]);
  if (r.code !== 0) return null;
  const [status, version] = r.stdout.split('\t');
  return status?.endsWith(' not-installed') || !version ? null : version;
}

/**
 * The host path of `path` inside `root`, following symbolic links the way the chroot would
 * (absolute targets are relative to the root; `..` stops at it). The last component need not exist.
 */
export async function pathInRoot(root: string, path: string): Promise<string> {
  const todo = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    const st = await lstat(host).catch(() => null);
    if (st === null || !st.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++hops > 40) throw new Error(`too many symbolic links resolving ${path} in ${root}`);
    const target = await readlink(host);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...done);
}

/** Unmounts whatever is mounted at or under `dir`, deepest first (the lab mounts nothing itself). */
export async function unmountUnder(dir: string): Promise<void> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await runOk('umount', [p]);
}
