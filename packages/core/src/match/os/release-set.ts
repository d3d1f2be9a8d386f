/**
 * Keeping only the releases the fleet runs (PATCHLOOP_FEED_RELEASES=fleet,
 * `feeds import|sync --releases`): which advisory ecosystems and releases a
 * set of hosts needs, through the same mapping matching uses (each
 * family's `targets`), and an advisory cut down to them. Default: keep all.
 */
import type { Advisory } from '../../advisory/model.js';
import type { AdvisoryTarget } from '../../ecosystem/family.js';
import type { OsIdentity } from '../../inventory/model.js';
import { familyFor } from './list.js';

/** What to keep: the fleet's releases (read from the store at import time) and these. */
export interface FeedReleases {
  readonly fleet: boolean;
  readonly extra: readonly OsIdentity[];
}

/**
 * `all` (or empty): keep every release (null). Otherwise a comma-separated
 * list of `fleet` and `<os-release ID>:<VERSION_ID>` ("debian:13",
 * "ubuntu:24.04", "alpine:3.20", "almalinux:9").
 */
export function parseFeedReleases(
  value: string | undefined,
): { readonly value: FeedReleases | null } | { readonly problem: string } {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0 || (items.length === 1 && items[0]?.toLowerCase() === 'all')) return { value: null };
  let fleet = false;
  const extra: OsIdentity[] = [];
  for (const item of items) {
    if (item.toLowerCase() === 'fleet') {
      fleet = true;
      continue;
    }
    const m = /^([a-z][a-z0-9._-]*):([0-9][0-9.]*)$/i.exec(item);
    const os: OsIdentity | null = m
      ? { id: (m[1] as string).toLowerCase(), versionId: m[2] as string, codename: null, prettyName: null }
      : null;
    if (!os || !familyFor(os)) {
      return {
        problem: `${JSON.stringify(item)} is not "all", "fleet" or <os>:<version> of an assessed OS (debian:12, ubuntu:24.04, alpine:3.20, almalinux:9, rocky:9, rhel:9)`,
      };
    }
    extra.push(os);
  }
  return { value: { fleet, extra } };
}

/** The advisory ecosystems and release spellings the hosts need, one target per ecosystem, sorted. */
export function releaseTargets(hosts: readonly OsIdentity[]): AdvisoryTarget[] {
  const by = new Map<string, Set<string>>();
  for (const os of hosts) {
    for (const t of familyFor(os)?.targets(os) ?? []) {
      const set = by.get(t.ecosystem) ?? new Set<string>();
      for (const r of t.releases) set.add(r);
      by.set(t.ecosystem, set);
    }
  }
  return [...by]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ecosystem, releases]) => ({ ecosystem, releases: [...releases].sort() }));
}

/** The releases of one ecosystem the targets keep (sorted; empty when none). */
export function releasesFor(targets: readonly AdvisoryTarget[], ecosystem: string): string[] {
  return [...(targets.find((t) => t.ecosystem === ecosystem)?.releases ?? [])];
}

/**
 * The advisory with only the affected entries of kept releases, or null
 * when none is left. A release is compared by its first ':' part (Ubuntu's
 * Pro and FIPS channels, "22.04:pro", follow their version).
 */
export function keepReleases(advisory: Advisory, targets: readonly AdvisoryTarget[]): Advisory | null {
  const affected = advisory.affected.filter((a) => {
    const kept = targets.find((t) => t.ecosystem === a.ecosystem);
    return kept !== undefined && a.release !== null && kept.releases.includes(a.release.split(':')[0] ?? '');
  });
  if (affected.length === advisory.affected.length) return advisory;
  return affected.length === 0 ? null : { ...advisory, affected };
}
