/**
 * One job at a time per state directory, across processes: a lock file
 * created with O_EXCL that holds the owner's pid. A lock whose pid no longer
 * runs (the agent was killed) is stale and taken over; so is one holding our
 * own pid that this process does not hold (an agent restarted as the same
 * pid, as in a container). Taking over renames the stale file away first
 * and checks that what it moved is the stale lock, so two agents racing for
 * a stale lock do not both win.
 */
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export interface LockHolder {
  readonly pid: number;
  readonly since: string;
  readonly jobId: string | null;
}

export type LockAttempt =
  { readonly acquired: true; release(): void } | { readonly acquired: false; readonly holder: LockHolder };

/** Lock files this process holds (to tell our own live lock from one left by an earlier process with our pid). */
const heldHere = new Set<string>();

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return { pid: Number(v.pid), since: String(v.since ?? ''), jobId: v.jobId ?? null };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable or half-written (a kill between create and write): no live owner can be named.
    return { pid: 0, since: '', jobId: null };
  }
}

function stale(file: string, h: LockHolder): boolean {
  if (h.pid === process.pid) return !heldHere.has(file);
  return !pidAlive(h.pid);
}

export function acquireLock(
  file: string,
  jobId: string | null,
  now: () => Date = () => new Date(),
): LockAttempt {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 5; attempt++) {
    const mine: LockHolder = { pid: process.pid, since: now().toISOString(), jobId };
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      heldHere.add(file);
      return {
        acquired: true,
        release() {
          heldHere.delete(file);
          const h = readHolder(file);
          if (h !== null && h.pid === mine.pid && h.since === mine.since) rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (holder === null) continue; // released meanwhile
    if (!stale(file, holder)) return { acquired: false, holder };
    const moved = `${file}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(file, moved);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const what = readHolder(moved);
    if (what !== null && what.pid === holder.pid && what.since === holder.since) {
      rmSync(moved, { force: true });
    } else {
      // Someone took the stale lock over between our read and our rename: give theirs back
      // (a hard link never replaces a lock created meanwhile).
      try {
        linkSync(moved, file);
      } catch {
        // A newer lock is in place: theirs is lost, and they will find out when they release.
      }
      rmSync(moved, { force: true });
    }
  }
  const holder = readHolder(file);
  return { acquired: false, holder: holder ?? { pid: 0, since: '', jobId: null } };
}
