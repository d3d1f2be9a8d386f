/**
 * The assessment engine. It works on distinct (ecosystem, releases, package,
 * version) tuples, not host × package: the answer for a tuple is computed
 * once and cached, so a fleet of near-identical hosts costs little more
 * than one. Pure: advisories, enrichment and `now` are passed in.
 */
import { affects } from '../advisory/affects.js';
import type { AffectedPackage, Classification } from '../advisory/model.js';
import type { AdvisoryTarget, OsFamily } from '../ecosystem/family.js';
import type { InstalledPackage, OsIdentity } from '../inventory/model.js';
import { SCHEMES } from '../version/list.js';
import type { VersionScheme } from '../version/scheme.js';
import type { AdvisorySource, IndexedEntry } from './advisory-source.js';
import type { AdvisoryStatus } from './status.js';

/** One advisory entry that covers a tuple. */
export interface TupleMatch {
  readonly entry: IndexedEntry;
  readonly release: string;
  readonly status: AdvisoryStatus;
  readonly fixedVersion: string | null;
  readonly range: string | null;
}

/** Caches tuple answers; invalidated per package name when advisories change. */
export class TupleCache {
  private readonly answers = new Map<string, readonly TupleMatch[]>();
  private readonly byPackage = new Map<string, Set<string>>();
  hits = 0;
  misses = 0;

  get size(): number {
    return this.answers.size;
  }

  get(key: string): readonly TupleMatch[] | undefined {
    const a = this.answers.get(key);
    if (a) this.hits++;
    else this.misses++;
    return a;
  }

  set(key: string, pkg: string, matches: readonly TupleMatch[]): void {
    this.answers.set(key, matches);
    let keys = this.byPackage.get(pkg);
    if (!keys) this.byPackage.set(pkg, (keys = new Set()));
    keys.add(key);
  }

  /** Forgets the answers for packages an advisory change names. */
  invalidatePackages(names: Iterable<string>): number {
    let n = 0;
    for (const name of names) {
      for (const k of this.byPackage.get(name) ?? []) if (this.answers.delete(k)) n++;
      this.byPackage.delete(name);
    }
    return n;
  }

  clear(): void {
    this.answers.clear();
    this.byPackage.clear();
  }
}

/** The package name and version advisories of the family are keyed and ordered by. */
export function lookupOf(family: OsFamily, pkg: InstalledPackage): { name: string; version: string } {
  return family.matchBy === 'source'
    ? { name: pkg.sourceName, version: pkg.sourceVersion }
    : { name: pkg.name, version: pkg.version };
}

const withoutEpoch = (v: string) => v.replace(/^\d+:/, '');

function adjusted(
  family: OsFamily,
  entry: AffectedPackage,
  target: AdvisoryTarget,
  os: OsIdentity,
  ignoreEpoch: boolean,
): AffectedPackage {
  const fix = (v: string) => family.fixedVersionFor(v, target, os);
  const changesFix = entry.fixedVersion !== null && fix(entry.fixedVersion) !== entry.fixedVersion;
  if (!changesFix && !ignoreEpoch) return entry;
  const map = (v: string) => (ignoreEpoch ? withoutEpoch(v) : v);
  return {
    ...entry,
    fixedVersion: entry.fixedVersion === null ? null : map(fix(entry.fixedVersion)),
    ranges: entry.ranges.map((r) => ({
      ...r,
      events: r.events.map((e) =>
        e.fixed !== undefined
          ? { fixed: map(fix(e.fixed)) }
          : e.introduced !== undefined
            ? { introduced: map(e.introduced) }
            : e.last_affected !== undefined
              ? { last_affected: map(e.last_affected) }
              : e,
      ),
    })),
    versions: entry.versions.map(map),
  };
}

export interface MatchContext {
  readonly family: OsFamily;
  readonly os: OsIdentity;
  readonly targets: readonly AdvisoryTarget[];
  readonly advisories: AdvisorySource;
  readonly cache?: TupleCache | undefined;
  /** Only advisories of these classifications (default: all). */
  readonly only?: readonly Classification[] | undefined;
}

/**
 * Every advisory entry that covers (package name, version) for the host's
 * targets. `epochKnown: false` (an inventory that does not record epochs)
 * compares without epochs on both sides.
 */
export function matchTuple(
  ctx: MatchContext,
  name: string,
  version: string,
  epochKnown = true,
): readonly TupleMatch[] {
  const key = `${epochKnown ? '' : '~'}${ctx.family.name}\u0000${ctx.os.id}\u0000${ctx.targets.map((t) => `${t.ecosystem}:${t.releases.join(',')}`).join(';')}\u0000${name}\u0000${version}`;
  const cached = ctx.cache?.get(key);
  if (cached) return cached;
  const scheme = SCHEMES[ctx.family.scheme] as VersionScheme<unknown>;
  const out: TupleMatch[] = [];
  if (scheme.validate(version) === null) {
    for (const target of ctx.targets) {
      for (const release of target.releases) {
        for (const entry of ctx.advisories.entries(target.ecosystem, release, name)) {
          const affected = adjusted(ctx.family, entry.affected, target, ctx.os, !epochKnown);
          let r;
          try {
            r = affects(affected, version, scheme);
          } catch {
            continue; // an advisory version the scheme rejects never matches
          }
          if (!r.affected) continue;
          out.push({
            entry,
            release,
            status: r.fixedVersion !== null ? 'fixable' : 'unfixed',
            fixedVersion: r.fixedVersion,
            range: r.range,
          });
        }
      }
    }
  }
  ctx.cache?.set(key, name, out);
  return out;
}
