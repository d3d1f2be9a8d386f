/**
 * The assessment engine. It works on distinct (ecosystem, releases, package,
 * version) tuples, not host × package: the answer for a tuple is computed
 * once and cached, so a fleet of near-identical hosts costs little more
 * than one. Pure: advisories, enrichment and `now` are passed in.
 */
import { affects } from '../advisory/affects.js';
import type { Advisory, AffectedPackage } from '../advisory/model.js';
import type { AdvisoryTarget, OsFamily } from '../ecosystem/family.js';
import type { InstalledPackage, OsIdentity } from '../inventory/model.js';
import { SCHEMES } from '../version/list.js';
import type { VersionScheme } from '../version/scheme.js';
import type { AdvisorySource, EnrichmentSource, IndexedEntry } from './advisory-source.js';
import { enrich, type Enriched } from './enrich.js';
import type { AdvisoryStatus } from './status.js';

/** One advisory entry that covers a tuple. */
export interface TupleMatch {
  readonly entry: IndexedEntry;
  readonly release: string;
  readonly status: AdvisoryStatus;
  readonly fixedVersion: string | null;
  readonly range: string | null;
}

/**
 * Caches tuple answers by host context (family, OS, targets), package name
 * and version — nested maps, so a lookup hashes strings the inventory already
 * holds instead of building a new key string per package. Also keeps the
 * enrichment of each advisory object: clear it when CVE, KEV or EPSS data changes.
 */
export class TupleCache {
  private readonly answers = new Map<string, Map<string, Map<string, readonly TupleMatch[]>>>();
  private count = 0;
  private enrichedBySource = new WeakMap<EnrichmentSource, WeakMap<Advisory, Enriched>>();
  hits = 0;
  misses = 0;

  get size(): number {
    return this.count;
  }

  get(context: string, name: string, version: string): readonly TupleMatch[] | undefined {
    const a = this.answers.get(context)?.get(name)?.get(version);
    if (a) this.hits++;
    else this.misses++;
    return a;
  }

  set(context: string, name: string, version: string, matches: readonly TupleMatch[]): void {
    let byName = this.answers.get(context);
    if (!byName) this.answers.set(context, (byName = new Map()));
    let byVersion = byName.get(name);
    if (!byVersion) byName.set(name, (byVersion = new Map()));
    if (!byVersion.has(version)) this.count++;
    byVersion.set(version, matches);
  }

  /** The enrichment of an advisory, computed once per advisory object. */
  enriched(advisory: Advisory, source: EnrichmentSource): Enriched {
    let bySource = this.enrichedBySource.get(source);
    if (!bySource) this.enrichedBySource.set(source, (bySource = new WeakMap()));
    let e = bySource.get(advisory);
    if (e === undefined) bySource.set(advisory, (e = enrich(advisory, source)));
    return e;
  }

  /** Forgets the answers for packages an advisory change names. */
  invalidatePackages(names: Iterable<string>): number {
    let n = 0;
    for (const name of names) {
      for (const byName of this.answers.values()) {
        const byVersion = byName.get(name);
        if (!byVersion) continue;
        n += byVersion.size;
        byName.delete(name);
      }
    }
    this.count -= n;
    return n;
  }

  /** Forgets the enrichment (CVE, KEV or EPSS data changed); tuple answers stay. */
  clearEnrichment(): void {
    this.enrichedBySource = new WeakMap();
  }

  clear(): void {
    this.answers.clear();
    this.count = 0;
    this.clearEnrichment();
  }
}

/** The part of a tuple's key shared by every package of a host. */
export function contextKey(
  family: OsFamily,
  os: OsIdentity,
  targets: readonly AdvisoryTarget[],
  epochKnown = true,
): string {
  return `${epochKnown ? '' : '~'}${family.name}\u0000${os.id}\u0000${targets.map((t) => `${t.ecosystem}:${t.releases.join(',')}`).join(';')}`;
}

/** The package name and version advisories of the family are keyed and ordered by. */
export function lookupOf(family: OsFamily, pkg: InstalledPackage): { name: string; version: string } {
  return family.matchBy === 'source'
    ? { name: pkg.sourceName, version: pkg.sourceVersion }
    : { name: pkg.name, version: pkg.version };
}

const withoutEpoch = (v: string) => v.replace(/^\d+:/, '');

/** The advisory's own fixed version (epoch included) behind one compared without it. */
function withEpochOf(
  entry: AffectedPackage,
  family: OsFamily,
  target: AdvisoryTarget,
  os: OsIdentity,
  stripped: string,
): string {
  for (const r of entry.ranges) {
    for (const e of r.events) {
      if (e.fixed === undefined) continue;
      const own = family.fixedVersionFor(e.fixed, target, os);
      if (withoutEpoch(own) === stripped) return own;
    }
  }
  return stripped;
}

/**
 * What matching does to an advisory entry before comparing: a rebuild's fixed
 * version read for the host's distribution (AlmaLinux ".alma.N" on RHEL) and,
 * for an inventory without epochs, epochs dropped on both sides.
 */
export function adjustEntry(
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
  /** `contextKey(family, os, targets, true|false)`, computed once per host (else per call). */
  readonly key?: string | undefined;
  readonly keyWithoutEpoch?: string | undefined;
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
  const key = ctx.cache
    ? ((epochKnown ? ctx.key : ctx.keyWithoutEpoch) ??
      contextKey(ctx.family, ctx.os, ctx.targets, epochKnown))
    : '';
  const cached = ctx.cache?.get(key, name, version);
  if (cached) return cached;
  const scheme = SCHEMES[ctx.family.scheme] as VersionScheme<unknown>;
  const out: TupleMatch[] = [];
  if (scheme.validate(version) === null) {
    for (const target of ctx.targets) {
      for (const release of target.releases) {
        for (const entry of ctx.advisories.entries(target.ecosystem, release, name)) {
          if (entry.advisory.withdrawn !== null) continue; // the publisher took it back
          const affected = adjustEntry(ctx.family, entry.affected, target, ctx.os, !epochKnown);
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
            // Compared without the epoch, shown with it: the version to install.
            fixedVersion:
              r.fixedVersion !== null && !epochKnown
                ? withEpochOf(entry.affected, ctx.family, target, ctx.os, r.fixedVersion)
                : r.fixedVersion,
            range: r.range,
          });
        }
      }
    }
  }
  ctx.cache?.set(key, name, version, out);
  return out;
}
