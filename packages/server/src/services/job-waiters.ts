/**
 * Agents' long polls for jobs. A poll parks here until a job for its host is
 * dispatched, its time is up, the agent hangs up or the server closes — never
 * in a loop of queries. Dispatches made by this process wake their hosts at
 * once (`wake`); those made by another replica are found by one query per
 * `recheckMs` for all parked hosts together (`check`), so an idle fleet costs
 * one cheap query every few seconds, not one per agent.
 */

export type WaitOutcome = 'woken' | 'timeout' | 'aborted' | 'closed';

/** Returns which of the given hosts now have jobs to hand out. */
export type PendingCheck = (hostIds: readonly number[]) => Promise<readonly number[]>;

interface Waiter {
  readonly resolve: (o: WaitOutcome) => void;
}

export class JobWaiters {
  private readonly byHost = new Map<number, Set<Waiter>>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private closed = false;

  constructor(
    private readonly check: PendingCheck,
    private readonly recheckMs = 3000,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Parked polls (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const s of this.byHost.values()) n += s.size;
    return n;
  }

  /** Waits up to `ms` for a job for `hostId`; resolves early when woken, aborted or closed. */
  wait(hostId: number, ms: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.closed) return Promise.resolve('closed');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WaitOutcome>((resolve) => {
      let set = this.byHost.get(hostId);
      if (!set) this.byHost.set(hostId, (set = new Set()));
      const hostSet = set;
      const finish = (o: WaitOutcome) => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', onAbort);
        hostSet.delete(waiter);
        if (hostSet.size === 0 && this.byHost.get(hostId) === hostSet) this.byHost.delete(hostId);
        if (this.byHost.size === 0) this.stopTimer();
        resolve(o);
      };
      const waiter: Waiter = { resolve: finish };
      const onAbort = () => finish('aborted');
      const timeout = setTimeout(() => finish('timeout'), Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      hostSet.add(waiter);
      this.startTimer();
    });
  }

  /** Releases the polls of these hosts (a job was dispatched to them). */
  wake(hostIds: Iterable<number>): void {
    for (const id of hostIds) {
      for (const w of [...(this.byHost.get(id) ?? [])]) w.resolve('woken');
    }
  }

  /** Releases every poll and refuses new ones (the server is shutting down). */
  close(): void {
    this.closed = true;
    for (const set of [...this.byHost.values()]) for (const w of [...set]) w.resolve('closed');
    this.stopTimer();
  }

  private startTimer(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.recheck(), this.recheckMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async recheck(): Promise<void> {
    if (this.checking || this.byHost.size === 0) return;
    this.checking = true;
    try {
      this.wake(await this.check([...this.byHost.keys()]));
    } catch (e) {
      // The database may be away for a moment; parked polls time out as usual.
      this.onError(e as Error);
    } finally {
      this.checking = false;
    }
  }
}
