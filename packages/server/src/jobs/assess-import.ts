/**
 * Incremental re-assessment after feed imports (docs/scale.md §3.2 step 3):
 * the hosts whose findings the import runs can change, found in SQL, each
 * queued for an assess-host job. Hosts the import does not concern are not
 * read, let alone re-assessed.
 *
 * - An advisory new or modified: the hosts of each OS release whose targets
 *   (core's `family.targets`) hold one of its (ecosystem, release, package)
 *   slots, holding a package whose lookup name (source or binary name, per
 *   family, as core's `lookupOf`) is that package; plus the hosts with open
 *   findings of it (an advisory that dropped a package resolves them).
 * - A CVE's enrichment (KEV added/modified/removed, EPSS jump, CVE record):
 *   the hosts with open findings of an advisory that is or aliases the CVE.
 *   Hosts of a release with new advisories whose last assessment failed or
 *   found the store without advisories for it are re-assessed too.
 * - An end-of-life cycle added or changed: the hosts of the releases whose
 *   cycle (core's `family.eolCycle`) it is.
 */
import { familyFor, type OsIdentity } from '@patchloop/core';
import {
  changedAdvisorySlots,
  changedEolCycles,
  fleetReleases,
  hostsNotCleanlyAssessed,
  hostsOfRelease,
  hostsWithChangedFindings,
  hostsWithPackages,
  type AdvisorySlot,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';

const slotKey = (ecosystem: string, release: string) => `${ecosystem}\u0000${release}`;

/** The hosts whose findings the import runs with ids in [from, to] can change. */
export async function hostsAffectedByImports(
  ctx: ServerContext,
  from: number,
  to: number,
): Promise<Set<number>> {
  const { db } = ctx;
  const hosts = new Set(await hostsWithChangedFindings(db, from, to));
  const slots = await changedAdvisorySlots(db, from, to);
  const eol = new Set(await changedEolCycles(db, from, to));
  if (slots.length === 0 && eol.size === 0) return hosts;
  // Package names by (ecosystem, release), as the matcher looks advisories up.
  const names = new Map<string, Set<string>>();
  for (const s of slots as AdvisorySlot[]) {
    const k = slotKey(s.ecosystem, s.release);
    let set = names.get(k);
    if (!set) names.set(k, (set = new Set()));
    set.add(s.package);
  }
  for (const release of await fleetReleases(db)) {
    const os: OsIdentity = {
      id: release.osId,
      versionId: release.versionId ?? '',
      codename: release.codename,
      prettyName: null,
    };
    const family = familyFor(os);
    if (!family) continue; // not assessed: never has findings
    const lookup = new Set<string>();
    for (const t of family.targets(os))
      for (const r of t.releases) for (const n of names.get(slotKey(t.ecosystem, r)) ?? []) lookup.add(n);
    const cycle = family.eolCycle(os);
    const ids =
      cycle && eol.has(`${cycle.product} ${cycle.cycle}`)
        ? await hostsOfRelease(db, release)
        : [
            ...(await hostsWithPackages(db, release, family.matchBy, [...lookup])),
            // Advisories for the release: hosts whose assessment said "no advisories" (or failed) too.
            ...(lookup.size > 0 ? await hostsNotCleanlyAssessed(db, release) : []),
          ];
    for (const id of ids) hosts.add(id);
  }
  return hosts;
}
