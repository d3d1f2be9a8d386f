/**
 * Slow fleet-wide reads (the dashboard, the vulnerability list) kept between
 * requests. Their cost grows with the fleet's open findings — a pass over
 * every link, ~0.6 s at 5,000 hosts — while their inputs change far less
 * often than a console refreshes them. A kept answer is served while the
 * store's revision (a key that changes with any host's findings, the hosts,
 * or the exceptions in force) is the same, and for at most `maxAgeMs` of the
 * server's clock, because their figures also move with time alone (SLA
 * breaches, stale hosts). A read that took less than `minComputeMs` is never
 * kept: a small fleet always sees figures computed for the request.
 * Concurrent reads of one key and revision share one computation.
 */
import { remediationInputsKey, type Queryable } from '@patchloop/store';

export interface ReadMemoOptions {
  /** Keep an answer only when computing it took at least this long (Infinity: never). */
  readonly minComputeMs: number;
  /** Serve a kept answer for at most this long after the instant it was computed for. */
  readonly maxAgeMs: number;
  /** Answers kept at most (least recently used go first). */
  readonly maxEntries: number;
}

interface Entry {
  readonly revision: string;
  /** The server clock's instant the answer is for. */
  readonly at: number;
  readonly value: Promise<unknown>;
}

export class ReadMemo {
  private readonly entries = new Map<string, Entry>();
  /** Answers served from memory, and computed: for tests and the benchmarks' notes. */
  hits = 0;
  misses = 0;

  constructor(readonly opts: ReadMemoOptions) {}

  get size(): number {
    return this.entries.size;
  }

  async read<T>(key: string, revision: string, now: Date, compute: () => Promise<T>): Promise<T> {
    const t = now.getTime();
    const kept = this.entries.get(key);
    if (kept && kept.revision === revision && t >= kept.at && t - kept.at < this.opts.maxAgeMs) {
      this.hits++;
      this.entries.delete(key); // most recently used last
      this.entries.set(key, kept);
      return kept.value as Promise<T>;
    }
    this.misses++;
    const started = performance.now();
    const value = compute();
    const entry: Entry = { revision, at: t, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    try {
      const v = await value;
      if (performance.now() - started < this.opts.minComputeMs) forget();
      return v;
    } catch (e) {
      forget();
      throw e;
    }
  }
}

/**
 * `compute` through the server's memo under `key`, with the store's revision of findings, hosts and
 * exceptions in force at `now` (remediationInputsKey: one narrow pass over the host table).
 */
export async function memoizedRead<T>(
  ctx: {
    readonly db: Queryable;
    readonly readMemo: ReadMemo;
    readonly config: { readonly readMemoMs: number };
  },
  key: string,
  now: Date,
  compute: () => Promise<T>,
): Promise<T> {
  if (ctx.config.readMemoMs === Number.POSITIVE_INFINITY) return compute();
  return ctx.readMemo.read(key, await remediationInputsKey(ctx.db, now), now, compute);
}
