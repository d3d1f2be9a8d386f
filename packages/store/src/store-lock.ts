/**
 * The embedded store belongs to one process at a time. PGlite keeps its
 * database in memory and writes the data directory back as it goes: a second
 * process opening the same directory (a CLI command while `patchloop up`
 * runs, a second server) sees stale data, and the two writing the same files
 * destroy the store. So an open takes `patchloop.lock` in the data directory:
 * created exclusively, holding the owner's pid, the start time of that
 * process, the command and (once it listens) the server's URL. A lock whose
 * process is gone (killed, crashed, a reboot) is taken over; a live one is a
 * clear refusal that names the owner and what to do instead.
 */
import { hostname } from 'node:os';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PatchloopError } from '@patchloop/core';

export const LOCK_FILE = 'patchloop.lock';

export interface StoreOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time (Linux /proc), which tells a reused pid from the owner. */
  readonly processStart: string | null;
  readonly command: string;
  readonly since: string;
  /** The server's address, once it listens. */
  readonly url?: string;
}

export interface StoreLock {
  readonly path: string;
  /** Adds what others should know (the server's URL) to the lock. */
  update(extra: { url: string }): void;
  release(): void;
}

function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the parenthesised command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(owner: StoreOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine (a shared disk): never guess
  if (owner.pid === process.pid) {
    // This process (a second open), unless the lock is from an earlier process that had our pid
    // (a container's pid 1 after a restart).
    return owner.processStart === null || owner.processStart === processStart(process.pid);
  }
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // The pid exists: the owner, unless the pid was reused by a later process.
  const start = processStart(owner.pid);
  return owner.processStart === null || start === null || start === owner.processStart;
}

function readOwner(path: string): StoreOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as StoreOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** The refusal's text: who holds the store and what to do instead. */
export function describeOwner(dir: string, o: StoreOwner): string {
  const serving = o.url ? `, serving ${o.url}` : '';
  const fix = o.url
    ? `stop it first, or send this command to it: add --server ${o.url} --token <API token>`
    : `stop it first (or, for a server, send this command to it with --server URL --token <API token>)`;
  return (
    `the embedded store in ${dir} is in use by \`${o.command}\` (pid ${o.pid} on ${o.host}, since ${o.since}${serving}); ` +
    `one process at a time may open it: ${fix}`
  );
}

/** Takes the data directory's lock, or throws PL_STORE_IN_USE naming its owner. */
export function acquireStoreLock(dir: string, command = commandLine()): StoreLock {
  const path = join(dir, LOCK_FILE);
  let owner: StoreOwner = {
    pid: process.pid,
    host: hostname(),
    processStart: processStart(process.pid),
    command,
    since: new Date().toISOString(),
  };
  let taken = false;
  for (let attempt = 0; attempt < 50 && !taken; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(owner));
      } finally {
        closeSync(fd);
      }
      taken = true;
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readOwner(path);
    if (other && alive(other))
      throw new PatchloopError('PL_STORE_IN_USE', describeOwner(dir, other), { ...other });
    if (!other && attempt < 10) {
      // Being written this very moment (or left empty by a crash): look again shortly.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      continue;
    }
    // Stale (its process is gone): moved aside atomically, so only one taker removes it.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
      rmSync(aside, { force: true });
    } catch {
      // Another process moved it first; try again.
    }
  }
  if (!taken) throw new PatchloopError('PL_STORE_IN_USE', `cannot take the store's lock ${path}`);
  let held = true;
  const onExit = () => release();
  process.once('exit', onExit);
  function release() {
    if (!held) return;
    held = false;
    process.off('exit', onExit);
    // Only our own lock is removed (never one another process took over).
    if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
  }
  return {
    path,
    update(extra) {
      if (!held) return;
      owner = { ...owner, ...extra };
      writeFileSync(path, JSON.stringify(owner), { mode: 0o600 });
    },
    release,
  };
}

/** `patchloop up`, `patchloop hosts import`: the command words this process was started with. */
function commandLine(): string {
  const words: string[] = [];
  for (const a of process.argv.slice(2)) {
    if (!/^[a-z][a-z-]*$/.test(a) || words.length === 2) break;
    words.push(a);
  }
  return ['patchloop', ...words].join(' ');
}
