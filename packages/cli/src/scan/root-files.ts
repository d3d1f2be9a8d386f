/**
 * Reading files inside a filesystem root (a mounted image, a chroot) as if the
 * root were `/`: `patchloop scan --root DIR` must never read outside DIR, nor
 * hang on or swallow something that is not a file.
 *
 * A path is resolved one component at a time with `lstat`. A symbolic link is
 * followed the way the kernel would follow it after `chroot(DIR)`: an absolute
 * target starts again at DIR, and `..` never climbs above DIR. At most
 * {@link MAX_SYMLINKS} links are followed (the kernel's limit), so a loop is an
 * error and not a hang. The final target must be a regular file: a FIFO, a
 * device, a socket or a directory is refused before it is opened, and a file
 * larger than the limit is refused before it is read.
 *
 * What is checked is what is opened: the resolved path contains no symbolic
 * link, the last component is opened with O_NOFOLLOW and O_NONBLOCK and checked
 * again with fstat. A root that another process rewrites while it is being
 * scanned can still race the directory walk; scan a read-only mount for that.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  statSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { PatchloopError } from '@patchloop/core';

/** The number of symbolic links followed while resolving one path (Linux's MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

/** The largest file read from a root by default: 512 MiB. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

export interface ResolvedInRoot {
  /** The path as seen from inside the root, absolute and free of links, `.` and `..` ("/usr/lib/os-release"). */
  inRoot: string;
  /** The same path on this machine (the root joined with `inRoot`). */
  path: string;
  /** lstat of `path`: never a symbolic link. */
  stats: Stats;
}

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new PatchloopError('PL_SCAN_INPUT_INVALID', message, details);

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** What a file is, in words, for the message that refuses it. */
export function describeFileType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `relativePath` under `root`, for messages: "etc/os-release under /mnt/image (/usr/lib/os-release inside it)". */
function where(root: string, relativePath: string, inRoot?: string): string {
  const asked = `/${components(relativePath).join('/')}`;
  const suffix = inRoot !== undefined && inRoot !== asked ? ` (${inRoot} inside it)` : '';
  return `${asked.slice(1)} under ${root}${suffix}`;
}

/**
 * Resolves `relativePath` under `root` as if `root` were `/`, following
 * symbolic links inside the root. Null when the path does not exist there
 * (a missing component, a dangling link, or a component that is not a
 * directory). Throws PL_SCAN_INPUT_INVALID on a link loop (more than
 * {@link MAX_SYMLINKS} links) or an unreadable component.
 */
export function resolveInRoot(root: string, relativePath: string): ResolvedInRoot | null {
  const base = resolve(root);
  const pending = components(relativePath);
  const resolved: string[] = [];
  let links = 0;
  for (let c = pending.shift(); c !== undefined; c = pending.shift()) {
    if (c === '..') {
      resolved.pop(); // at the root, `..` is the root
      continue;
    }
    const path = join(base, ...resolved, c);
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw invalid(`cannot read ${where(root, relativePath)}: ${code ?? (e as Error).message} on ${path}`);
    }
    if (stats.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) {
        throw invalid(
          `cannot read ${where(root, relativePath)}: more than ${MAX_SYMLINKS} symbolic links (a link loop?)`,
        );
      }
      let target: string;
      try {
        target = readlinkSync(path);
      } catch (e) {
        throw invalid(
          `cannot read ${where(root, relativePath)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} on ${path}`,
        );
      }
      // An absolute target starts again at the root; a relative one from the link's directory.
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...components(target));
      continue;
    }
    // Something else than a directory with more path after it: the path does not exist.
    if (pending.length > 0 && !stats.isDirectory()) return null;
    resolved.push(c);
  }
  const path = join(base, ...resolved);
  let stats: Stats;
  try {
    // The root itself is the caller's choice and may be a link; everything below it was walked above.
    stats = resolved.length === 0 ? statSync(path) : lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw invalid(`cannot read ${where(root, relativePath)}: ${code ?? (e as Error).message}`);
  }
  return { inRoot: `/${resolved.join('/')}`, path, stats };
}

/** Whether `relativePath` exists under `root` (anything: a file, a directory, a FIFO…), links followed inside the root. */
export function existsInRoot(root: string, relativePath: string): boolean {
  return resolveInRoot(root, relativePath) !== null;
}

/**
 * Reads a regular file under `root` as UTF-8, links followed inside the root;
 * null when it does not exist. Throws PL_SCAN_INPUT_INVALID when it is not a
 * regular file (never opening it), is larger than `maxBytes`, or cannot be read.
 */
export function readFileInRoot(
  root: string,
  relativePath: string,
  maxBytes: number = DEFAULT_MAX_BYTES,
): string | null {
  const found = resolveInRoot(root, relativePath);
  if (found === null) return null;
  const name = where(root, relativePath, found.inRoot);
  const check = (stats: Stats) => {
    if (!stats.isFile())
      throw invalid(`cannot read ${name}: it is ${describeFileType(stats)}, not a regular file`);
    if (stats.size > maxBytes) {
      throw invalid(`cannot read ${name}: ${stats.size} bytes is over the limit of ${maxBytes} bytes`);
    }
  };
  check(found.stats);
  let fd: number;
  try {
    // O_NOFOLLOW and O_NONBLOCK: if the file was swapped for a link or a FIFO since the lstat, fail, do not follow or wait.
    fd = openSync(found.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    throw invalid(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const stats = fstatSync(fd);
    check(stats);
    // Read at most maxBytes + 1, so a file that grows while it is read is still refused, not read without bound.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(
        Math.min(Math.max(stats.size - total, 0) + 1, maxBytes + 1 - total, 1 << 20),
      );
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw invalid(`cannot read ${name}: it is over the limit of ${maxBytes} bytes`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof PatchloopError) throw e;
    throw invalid(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
