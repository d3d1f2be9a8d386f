/**
 * The job signing keys: Ed25519 (node:crypto), each in a PEM (PKCS#8) file
 * of mode 0600 outside the database. The embedded store keeps its key in
 * the data directory (generated at first use); on PostgreSQL the operator
 * gives every replica the same file (PATCHLOOP_JOB_SIGNING_KEY_FILE,
 * `patchloop keys generate --out FILE`) and the server refuses to start
 * without one. A second file (PATCHLOOP_JOB_SIGNING_NEXT_KEY_FILE, or
 * `job-signing.next.key` in the data directory) is the key a rotation
 * hands over to.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PatchloopError } from '@patchloop/core';

export interface SigningKey {
  /** First 32 hex digits of the SHA-256 of the raw public key. */
  readonly keyId: string;
  /** The raw 32-byte public key, base64url. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  readonly file: string;
}

export const keyIdOf = (publicKey: string): string =>
  createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('hex').slice(0, 32);

/** Ed25519 signature of the UTF-8 message, base64url. */
export function signMessage(key: SigningKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), key.privateKey).toString('base64url');
}

/** Checks an Ed25519 signature made by the raw public key (base64url). */
export function verifyMessage(publicKey: string, message: string, sig: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(sig, 'base64url'));
}

function fromPrivate(privateKey: KeyObject, file: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new PatchloopError('PL_JOB_SIGNING_KEY_INVALID', `${file} is not an Ed25519 private key`);
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = jwk.x as string;
  return { keyId: keyIdOf(publicKey), publicKey, privateKey, file };
}

/** Writes a new key to `file` (mode 0600); an existing file is never overwritten. */
export function generateKeyFile(file: string): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new PatchloopError(
      'PL_JOB_SIGNING_KEY_INVALID',
      err.code === 'EEXIST'
        ? `${file} exists already: a signing key is never overwritten (remove it first if you mean to)`
        : `cannot create the signing key file ${file}: ${err.message}`,
    );
  }
  try {
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
  return fromPrivate(privateKey, file);
}

/** Reads a key file; refuses one that others than its owner may read. */
export function readKeyFile(file: string): SigningKey {
  let pem: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) {
      throw new PatchloopError(
        'PL_JOB_SIGNING_KEY_INVALID',
        `the job signing key ${file} is readable by other users: chmod 600 ${file}`,
      );
    }
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof PatchloopError) throw e;
    throw new PatchloopError(
      'PL_JOB_SIGNING_KEY_INVALID',
      `cannot read the job signing key ${file}: ${(e as Error).message}`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new PatchloopError(
      'PL_JOB_SIGNING_KEY_INVALID',
      `${file} is not a PEM private key (${(e as Error).message}); create one with: patchloop keys generate --out ${file}`,
    );
  }
  return fromPrivate(key, file);
}

export interface KeyLocation {
  /** PATCHLOOP_JOB_SIGNING_KEY_FILE. */
  readonly keyFile: string | undefined;
  /** PATCHLOOP_JOB_SIGNING_NEXT_KEY_FILE. */
  readonly nextKeyFile: string | undefined;
  /** The embedded store's data directory (keys generated there); null on PostgreSQL. */
  readonly dataDir: string | null;
}

const CURRENT = 'job-signing.key';
const NEXT = 'job-signing.next.key';

/** The keys this server process holds, read once. */
export class JobKeys {
  private cur: SigningKey | null = null;
  private nxt: SigningKey | null | undefined;

  constructor(private readonly where: KeyLocation) {}

  /** The data directory holds the keys (no key file given). */
  get inDataDir(): boolean {
    return this.where.keyFile === undefined && this.where.dataDir !== null;
  }

  /** The key from the key file, or the data directory's (generated at first use). */
  current(): SigningKey {
    if (this.cur) return this.cur;
    if (this.where.keyFile !== undefined) {
      this.cur = readKeyFile(this.where.keyFile);
    } else if (this.where.dataDir !== null) {
      const f = join(this.where.dataDir, CURRENT);
      this.cur = existsSync(f) ? readKeyFile(f) : generateKeyFile(f);
    } else {
      throw new PatchloopError(
        'PL_JOB_SIGNING_KEY_MISSING',
        'no job signing key: on PostgreSQL create one with `patchloop keys generate --out /etc/patchloop/job-signing.key`, give every replica the same file and set PATCHLOOP_JOB_SIGNING_KEY_FILE to it (the key never goes into the database)',
      );
    }
    return this.cur;
  }

  /** The key a rotation hands over to, if this server holds one. */
  next(): SigningKey | null {
    if (this.nxt !== undefined) return this.nxt;
    if (this.where.nextKeyFile !== undefined) this.nxt = readKeyFile(this.where.nextKeyFile);
    else if (this.inDataDir && existsSync(join(this.where.dataDir as string, NEXT)))
      this.nxt = readKeyFile(join(this.where.dataDir as string, NEXT));
    else this.nxt = null;
    return this.nxt;
  }

  /** Embedded store: makes the next key in the data directory. */
  createNext(): SigningKey {
    if (!this.inDataDir) {
      throw new PatchloopError(
        'PL_JOB_SIGNING_NO_NEXT_KEY',
        'this server holds no next job signing key: create one with `patchloop keys generate --out FILE`, give it to every replica as PATCHLOOP_JOB_SIGNING_NEXT_KEY_FILE, restart them, then rotate',
      );
    }
    this.nxt = generateKeyFile(join(this.where.dataDir as string, NEXT));
    return this.nxt;
  }

  /**
   * Embedded store, after a rotation: the next key becomes the data directory's key and the old
   * private key is gone (agents refuse it from now on anyway).
   */
  promoteNext(): void {
    const next = this.next();
    if (!this.inDataDir || next === null) return;
    const dir = this.where.dataDir as string;
    renameSync(join(dir, NEXT), join(dir, CURRENT));
    this.cur = { ...next, file: join(dir, CURRENT) };
    this.nxt = null;
  }

  /** A key this server holds, by id. */
  byId(keyId: string): SigningKey | null {
    const c = this.current();
    if (c.keyId === keyId) return c;
    const n = this.next();
    return n?.keyId === keyId ? n : null;
  }
}
