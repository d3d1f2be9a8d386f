/**
 * Signed jobs on both backends: every job handed out carries a signature by
 * the key file's key over its content, host, a per-host sequence and an
 * expiry; a row changed in the database no longer matches; rotation is
 * admin-only, audited, hands agents a statement at check-in and re-signs the
 * jobs in flight.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentJob, JobSigningStatus, KeyRotationStatement } from '@patchloop/contracts';
import { checkJobSignature, followRotations, parseInventoryCsv } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, readFixture, startHarness, type Harness } from './harness.js';
import { generateKeyFile, JobKeys, keyIdOf, verifyMessage } from '../src/signing/keys.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };

describe.each(BACKEND_NAMES)('job signing on %s', (backend) => {
  let h: Harness;
  const keyDir = mkdtempSync(join(tmpdir(), 'pl-next-key-'));
  const nextFile = join(keyDir, 'next.key');
  const hosts: {
    id: number;
    machine: string;
    credential: string;
    pinned: { keyId: string; publicKey: string };
  }[] = [];
  const poll = async (i: number) => {
    const a = hosts[i]!;
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: { authorization: `Bearer ${a.credential}` },
      payload: { machineId: a.machine, waitSeconds: 0 },
    });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { jobs: AgentJob[] }).jobs;
  };
  const deploy = async (i: number, version: string) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { hosts: [hosts[i]!.id], packages: [{ name: 'gzip', version }], deadlineHours: 2 },
    });
    expect(r.statusCode, r.body).toBe(201);
    await h.worker.drain();
  };
  const verdict = (job: AgentJob, i: number, key = hosts[i]!.pinned) =>
    checkJobSignature(
      job,
      job.signature,
      key,
      { hostId: hosts[i]!.id, machineId: hosts[i]!.machine },
      verifyMessage,
    );

  beforeAll(async () => {
    generateKeyFile(nextFile);
    h = await startHarness(backend, { config: { jobSigningNextKeyFile: nextFile } });
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    for (const name of ['sign-1', 'sign-2']) {
      const machine = `machine-signing-${name}`;
      const e = await h.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { secret: 'test-enroll-secret-0123456789', machineId: machine, hostname: name, tags: [] },
      });
      expect(e.statusCode, e.body).toBe(201);
      const body = e.json() as {
        hostId: number;
        credential: string;
        jobSigningKey: { keyId: string; publicKey: string };
      };
      hosts.push({ id: body.hostId, machine, credential: body.credential, pinned: body.jobSigningKey });
      const c = await checkin(h.app, body.credential, fullCheckin(machine, facts(name, DEBIAN), 'dpkg', inv));
      expect(c.statusCode, c.body).toBe(200);
    }
    await h.worker.drain();
  }, 120_000);
  afterAll(async () => {
    await h.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('answers enrollment with the key file’s public key', () => {
    const k = h.ctx.jobKeys.current();
    expect(hosts[0]!.pinned).toEqual({ keyId: k.keyId, publicKey: k.publicKey });
    expect(keyIdOf(k.publicKey)).toBe(k.keyId);
    // Re-enrolling with the credential as proof gives the same key.
    return enrollHost(h.app, hosts[0]!.machine, 'sign-1', [], { credential: hosts[0]!.credential }).then(
      (r) => {
        hosts[0]!.credential = r.credential;
        expect((r as unknown as { jobSigningKey: unknown }).jobSigningKey).toEqual(hosts[0]!.pinned);
      },
    );
  });

  it('signs each job for its host with a per-host sequence; a changed row no longer verifies', async () => {
    await deploy(0, '1.9-3+deb10u1');
    await deploy(0, '1.9-3+deb10u2');
    await deploy(1, '1.9-3+deb10u1');
    const mine = await poll(0);
    expect(mine.map((j) => j.signature?.seq)).toEqual([1, 2]);
    for (const j of mine) {
      expect(verdict(j, 0)).toBeNull();
      expect(j.signature).toMatchObject({ hostId: hosts[0]!.id, machineId: hosts[0]!.machine });
      const ttl = Date.parse(j.signature!.expiresAt) - Date.parse(j.signature!.issuedAt);
      expect(ttl).toBe(24 * 3_600_000);
    }
    const theirs = await poll(1);
    expect(theirs.map((j) => j.signature?.seq)).toEqual([1]);
    expect(verdict(theirs[0]!, 1)).toBeNull();
    // Host 1's job is not host 0's.
    expect(verdict(theirs[0]!, 0)?.code).toBe('PL_JOB_WRONG_HOST');

    // Someone with write access to the database changes what a dispatched job installs.
    await h.db.query(
      `UPDATE deployment_task SET packages = '[{"name":"gzip","version":"9.9-evil"}]' WHERE id = $1`,
      [mine[0]!.id],
    );
    const tampered = (await poll(0)).find((j) => j.id === mine[0]!.id)!;
    expect(tampered.packages[0]!.version).toBe('9.9-evil');
    expect(verdict(tampered, 0)?.code).toBe('PL_JOB_SIGNATURE_INVALID');
    // The agent's refusal fails the task with its code.
    const rep = await h.app.inject({
      method: 'POST',
      url: `/api/v1/agent/jobs/${tampered.id}/report`,
      headers: { authorization: `Bearer ${hosts[0]!.credential}` },
      payload: {
        machineId: hosts[0]!.machine,
        state: 'failed',
        log: 'refused\n',
        error: { code: 'PL_JOB_SIGNATURE_INVALID', message: 'refused' },
      },
    });
    expect(rep.json()).toMatchObject({ status: 'failed' });
  });

  it('rotates on an admin’s request only, audited; agents follow the statement and in-flight jobs are re-signed', async () => {
    const old = hosts[0]!.pinned;
    const asOperator = await h.app.inject({
      method: 'POST',
      url: '/api/v1/job-signing/rotate',
      headers: h.auth('operator'),
    });
    expect([asOperator.statusCode, asOperator.json().error.code]).toEqual([403, 'PL_AUTH_FORBIDDEN']);
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/job-signing/rotate',
      headers: h.auth('admin'),
    });
    expect(r.statusCode, r.body).toBe(200);
    const { statement, resigned } = r.json() as { statement: KeyRotationStatement; resigned: number };
    const next = h.ctx.jobKeys.next()!;
    expect(statement).toMatchObject({ fromKeyId: old.keyId, toKeyId: next.keyId, publicKey: next.publicKey });
    // The two untouched jobs in flight (host 0's second, host 1's) are signed again; the failed one is final.
    expect(resigned).toBe(2);
    // A second rotation from the same key is refused (no next key beyond this one).
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/job-signing/rotate',
      headers: h.auth('admin'),
    });
    expect(again.statusCode).toBe(409);

    const audit = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?limit=20',
      headers: h.auth('admin'),
    });
    const ev = (audit.json() as { items: { action: string; actor: string; after: unknown }[] }).items.find(
      (e) => e.action === 'job-signing.rotate',
    );
    expect(ev).toMatchObject({ after: { keyId: next.keyId, resigned: 2 } });

    // At check-in an agent on the old key gets the statement and moves its pin along it.
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    const c = await checkin(h.app, hosts[1]!.credential, {
      ...fullCheckin(hosts[1]!.machine, facts('sign-2', DEBIAN), 'dpkg', inv),
      jobKeyId: old.keyId,
    });
    expect(c.statusCode, c.body).toBe(200);
    const rotations = (c.json() as { keyRotations?: KeyRotationStatement[] }).keyRotations ?? [];
    expect(rotations).toHaveLength(1);
    const moved = followRotations(old, rotations, verifyMessage, keyIdOf);
    expect(moved.keyId).toBe(next.keyId);
    // Up to date: nothing to follow.
    const current = await checkin(h.app, hosts[1]!.credential, {
      ...fullCheckin(hosts[1]!.machine, facts('sign-2', DEBIAN), 'dpkg', inv),
      jobKeyId: next.keyId,
    });
    expect((current.json() as { keyRotations?: unknown }).keyRotations).toBeUndefined();
    expect((current.json() as { jobSigningKey?: unknown }).jobSigningKey).toBeUndefined();
    // An agent enrolled before jobs were signed pins no key: it is given the current one.
    const unpinned = await checkin(
      h.app,
      hosts[1]!.credential,
      fullCheckin(hosts[1]!.machine, facts('sign-2', DEBIAN), 'dpkg', inv),
    );
    expect((unpinned.json() as { jobSigningKey?: { publicKey: string } }).jobSigningKey?.publicKey).toBe(
      next.publicKey,
    );

    // The job in flight now verifies with the new key (same sequence), no longer with the old.
    const [job] = await poll(1);
    expect(job!.signature?.seq).toBe(1);
    expect(verdict(job!, 1, moved)).toBeNull();
    expect(verdict(job!, 1, old)?.code).toBe('PL_JOB_SIGNING_KEY_UNKNOWN');
    // New jobs are signed with the new key and continue the host's sequence.
    await deploy(1, '1.9-3+deb10u3');
    const jobs = await poll(1);
    expect(jobs.map((j) => [j.signature?.keyId, j.signature?.seq])).toEqual([
      [next.keyId, 1],
      [next.keyId, 2],
    ]);
    const status = await h.app.inject({
      method: 'GET',
      url: '/api/v1/job-signing',
      headers: h.auth('admin'),
    });
    expect((status.json() as JobSigningStatus).signingKey.keyId).toBe(next.keyId);
    expect((status.json() as JobSigningStatus).rotations).toHaveLength(1);
  });
});

describe('the embedded store’s key', () => {
  it('is generated at first use in the data directory (0600), rotates to a generated next key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-embedded-key-'));
    try {
      const keys = new JobKeys({ keyFile: undefined, nextKeyFile: undefined, dataDir: dir });
      const k = keys.current();
      expect(statSync(join(dir, 'job-signing.key')).mode & 0o777).toBe(0o600);
      // Read again by another process (replica or restart): the same key.
      expect(new JobKeys({ keyFile: undefined, nextKeyFile: undefined, dataDir: dir }).current().keyId).toBe(
        k.keyId,
      );
      const n = keys.createNext();
      expect(statSync(join(dir, 'job-signing.next.key')).mode & 0o777).toBe(0o600);
      keys.promoteNext();
      expect(keys.current().keyId).toBe(n.keyId);
      expect(new JobKeys({ keyFile: undefined, nextKeyFile: undefined, dataDir: dir }).current().keyId).toBe(
        n.keyId,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused on PostgreSQL without a key file, with the command that makes one', () => {
    const keys = new JobKeys({ keyFile: undefined, nextKeyFile: undefined, dataDir: null });
    expect(() => keys.current()).toThrow(/patchloop keys generate --out/);
  });
});
