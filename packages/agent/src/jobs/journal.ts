/**
 * The agent's journal of jobs: one file per job in the state directory
 * (`jobs/<id>.json`, written atomically), so that a job runs at most once
 * whatever the server re-delivers and whenever the agent is killed.
 *
 * Phases: `started` (accepted, nothing run yet), `pre-check` (the pre-check
 * script may be running), `installing` (the package manager may be running),
 * `finished` (the final report is kept, with whether the server acknowledged
 * it). A job found finished is never run again: its report is re-sent. A job
 * found in another phase when no live agent holds the job lock was
 * interrupted: it is reported from a fresh read of the package database,
 * never re-run. Acknowledged entries are kept (a late duplicate delivery is
 * still recognised) and pruned after {@link JOURNAL_KEEP_MS}.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentJob, InstalledVersion, JobReport } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import { writeFileAtomic } from '../state/state-dir.js';

export type JournalPhase = 'started' | 'pre-check' | 'installing' | 'finished';

export interface JournalEntry {
  readonly id: string;
  readonly phase: JournalPhase;
  readonly job: AgentJob;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly before?: InstalledVersion[] | undefined;
  /** The final report (phase `finished`). */
  readonly final?: JobReport | undefined;
  /** Whether the server acknowledged the final report. */
  readonly acknowledged?: boolean | undefined;
}

export const JOB_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** Finished, acknowledged entries are forgotten after 30 days. */
export const JOURNAL_KEEP_MS = 30 * 24 * 3600 * 1000;

export class Journal {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'jobs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** The job lock's file (see lock.ts). */
  get lockFile(): string {
    return join(this.dir, 'lock');
  }

  private file(id: string): string {
    if (!JOB_ID.test(id)) throw new PatchloopError('PL_JOB_INVALID', `invalid job id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  get(id: string): JournalEntry | null {
    const f = this.file(id);
    if (!existsSync(f)) return null;
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as JournalEntry;
    } catch {
      // Written atomically, so only damage (or a hand edit) gets here: treated as interrupted, which
      // never re-runs anything.
      return null;
    }
  }

  /** Whether the job has an entry (even a damaged one): it was accepted before. */
  has(id: string): boolean {
    return existsSync(this.file(id));
  }

  put(entry: JournalEntry): void {
    writeFileAtomic(this.file(entry.id), JSON.stringify(entry));
  }

  /** Moves a job to `phase`, keeping what was recorded before. */
  advance(
    id: string,
    phase: Exclude<JournalPhase, 'finished'>,
    now: Date,
    extra: Partial<JournalEntry> = {},
  ): void {
    const old = this.get(id);
    if (old === null) throw new Error(`job ${id} is not in the journal`);
    this.put({ ...old, ...extra, phase, updatedAt: now.toISOString() });
  }

  finish(id: string, final: JobReport, now: Date): JournalEntry {
    const old = this.get(id);
    if (old === null) throw new Error(`job ${id} is not in the journal`);
    const entry: JournalEntry = {
      ...old,
      phase: 'finished',
      final,
      acknowledged: false,
      updatedAt: now.toISOString(),
    };
    this.put(entry);
    return entry;
  }

  acknowledge(id: string, now: Date): void {
    const old = this.get(id);
    if (old !== null && old.phase === 'finished')
      this.put({ ...old, acknowledged: true, updatedAt: now.toISOString() });
  }

  /** Every entry, oldest first. */
  list(): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const m = /^(.+)\.json$/.exec(name);
      if (!m?.[1] || !JOB_ID.test(m[1])) continue;
      const e = this.get(m[1]);
      if (e !== null) out.push(e);
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** Forgets acknowledged entries last touched before `now - keepMs`. */
  prune(now: Date, keepMs = JOURNAL_KEEP_MS): number {
    let n = 0;
    for (const e of this.list()) {
      if (e.phase !== 'finished' || e.acknowledged !== true) continue;
      if (Date.parse(e.updatedAt) < now.getTime() - keepMs) {
        rmSync(this.file(e.id), { force: true });
        n++;
      }
    }
    return n;
  }

  /** Whether the job has a journal file that cannot be read (treated as interrupted: never re-run). */
  damaged(id: string): boolean {
    return existsSync(this.file(id)) && this.get(id) === null;
  }
}
