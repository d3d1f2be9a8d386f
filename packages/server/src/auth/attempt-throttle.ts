/**
 * Slows guessing of secrets (passwords at sign-in, the enrollment secret): an
 * attempt is counted on each of its keys (an account, an account from one
 * address, an address) before the secret is checked, in one transaction that
 * locks those keys' rows, so that 40 concurrent guesses are 40 counted
 * attempts, and every replica counts against the same rows. Once a key reaches
 * its limit, attempts are refused (not counted) until its window ends. A right
 * secret gives its attempt back.
 */
import { lockThrottleRows, pruneThrottleRows, saveThrottleRows, type Db } from '@patchloop/store';

export interface ThrottleKey {
  readonly key: string;
  /** Attempts allowed within the window. */
  readonly limit: number;
}

export interface ThrottleLimits {
  /** Wrong passwords allowed per user name and address within the window. */
  readonly perAddress: number;
  /** Wrong passwords allowed per user name from all addresses within the window. */
  readonly perUser: number;
  /** Wrong passwords allowed from one address for all user names within the window. */
  readonly perSource: number;
  /** Enrollment attempts allowed from one address within the window. */
  readonly enrollPerSource: number;
  readonly windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  perAddress: 5,
  perUser: 20,
  perSource: 50,
  enrollPerSource: 30,
  windowMs: 15 * 60_000,
};

/** The keys one sign-in (or current-password check) counts on. */
export function passwordKeys(
  scope: string,
  username: string,
  address: string,
  limits: ThrottleLimits,
): ThrottleKey[] {
  const user = username.toLowerCase();
  return [
    { key: `${scope}:user-addr:${user}|${address}`, limit: limits.perAddress },
    { key: `${scope}:user:${user}`, limit: limits.perUser },
    { key: `${scope}:addr:${address}`, limit: limits.perSource },
  ];
}

export class AttemptThrottle {
  constructor(
    private readonly db: Db,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  /**
   * Counts one attempt on every key, or none when a key has reached its limit:
   * then the seconds until the attempt may be made again.
   */
  async attempt(keys: readonly ThrottleKey[], now: Date): Promise<number | null> {
    const windowMs = this.limits.windowMs;
    await pruneThrottleRows(this.db, new Date(now.getTime() - windowMs));
    return this.db.transaction(async (tx) => {
      const rows = await lockThrottleRows(
        tx,
        keys.map((k) => k.key),
        now,
      );
      const current = rows.map((r) =>
        now.getTime() - r.windowStart.getTime() >= windowMs ? { ...r, attempts: 0, windowStart: now } : r,
      );
      let wait = 0;
      for (const r of current) {
        const limit = keys.find((k) => k.key === r.key)?.limit ?? 0;
        if (r.attempts >= limit) wait = Math.max(wait, r.windowStart.getTime() + windowMs - now.getTime());
      }
      if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
      await saveThrottleRows(
        tx,
        current.map((r) => ({ ...r, attempts: r.attempts + 1 })),
      );
      return null;
    });
  }

  /** The secret was right: the attempt is given back; `clear` keys start over. */
  async succeeded(keys: readonly ThrottleKey[], clear: readonly ThrottleKey[], now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await lockThrottleRows(
        tx,
        [...keys, ...clear].map((k) => k.key),
        now,
      );
      const cleared = new Set(clear.map((k) => k.key));
      await saveThrottleRows(
        tx,
        rows.map((r) => ({ ...r, attempts: cleared.has(r.key) ? 0 : Math.max(0, r.attempts - 1) })),
      );
    });
  }
}
