/**
 * The messages between the server and the child process a feed sync or
 * import runs in (Node IPC, structured clone: Dates survive, Errors are sent
 * as { code, message }).
 */
import type { AdvisoryTarget, FeedSource } from '@patchloop/core';
import type { SyncSettings } from '@patchloop/feeds';
import type { FeedRunPhase } from './feed-runs.js';

/** How the cve source is synced (server settings PATCHLOOP_CVE_SCOPE and PATCHLOOP_NVD_API_KEY). */
export interface CveSyncSettings {
  readonly scope: 'all' | 'named';
  /** Sent over IPC, never in the child's environment or arguments. */
  readonly nvdApiKey: string | undefined;
}

/** `releases`: the advisory releases kept (PATCHLOOP_FEED_RELEASES), null for all. */
export type FeedTask =
  | {
      readonly kind: 'sync';
      readonly sources: readonly FeedSource[];
      readonly mirror: string | undefined;
      readonly settings?: SyncSettings;
      readonly cve?: CveSyncSettings;
      readonly releases: readonly AdvisoryTarget[] | null;
    }
  | {
      readonly kind: 'import';
      readonly source: FeedSource;
      readonly path: string;
      readonly releases: readonly AdvisoryTarget[] | null;
    };

/** What one source's run came to (SyncSummary / ImportSummary, as sent back). */
export interface ChildSourceResult {
  readonly source: FeedSource;
  readonly origin: string;
  readonly status: string;
  readonly exitCode: 0 | 1 | 3;
  readonly imported: number;
  readonly skipped: number;
  readonly unchanged: number;
  readonly errors: readonly {
    file: string;
    record: string;
    code: string;
    reason: string;
    warning?: boolean;
  }[];
  /** Set when the source threw (a download failed, a store error). */
  readonly error: string | null;
}

export type ToChild =
  | {
      readonly t: 'run';
      readonly task: FeedTask;
      /** PostgreSQL: the child connects itself. null: the embedded store, written by the parent (sink calls). */
      readonly databaseUrl: string | null;
    }
  | { readonly t: 'sink-reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly t: 'sink-reply';
      readonly id: number;
      readonly ok: false;
      readonly error: WireError;
    };

export type FromChild =
  | { readonly t: 'source-start'; readonly source: FeedSource }
  | {
      readonly t: 'progress';
      readonly source: FeedSource;
      readonly phase: FeedRunPhase;
      readonly records: number;
      readonly bytes: number;
    }
  | { readonly t: 'source-done'; readonly result: ChildSourceResult }
  | { readonly t: 'sink'; readonly id: number; readonly method: string; readonly args: unknown[] }
  | { readonly t: 'done' }
  | { readonly t: 'failed'; readonly error: WireError };

/** An error in transit: its PL_ code when it has one. */
export interface WireError {
  readonly code: string | null;
  readonly message: string;
}

/**
 * The FeedSink methods a child may call on the parent's store. `begin`
 * answers with a session id; the session's own calls are
 * `session.applyChunk`, `session.finish` and `session.abort` with the id as
 * their first argument.
 */
export const SINK_METHODS = [
  'apply',
  'begin',
  'recordFailure',
  'recordUnchanged',
  'status',
  'downloadState',
  'saveDownloadState',
  'namedCves',
] as const;
export const SESSION_METHODS = ['applyChunk', 'finish', 'abort'] as const;

export function wireError(e: unknown): WireError {
  const err = e as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof err?.code === 'string' && err.code.startsWith('PL_') ? err.code : null,
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}
