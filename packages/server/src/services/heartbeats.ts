/**
 * Heartbeats written in batches: at 1,000 check-ins a second one UPDATE each was a round trip and a
 * PostgreSQL transaction each. A check-in's heartbeat is written at once when none is being written;
 * those arriving meanwhile wait for it and go together in the next statement (store
 * recordHeartbeats). Under light load nothing waits; under heavy load a statement carries many.
 */
import { recordHeartbeats, type HostHeartbeat, type Queryable } from '@patchloop/store';

interface Beat {
  readonly id: number;
  readonly machineId: string;
  readonly now: Date;
  readonly resolve: (h: HostHeartbeat | null) => void;
  readonly reject: (e: unknown) => void;
}

/** Heartbeats one statement carries at most. */
export const HEARTBEAT_BATCH = 500;

export class HeartbeatWriter {
  private pending: Beat[] = [];
  private writing = false;

  constructor(private readonly db: () => Queryable) {}

  /** What the host reports (null: no such live host for this machine), written with the others pending. */
  record(id: number, machineId: string, now: Date): Promise<HostHeartbeat | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, machineId, now, resolve, reject });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, HEARTBEAT_BATCH);
        try {
          const seen = await recordHeartbeats(this.db(), batch);
          for (const b of batch) b.resolve(seen.get(`${b.id}\u0000${b.machineId}`) ?? null);
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

const writers = new WeakMap<object, HeartbeatWriter>();

/** The heartbeat writer of a server context (one per context: its store). */
export function heartbeatWriter(ctx: { readonly db: Queryable }): HeartbeatWriter {
  let w = writers.get(ctx);
  if (!w) {
    w = new HeartbeatWriter(() => ctx.db);
    writers.set(ctx, w);
  }
  return w;
}
