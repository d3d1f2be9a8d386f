/**
 * Feed syncs and imports running now in this server's child processes, with
 * the progress their children report: what `GET /api/v1/feeds` shows as
 * `running` per source. Kept in memory (a replica knows its own children).
 */
import type { FeedSource } from '@patchloop/core';

export type FeedRunPhase = 'starting' | 'read' | 'parse' | 'store';

export interface FeedRun {
  readonly kind: 'sync' | 'import';
  readonly phase: FeedRunPhase;
  /** Records parsed or stored so far in this phase. */
  readonly records: number;
  /** Bytes of feed data read or downloaded so far. */
  readonly bytes: number;
  /** When this source's run started (ISO 8601). */
  readonly started: string;
  /** The child process doing it. */
  readonly pid: number;
}

export class FeedRuns {
  private readonly runs = new Map<FeedSource, FeedRun>();

  start(source: FeedSource, kind: FeedRun['kind'], pid: number, at: Date): void {
    this.runs.set(source, { kind, phase: 'starting', records: 0, bytes: 0, started: at.toISOString(), pid });
  }

  progress(source: FeedSource, update: { phase: FeedRunPhase; records: number; bytes?: number }): void {
    const r = this.runs.get(source);
    if (!r) return;
    this.runs.set(source, {
      ...r,
      phase: update.phase,
      records: update.records,
      bytes: Math.max(r.bytes, update.bytes ?? 0),
    });
  }

  finish(source: FeedSource, pid: number): void {
    if (this.runs.get(source)?.pid === pid) this.runs.delete(source);
  }

  get(source: string): FeedRun | null {
    return this.runs.get(source as FeedSource) ?? null;
  }

  /** Whether any run is in progress (a second sync job waits for it). */
  get size(): number {
    return this.runs.size;
  }
}
