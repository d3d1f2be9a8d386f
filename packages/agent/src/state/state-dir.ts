/**
 * The agent's state directory: its credential (mode 0600), the inventory the
 * server last acknowledged (for diffs), and the collection not yet
 * acknowledged (kept across restarts, sent first after one). Files are
 * written to a temporary name and renamed, so a kill never leaves half a file.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { HostFacts, JobSigningKey, WirePackage, WireUpdate } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';

export interface Enrollment {
  readonly server: string;
  readonly hostId: number;
  readonly credential: string;
  readonly machineId: string;
  /** The tags the host was enrolled with (absent in state written by older agents). */
  readonly tags?: readonly string[];
}

export interface Snapshot {
  readonly hash: string;
  /** What was collected with the inventory (kept with a pending snapshot, to send it as it was). */
  readonly facts?: HostFacts;
  readonly machineId?: string;
  readonly manager: 'dpkg' | 'rpm' | 'apk';
  readonly packages: WirePackage[];
  readonly updates: WireUpdate[] | null;
}

/**
 * Writes `data` to a temporary name beside `file`, flushes it to disk and
 * renames it over `file`: a reader (or a restart after a kill) sees the old
 * content or the new, never half of it.
 */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export class StateDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private read<T>(name: string): T | null {
    const f = join(this.dir, name);
    if (!existsSync(f)) return null;
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as T;
    } catch {
      // A damaged state file is as good as none: the agent re-enrolls or sends in full.
      return null;
    }
  }

  private write(name: string, value: unknown, mode = 0o600): void {
    writeFileAtomic(join(this.dir, name), JSON.stringify(value), mode);
  }

  private remove(name: string): void {
    rmSync(join(this.dir, name), { force: true });
  }

  /**
   * The machine this state belongs to (`local:/`, `root:/srv/img`, `ssh:user@host:22`): set by the
   * first agent that uses the directory; another target is refused, so that two agents never share
   * one credential and merge two machines into one host.
   */
  claimTarget(target: string): void {
    const owner = this.read<{ target: string }>('target.json');
    if (owner && owner.target !== target) {
      throw new PatchloopError(
        'PL_AGENT_STATE_MISMATCH',
        `the state directory ${this.dir} belongs to ${owner.target}, not ${target}: give each managed machine its own --state-dir (or leave it out: the default is one directory per machine)`,
      );
    }
    if (!owner) this.write('target.json', { target });
  }

  enrollment(): Enrollment | null {
    return this.read<Enrollment>('enrollment.json');
  }
  saveEnrollment(e: Enrollment): void {
    this.write('enrollment.json', e);
  }
  forgetEnrollment(): void {
    this.remove('enrollment.json');
  }

  /** What the server acknowledged last (the base of the next diff). */
  acknowledged(): Snapshot | null {
    return this.read<Snapshot>('acknowledged.json');
  }
  saveAcknowledged(s: Snapshot): void {
    this.write('acknowledged.json', s);
  }
  forgetAcknowledged(): void {
    this.remove('acknowledged.json');
  }

  /**
   * The server's job signing key, pinned at the first enrollment with this server and moved only
   * along rotation statements the pinned key signed (never by a later enrollment answer).
   */
  serverKey(): JobSigningKey | null {
    return this.read<JobSigningKey & { server?: string }>('server-key.json');
  }
  saveServerKey(k: JobSigningKey & { server: string }): void {
    this.write('server-key.json', k);
  }
  forgetServerKey(): void {
    this.remove('server-key.json');
  }

  /** The sequence number of the last signed job accepted (0: none); persisted before the job runs. */
  lastJobSeq(): number {
    const v = this.read<{ seq: number }>('job-seq.json');
    return typeof v?.seq === 'number' && Number.isSafeInteger(v.seq) ? v.seq : 0;
  }
  saveLastJobSeq(seq: number): void {
    this.write('job-seq.json', { seq });
  }

  /** A collection not yet acknowledged by the server. */
  pending(): Snapshot | null {
    return this.read<Snapshot>('pending.json');
  }
  savePending(s: Snapshot): void {
    this.write('pending.json', s);
  }
  clearPending(): void {
    this.remove('pending.json');
  }
}
