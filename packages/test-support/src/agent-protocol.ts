/**
 * Agent protocol clients for tests: builds enrolment and check-in requests the
 * way the agent does and sends them through a server's `inject()`.
 */
import { createHash } from 'node:crypto';
import type { CheckinRequest, HostFacts, WirePackage, WireUpdate } from '@patchloop/contracts';
import { canonicalInventory, type InstalledPackage } from '@patchloop/core';
import type { InjectOptions, Response } from 'light-my-request';

/** The enrolment secret the test servers are configured with. */
export const ENROLL_SECRET = 'test-enroll-secret-0123456789';

/** What the clients need of a server: fastify's `inject()`. */
export interface Injectable {
  inject(opts: InjectOptions): Promise<Response>;
}

export const hashOf = (
  manager: 'dpkg' | 'rpm' | 'apk',
  pkgs: readonly InstalledPackage[],
  updates: WireUpdate[] | null,
) =>
  createHash('sha256')
    .update(canonicalInventory(manager, pkgs, updates))
    .digest('hex');

export function wire(pkgs: readonly InstalledPackage[]): WirePackage[] {
  return pkgs.map((p) => ({
    name: p.name,
    version: p.version,
    arch: p.arch ?? '',
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    vendor: p.vendor,
    ...(p.epochKnown === false ? { epochKnown: false } : {}),
  }));
}

/** Debian releases as an agent reports them from their os-release files. */
export const DEBIAN_OS = {
  buster: { id: 'debian', versionId: '10', codename: 'buster', prettyName: 'Debian GNU/Linux 10 (buster)' },
  bookworm: {
    id: 'debian',
    versionId: '12',
    codename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  },
  trixie: { id: 'debian', versionId: '13', codename: 'trixie', prettyName: 'Debian GNU/Linux 13 (trixie)' },
} satisfies Record<string, HostFacts['os']>;

export function facts(hostname: string, os: HostFacts['os']): HostFacts {
  return {
    hostname,
    os,
    arch: 'x86_64',
    kernel: { running: '6.1.0-18-amd64', newestInstalled: '6.1.0-18-amd64' },
    reboot: { required: false, reasons: [], packages: [] },
  };
}

export async function enrollHost(
  app: Injectable,
  machineId: string,
  hostname: string,
  tags: string[] = [],
  /** Proof for re-enrolling a known machine: its current credential or an admin's host token. */
  proof: { credential?: string; hostToken?: string } = {},
) {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/enroll',
    payload: { secret: ENROLL_SECRET, machineId, hostname, tags, ...proof },
  });
  if (r.statusCode !== 201) throw new Error(`enroll: ${r.statusCode} ${r.body}`);
  return r.json() as { hostId: number; credential: string; inventoryHash: string | null };
}

export function fullCheckin(
  machineId: string,
  f: HostFacts,
  manager: 'dpkg' | 'rpm' | 'apk',
  pkgs: readonly InstalledPackage[],
  updates: WireUpdate[] | null = [],
): CheckinRequest {
  return {
    agentVersion: '0.1.0',
    machineId,
    facts: f,
    inventory: { kind: 'full', hash: hashOf(manager, pkgs, updates), manager, packages: wire(pkgs), updates },
  };
}

export async function checkin(app: Injectable, credential: string, body: unknown) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/agent/checkin',
    headers: { authorization: `Bearer ${credential}` },
    payload: body as Record<string, unknown>,
  });
}

/**
 * What an agent's collector returns for a dpkg host (`HostCollection`): the facts of `facts()`
 * with the kernel unknown, these packages, no pending updates, no warnings.
 */
export function dpkgCollection(o: {
  machineId: string;
  hostname: string;
  os: HostFacts['os'];
  packages: WirePackage[];
}) {
  return {
    machineId: o.machineId,
    facts: { ...facts(o.hostname, o.os), kernel: { running: null, newestInstalled: null } },
    manager: 'dpkg' as const,
    packages: o.packages,
    updates: [] as WireUpdate[],
    warnings: [] as string[],
  };
}
