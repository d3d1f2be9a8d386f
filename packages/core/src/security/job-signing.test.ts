import { generateKeyPairSync, createHash, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkJobFreshness,
  checkJobSignature,
  followRotations,
  jobExpiry,
  rotationBytes,
  signedJobBytes,
  type SignableJob,
} from './job-signing.js';

const keyIdOf = (x: string) =>
  createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex').slice(0, 32);
const verifyFn = (pub: string, msg: string, sig: string) =>
  verify(
    null,
    Buffer.from(msg),
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub }, format: 'jwk' }),
    Buffer.from(sig, 'base64url'),
  );
function keypair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return {
    pinned: { keyId: keyIdOf(x), publicKey: x },
    sign: (m: string) => sign(null, Buffer.from(m), privateKey).toString('base64url'),
  };
}

const JOB: SignableJob = {
  id: 'task-0000000001',
  deploymentId: 1,
  kind: 'install',
  packages: [{ name: 'bash', version: '5.2-2', arch: undefined }],
  preScript: null,
  postScript: null,
  reboot: 'never',
  deadline: '2026-01-01T00:00:00.000Z',
  timeoutSeconds: 60,
};
const ME = { hostId: 1, machineId: 'machine-0001' };

describe('job signing (pure)', () => {
  it('canonical JSON sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
    );
  });

  it('signs the same bytes whatever the key order of the job as received', () => {
    const head = { keyId: 'k', hostId: 1, machineId: 'm', seq: 1, issuedAt: 'i', expiresAt: 'e' };
    const reordered = Object.fromEntries(Object.entries(JOB).reverse()) as unknown as SignableJob;
    expect(signedJobBytes(reordered, head)).toBe(signedJobBytes(JOB, head));
    // Fields that are not the job's content (a server adding a display field) are not signed.
    expect(signedJobBytes({ ...JOB, extra: 1 } as SignableJob, head)).toBe(signedJobBytes(JOB, head));
    expect(signedJobBytes({ ...JOB, reboot: 'always' }, head)).not.toBe(signedJobBytes(JOB, head));
  });

  it('expires after the TTL or at the window end, whichever comes first', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(jobExpiry(at, 86_400_000, null).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(jobExpiry(at, 86_400_000, new Date('2026-01-01T04:00:00Z')).toISOString()).toBe(
      '2026-01-01T04:00:00.000Z',
    );
  });

  it('checks key, content, host, expiry and sequence in that order', () => {
    const k = keypair();
    const head = { keyId: k.pinned.keyId, ...ME, seq: 3, issuedAt: 'i', expiresAt: '2026-01-02T00:00:00Z' };
    const env = { ...head, sig: k.sign(signedJobBytes(JOB, head)) };
    expect(checkJobSignature(JOB, env, k.pinned, ME, verifyFn)).toBeNull();
    expect(checkJobSignature(JOB, undefined, k.pinned, ME, verifyFn)?.code).toBe('PL_JOB_UNSIGNED');
    expect(checkJobSignature(JOB, env, null, ME, verifyFn)?.code).toBe('PL_JOB_SIGNING_KEY_UNKNOWN');
    expect(checkJobSignature(JOB, env, keypair().pinned, ME, verifyFn)?.code).toBe(
      'PL_JOB_SIGNING_KEY_UNKNOWN',
    );
    expect(checkJobSignature({ ...JOB, timeoutSeconds: 61 }, env, k.pinned, ME, verifyFn)?.code).toBe(
      'PL_JOB_SIGNATURE_INVALID',
    );
    expect(checkJobSignature(JOB, { ...env, seq: 4 }, k.pinned, ME, verifyFn)?.code).toBe(
      'PL_JOB_SIGNATURE_INVALID',
    );
    expect(checkJobSignature(JOB, { ...env, sig: 'garbage' }, k.pinned, ME, verifyFn)?.code).toBe(
      'PL_JOB_SIGNATURE_INVALID',
    );
    expect(checkJobSignature(JOB, env, k.pinned, { ...ME, hostId: 2 }, verifyFn)?.code).toBe(
      'PL_JOB_WRONG_HOST',
    );
    const before = new Date('2026-01-01T00:00:00Z');
    expect(checkJobFreshness(JOB, env, 2, before)).toBeNull();
    expect(checkJobFreshness(JOB, env, 3, before)?.code).toBe('PL_JOB_REPLAYED');
    expect(checkJobFreshness(JOB, env, 2, new Date('2026-01-02T00:00:00Z'))?.code).toBe('PL_JOB_EXPIRED');
  });

  it('follows a chain of rotations, each signed by the key it leaves, and stops at a bad link', () => {
    const [a, b, c] = [keypair(), keypair(), keypair()];
    const stmt = (from: typeof a, to: typeof a) => {
      const s = {
        fromKeyId: from.pinned.keyId,
        toKeyId: to.pinned.keyId,
        publicKey: to.pinned.publicKey,
        issuedAt: 't',
      };
      return { ...s, sig: from.sign(rotationBytes(s)) };
    };
    // Offline across two rotations: both statements, in any order.
    expect(followRotations(a.pinned, [stmt(b, c), stmt(a, b)], verifyFn, keyIdOf).keyId).toBe(c.pinned.keyId);
    // A link signed by the wrong key is not followed.
    const forged = { ...stmt(c, b), fromKeyId: a.pinned.keyId };
    expect(followRotations(a.pinned, [forged], verifyFn, keyIdOf).keyId).toBe(a.pinned.keyId);
    // A statement whose key id does not match its public key is not followed.
    const mislabeled = { ...stmt(a, b), toKeyId: c.pinned.keyId };
    expect(followRotations(a.pinned, [mislabeled], verifyFn, keyIdOf).keyId).toBe(a.pinned.keyId);
  });
});
