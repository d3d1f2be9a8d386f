/**
 * Credentials: API tokens ("plt_…") and user passwords, stored only as
 * scrypt hashes; agent credentials ("pla_…") as SHA-256 (see hashCredential).
 *
 * A credential is looked up by a public id derived from it (the first 16 hex
 * digits of its SHA-256), then verified against its stored hash. API tokens
 * carry 256 random bits, so their scrypt cost is low (N=2^10, about a
 * millisecond); passwords, chosen by people, get N=2^15. Verified credentials
 * are cached in memory for a minute (so a revocation reaches every replica
 * within a minute), keyed by the SHA-256 of the credential.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const TOKEN_COST = { N: 1 << 10, r: 8, p: 1 };
const PASSWORD_COST = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function scryptAsync(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$hash" (base64url). */
async function hashWith(secret: string, cost: ScryptOptions): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyHash(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) {
    const expected = Buffer.from(stored.slice(7), 'hex');
    const key = createHash('sha256').update(secret).digest();
    return key.length === expected.length && timingSafeEqual(key, expected);
  }
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 128 * Number(n) * Number(r) * 2,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const hashToken = (token: string) => hashWith(token, TOKEN_COST);

/**
 * Agent credentials: "sha256$<hex>". They are 256-bit random secrets the
 * server generates, so a salted slow hash protects nothing more (no dictionary
 * to try), while 50,000 agents checking in every minute would each pay for it
 * whenever the cache misses (measured: scrypt N=2^10 took a 2-core server to
 * 168 % CPU at 1,000 cold check-ins/s; SHA-256 38 %).
 */
export function hashCredential(credential: string): string {
  return `sha256$${createHash('sha256').update(credential).digest('hex')}`;
}
export const hashPassword = (password: string) => hashWith(password, PASSWORD_COST);

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The id a token is stored under: derived from the token, so any token string works. */
export function publicIdOf(token: string): string {
  return sha256(token).slice(0, 16);
}

export function newToken(kind: 'plt' | 'pla' | 'plh'): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Compares two secrets in constant time (for the shared enrollment secret). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Verified credentials, remembered briefly so a request costs a map lookup, not a query and a hash. */
export class CredentialCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  constructor(
    private readonly ttlMs = 60_000,
    private readonly max = 200_000,
  ) {}

  get(token: string, now: number): T | undefined {
    const k = sha256(token);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(k);
      return undefined;
    }
    return e.value;
  }

  /** Remembers a verified credential for the TTL, or until `notAfter` (its expiry) when that is sooner. */
  set(token: string, value: T, now: number, notAfter?: number): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(sha256(token), { value, until: Math.min(now + this.ttlMs, notAfter ?? Infinity) });
  }

  /** Forgets every cached credential (a token was revoked). */
  clear(): void {
    this.entries.clear();
  }

  /** Forgets the cached credentials whose principal matches (a host re-enrolled). */
  forget(match: (value: T) => boolean): void {
    for (const [k, e] of this.entries) if (match(e.value)) this.entries.delete(k);
  }
}
