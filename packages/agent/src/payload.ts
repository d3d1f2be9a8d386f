/**
 * What a check-in sends: the inventory in full, as a diff against what the
 * server acknowledged, or as its hash alone when nothing changed.
 */
import { createHash } from 'node:crypto';
import type { InventoryPayload, WirePackage } from '@patchloop/contracts';
import { canonicalInventory, packageKey, type InstalledPackage } from '@patchloop/core';
import type { HostCollection } from './collectors/index.js';
import type { Snapshot } from './state/state-dir.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const asInstalled = (p: WirePackage): InstalledPackage => ({ ...p, vendor: p.vendor ?? null });

export function snapshotOf(c: Pick<HostCollection, 'manager' | 'packages' | 'updates'>): Snapshot {
  const hash = sha256(canonicalInventory(c.manager, c.packages.map(asInstalled), c.updates));
  return { hash, manager: c.manager, packages: c.packages, updates: c.updates };
}

function samePackage(a: WirePackage, b: WirePackage): boolean {
  return (
    a.version === b.version &&
    a.sourceName === b.sourceName &&
    a.sourceVersion === b.sourceVersion &&
    (a.vendor || null) === (b.vendor || null) &&
    (a.epochKnown ?? true) === (b.epochKnown ?? true)
  );
}

/** The payload that brings the server from `acked` to `now`. */
export function payloadFor(now: Snapshot, acked: Snapshot | null): InventoryPayload {
  if (acked?.hash === now.hash) return { kind: 'same', hash: now.hash };
  if (!acked || acked.manager !== now.manager) {
    return {
      kind: 'full',
      hash: now.hash,
      manager: now.manager,
      packages: now.packages,
      updates: now.updates,
    };
  }
  const before = new Map(acked.packages.map((p) => [packageKey(p), p]));
  const after = new Map(now.packages.map((p) => [packageKey(p), p]));
  const added = now.packages.filter((p) => {
    const old = before.get(packageKey(p));
    return !old || !samePackage(old, p);
  });
  const removed = acked.packages
    .filter((p) => !after.has(packageKey(p)))
    .map((p) => ({ name: p.name, arch: p.arch }));
  return {
    kind: 'diff',
    base: acked.hash,
    hash: now.hash,
    manager: now.manager,
    added,
    removed,
    updates: now.updates,
  };
}
