/**
 * Which hosts a selector picks, which policy governs a host when several
 * match, and which ring of its policy a host is in.
 *
 * Precedence: a policy that names the host (selector.hosts) wins over one
 * that selects it by group, which wins over one by tag, which wins over a
 * global policy (no hosts, groups or tags; an os filter may still apply).
 * Within a level the policy whose name sorts first wins. Excludes always
 * remove a host, whatever the level.
 */
import type { PolicyDocument, PolicyHost, Ring, Selector, SelectorCriteria } from './model.js';

export type MatchLevel = 'host' | 'group' | 'tag' | 'global';

/** Most specific first. */
export const MATCH_LEVELS: readonly MatchLevel[] = ['host', 'group', 'tag', 'global'];

const lower = (s: string) => s.toLowerCase();

function osMatches(entry: string, host: PolicyHost): boolean {
  const [id, version] = entry.split(':') as [string, string | undefined];
  if (id !== lower(host.os.id)) return false;
  return version === undefined || version === host.os.versionId;
}

/** Per attribute: null when the list is empty (no condition), else whether the host has one of its values. */
function conditions(c: SelectorCriteria, host: PolicyHost): (boolean | null)[] {
  const any = <T>(list: readonly T[], test: (x: T) => boolean) =>
    list.length === 0 ? null : list.some(test);
  return [
    any(c.hosts, (h) => lower(h) === lower(host.hostname)),
    any(c.groups, (g) => host.groups.includes(g)),
    any(c.tags, (t) => host.tags.includes(t)),
    any(c.os, (o) => osMatches(o, host)),
  ];
}

/**
 * Whether a selector picks a host: every non-empty list has a value the host
 * has (hostnames compare case-insensitively), and no exclude list does.
 */
export function matchesSelector(selector: Selector, host: PolicyHost): boolean {
  if (conditions(selector.exclude, host).some((c) => c === true)) return false;
  return conditions(selector, host).every((c) => c !== false);
}

/** How specifically a selector picks a host, or null when it does not pick it. */
export function matchLevel(selector: Selector, host: PolicyHost): MatchLevel | null {
  if (!matchesSelector(selector, host)) return null;
  if (selector.hosts.length > 0) return 'host';
  if (selector.groups.length > 0) return 'group';
  if (selector.tags.length > 0) return 'tag';
  return 'global';
}

/** The policy governing a host (see the precedence above), or null when none selects it. */
export function policyForHost<P extends PolicyDocument>(policies: readonly P[], host: PolicyHost): P | null {
  let best: { policy: P; rank: number } | null = null;
  for (const policy of policies) {
    const level = matchLevel(policy.selector, host);
    if (level === null) continue;
    const rank = MATCH_LEVELS.indexOf(level);
    if (best === null || rank < best.rank || (rank === best.rank && policy.name < best.policy.name)) {
      best = { policy, rank };
    }
  }
  return best?.policy ?? null;
}

/** A host a policy selects but another policy governs, since it takes precedence there. */
export interface LostHost {
  readonly hostname: string;
  /** The policy that governs the host. */
  readonly to: string;
  /** How each of the two selects it: the winner's level is more specific, or equal with a name sorting first. */
  readonly level: MatchLevel;
  readonly toLevel: MatchLevel;
}

/**
 * The hosts `policy` selects but loses to another policy of `policies`, by
 * hostname. A policy all of whose selected hosts are lost governs nothing.
 */
export function lostHosts<H extends PolicyHost>(
  policy: PolicyDocument,
  policies: readonly PolicyDocument[],
  hosts: readonly H[],
): LostHost[] {
  const others = [...policies.filter((p) => p.name !== policy.name), policy];
  const lost: LostHost[] = [];
  for (const host of hosts) {
    const level = matchLevel(policy.selector, host);
    if (level === null) continue;
    const winner = policyForHost(others, host);
    if (winner === null || winner.name === policy.name) continue;
    lost.push({
      hostname: host.hostname,
      to: winner.name,
      level,
      toLevel: matchLevel(winner.selector, host) as MatchLevel,
    });
  }
  return lost.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

/** The first ring whose selector picks the host; a host no ring picks goes to the last ring. */
export function ringForHost(policy: PolicyDocument, host: PolicyHost): Ring {
  const found = policy.rings.find((r) => matchesSelector(r.selector, host));
  const ring = found ?? policy.rings[policy.rings.length - 1];
  if (ring === undefined)
    throw new TypeError(`policy ${policy.name} has no rings (parsePolicy never returns that)`);
  return ring;
}
