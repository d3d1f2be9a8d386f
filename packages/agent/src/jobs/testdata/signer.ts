/**
 * Test support: plays the server's job signing key (Ed25519 through
 * node:crypto, the bytes from core) to sign jobs and rotation statements.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { AgentJob, JobSigningKey, KeyRotationStatement } from '@patchloop/contracts';
import { rotationBytes, signedJobBytes, type JobEnvelope } from '@patchloop/core';
import { keyIdOf } from '../admit.js';

export class TestSigner {
  private readonly privateKey: KeyObject;
  readonly key: JobSigningKey;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    const x = publicKey.export({ format: 'jwk' }).x as string;
    this.key = { keyId: keyIdOf(x), publicKey: x };
  }

  private sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64url');
  }

  /** The job with a signature for `host` (valid for an hour unless `over` says otherwise). */
  signJob(
    job: AgentJob,
    host: { hostId: number; machineId: string },
    seq: number,
    over: Partial<Omit<JobEnvelope, 'sig'>> = {},
  ): AgentJob {
    const now = Date.now();
    const env = {
      keyId: this.key.keyId,
      hostId: host.hostId,
      machineId: host.machineId,
      seq,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      ...over,
    };
    return { ...job, signature: { ...env, sig: this.sign(signedJobBytes(job, env)) } };
  }

  /** This key's statement handing over to `next`. */
  rotateTo(next: JobSigningKey): KeyRotationStatement {
    const s = {
      fromKeyId: this.key.keyId,
      toKeyId: next.keyId,
      publicKey: next.publicKey,
      issuedAt: new Date().toISOString(),
    };
    return { ...s, sig: this.sign(rotationBytes(s)) };
  }
}
