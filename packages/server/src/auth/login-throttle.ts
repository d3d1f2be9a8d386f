/**
 * Slows password guessing: after too many wrong passwords for one user name
 * from one address (or for one user name from anywhere), sign-in is refused
 * for the rest of the window, before any password is hashed. In memory, per
 * replica: each replica allows its own count, which still bounds guessing.
 */

interface Entry {
  failures: number;
  since: number;
}

export interface ThrottleLimits {
  /** Wrong passwords allowed per user name and address within the window. */
  readonly perAddress: number;
  /** Wrong passwords allowed per user name from all addresses within the window. */
  readonly perUser: number;
  readonly windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perAddress: 5, perUser: 20, windowMs: 15 * 60_000 };
const MAX_ENTRIES = 10_000;

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limits: ThrottleLimits = DEFAULT_THROTTLE) {}

  private keys(username: string, address: string): [string, number][] {
    const user = username.toLowerCase();
    return [
      [`${user}|${address}`, this.limits.perAddress],
      [user, this.limits.perUser],
    ];
  }

  /** Seconds until the next attempt is allowed, or null when it is allowed now. */
  retryAfter(username: string, address: string, nowMs: number): number | null {
    let wait = 0;
    for (const [key, limit] of this.keys(username, address)) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (nowMs - e.since >= this.limits.windowMs) {
        this.entries.delete(key);
        continue;
      }
      if (e.failures >= limit) wait = Math.max(wait, e.since + this.limits.windowMs - nowMs);
    }
    return wait > 0 ? Math.ceil(wait / 1000) : null;
  }

  failed(username: string, address: string, nowMs: number): void {
    for (const [key] of this.keys(username, address)) {
      const e = this.entries.get(key);
      if (e && nowMs - e.since < this.limits.windowMs) e.failures += 1;
      else {
        this.entries.delete(key);
        this.entries.set(key, { failures: 1, since: nowMs });
      }
    }
    // Bounded: the oldest entries go first (a Map iterates in insertion order).
    while (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  succeeded(username: string, address: string): void {
    this.entries.delete(`${username.toLowerCase()}|${address}`);
  }
}
