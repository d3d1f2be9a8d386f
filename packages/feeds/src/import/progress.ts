/**
 * Progress of an import, sync or upload, one model for every reporter: the
 * CLI's progress bar (TTY) and the sync child's messages to the server. The
 * bar fills by bytes of the input read (the archive or file, or the upload)
 * against its size; records are a count. Updates are throttled (at most one
 * per `intervalMs`; `flush` sends the last one); formatting is pure.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
export type ImportPhase = 'read' | 'parse' | 'store';
export type ProgressPhase = ImportPhase | 'upload';

/**
 * Progress: 'read' and 'upload' with (bytes read or sent, total bytes or 0);
 * 'parse' and 'store' with (records so far, 0, bytes of the input read so far).
 */
export type ProgressFn = (phase: ProgressPhase, done: number, total: number, bytes?: number) => void;

export interface ProgressState {
  readonly phase: ProgressPhase;
  /** Records parsed or stored so far. */
  readonly records: number;
  /** Bytes of the input read (or sent) so far. */
  readonly bytes: number;
  /** The input's size, 0 when unknown. */
  readonly totalBytes: number;
}

/** Bytes under a path (a file, or a directory's files): what an import reads. */
export function sizeOf(path: string): number {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return st.size;
    return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
  } catch {
    return 0;
  }
}

// Reading and parsing alternate entry by entry: one label.
const LABEL: Record<ProgressPhase, string> = {
  read: 'reading',
  parse: 'reading',
  store: 'storing',
  upload: 'uploading',
};

const mib = (n: number) => (n / 2 ** 20).toFixed(1);

/** One progress line (no line end): label, phase, a bar filled by bytes when the size is known, records. */
export function formatProgress(label: string, s: ProgressState, width = 24): string {
  const known = s.totalBytes > 0;
  const ratio = known ? Math.min(1, s.bytes / s.totalBytes) : 0;
  const filled = Math.round(ratio * width);
  const bar = known
    ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(ratio * 100)}%`
    : '';
  const bytes = known
    ? ` ${mib(s.bytes)}/${mib(s.totalBytes)} MiB`
    : s.bytes > 0
      ? ` ${mib(s.bytes)} MiB`
      : '';
  const records = s.phase === 'upload' ? '' : `, ${s.records.toLocaleString('en-US')} records`;
  return `${label}: ${LABEL[s.phase].padEnd(9)}${bar}${bytes}${records}`;
}

export interface ProgressTracker {
  /** The ProgressFn an import, sync or upload reports to. */
  readonly report: ProgressFn;
  /** The state now. */
  state(): ProgressState;
  /** Emits the last state if it was held back by the throttle. */
  flush(): void;
}

/**
 * Folds progress reports into one state and passes it on to `emit` at most
 * once per `intervalMs` (the first at once). Reports: 'read' with
 * (bytes, total bytes); 'parse' / 'store' / 'upload' with (records or
 * bytes, total, bytes read so far).
 */
export function trackProgress(options: {
  totalBytes?: number;
  intervalMs?: number;
  now?: () => number;
  emit: (s: ProgressState) => void;
}): ProgressTracker {
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let s: ProgressState = { phase: 'read', records: 0, bytes: 0, totalBytes: options.totalBytes ?? 0 };
  let last = Number.NEGATIVE_INFINITY;
  let held = false;
  const report: ProgressFn = (phase, done, total, bytes) => {
    if (phase === 'read' || (phase as ProgressPhase) === 'upload')
      s = {
        ...s,
        phase,
        bytes: done,
        totalBytes: total > 0 ? total : s.totalBytes,
      };
    else s = { ...s, phase, records: done, bytes: Math.max(s.bytes, bytes ?? 0) };
    const t = now();
    if (t - last < interval) {
      held = true;
      return;
    }
    last = t;
    held = false;
    options.emit(s);
  };
  return {
    report,
    state: () => s,
    flush() {
      if (held) {
        held = false;
        last = now();
        options.emit(s);
      }
    },
  };
}
