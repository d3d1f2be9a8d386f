/**
 * Files under a filesystem root (an image, a chroot, or '/') read as if the
 * root were '/', never leaving it — the same rules as the CLI's `scan --root`
 * (cli/src/scan/root-files.ts), which the agent may not import.
 *
 * A path is walked one component at a time with lstat. A symbolic link is
 * followed as the kernel would after chroot(root): an absolute target starts
 * again at the root and `..` never climbs above it; at most 40 links (a loop is
 * an error, not a hang). Only regular files are read: a FIFO, device or
 * directory is refused before it is opened, and the file is opened with
 * O_NOFOLLOW | O_NONBLOCK and checked again with fstat.
 */
import { constants } from 'node:fs';
import { lstat, open, readlink, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { PatchloopError } from '@patchloop/core';

export const MAX_SYMLINKS = 40;

export interface ResolvedInRoot {
  /** The path inside the root, absolute, without links, `.` or `..`. */
  inRoot: string;
  /** The same path on this machine. */
  path: string;
  /** lstat of `path` (never a link below the root). */
  stats: Stats;
}

const unreadable = (root: string, path: string, reason: string) =>
  new PatchloopError('PL_AGENT_FILE_UNREADABLE', `cannot read ${path} under ${root}: ${reason}`, {
    root,
    path,
    reason,
  });

const components = (path: string): string[] => path.split('/').filter((c) => c !== '' && c !== '.');
const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
const missing = (e: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes(errCode(e));

/** Resolves `path` inside `root`; null when it does not exist there. */
export async function resolveInRoot(root: string, path: string): Promise<ResolvedInRoot | null> {
  const base = resolve(root);
  const pending = components(path);
  const resolved: string[] = [];
  let links = 0;
  for (let c = pending.shift(); c !== undefined; c = pending.shift()) {
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const here = join(base, ...resolved, c);
    let stats: Stats;
    try {
      stats = await lstat(here);
    } catch (e) {
      if (missing(e)) return null;
      throw unreadable(root, path, `${errCode(e)} on ${here}`);
    }
    if (stats.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw unreadable(root, path, `more than ${MAX_SYMLINKS} symbolic links`);
      const target = await readlink(here).catch((e: unknown) => {
        throw unreadable(root, path, `${errCode(e)} on ${here}`);
      });
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...components(target));
      continue;
    }
    if (pending.length > 0 && !stats.isDirectory()) return null;
    resolved.push(c);
  }
  const full = join(base, ...resolved);
  try {
    // The root itself is the caller's choice and may be a link.
    const stats = resolved.length === 0 ? await stat(full) : await lstat(full);
    return { inRoot: `/${resolved.join('/')}`, path: full, stats };
  } catch (e) {
    if (missing(e)) return null;
    throw unreadable(root, path, errCode(e));
  }
}

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A regular file under the root; null when missing. Throws PL_AGENT_FILE_UNREADABLE otherwise. */
export async function readFileInRoot(root: string, path: string, maxBytes: number): Promise<Buffer | null> {
  const found = await resolveInRoot(root, path);
  if (found === null) return null;
  const check = (stats: Stats): void => {
    if (!stats.isFile()) throw unreadable(root, path, `it is ${kind(stats)}`);
    if (stats.size > maxBytes)
      throw unreadable(root, path, `${stats.size} bytes is over the limit of ${maxBytes}`);
  };
  check(found.stats);
  const handle = await open(
    found.path,
    constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  ).catch((e: unknown) => {
    throw unreadable(root, path, errCode(e));
  });
  try {
    check(await handle.stat());
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw unreadable(root, path, `it grew over the limit of ${maxBytes} bytes`);
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof PatchloopError) throw e;
    throw unreadable(root, path, errCode(e));
  } finally {
    await handle.close();
  }
}
