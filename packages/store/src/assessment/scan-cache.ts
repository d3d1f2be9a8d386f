/**
 * What assessing stored hosts reads, kept between hosts of one feed
 * generation. `loadScanData` reads and parses every advisory document naming
 * one of a host's packages, for every host: at 1,000 packages a host that was
 * ~90 % of the database's work in a fleet's first assessment, although hosts
 * of one release share nearly all their packages. This cache asks the store
 * only for the (ecosystem, release, package) keys and CVE ids no earlier host
 * asked for, and hands the matcher one advisory source and one enrichment
 * source for the whole generation — so the tuple cache's enrichment memo
 * holds across hosts too.
 *
 * The caller clears it when the feed generation changes (as it clears the
 * tuple cache). Memory is bounded: past `maxDocs` advisory documents it
 * starts over.
 */
import type {
  Advisory,
  AdvisorySource,
  AdvisoryTarget,
  CveRecord,
  EnrichmentSource,
  EolCycle,
  EpssScore,
  IndexedEntry,
  KevEntry,
} from '@patchloop/core';
import type { Queryable } from '../db.js';
import type { ScanData, ScanDataRequest } from './scan-data.js';

export interface CachedScanSources {
  readonly advisories: AdvisorySource;
  readonly enrichment: EnrichmentSource;
  readonly advisoriesPerTarget: ScanData['advisoriesPerTarget'];
}

const entryKey = (ecosystem: string, release: string, pkg: string) =>
  `${ecosystem}\u0000${release}\u0000${pkg}`;
const docKey = (source: string, id: string) => `${source}\u0000${id}`;
/** The order `readScanIndex` gives (code units, as a C collation would). */
const bySourceAndId = (a: Advisory, b: Advisory) =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Rows per `= ANY` array: keeps each query's parameters and result moderate. */
const CHUNK = 2000;
function* chunks<T>(items: readonly T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export class ScanDataCache {
  /** "source\0id" → document; null: withdrawn or gone. */
  private docs = new Map<string, Advisory | null>();
  /** "ecosystem\0release\0package" → the entries naming it, advisories in (source, id) order. */
  private entries = new Map<string, readonly IndexedEntry[]>();
  private counts = new Map<string, number>();
  private cves = new Map<string, CveRecord | null>();
  private kevs = new Map<string, KevEntry | null>();
  private epsss = new Map<string, EpssScore | null>();
  private eol = new Map<string, readonly EolCycle[]>();
  /** Store reads done (advisory documents fetched): for tests and benchmarks. */
  docsRead = 0;

  readonly advisories: AdvisorySource = {
    entries: (ecosystem, release, pkg) => this.entries.get(entryKey(ecosystem, release, pkg)) ?? [],
  };

  readonly enrichment: EnrichmentSource = {
    cve: (id) => this.cves.get(id) ?? undefined,
    kev: (id) => this.kevs.get(id) ?? undefined,
    epss: (id) => this.epsss.get(id) ?? undefined,
    eolCycles: (product) => this.eol.get(product) ?? [],
  };

  constructor(private readonly maxDocs = 60_000) {}

  get size(): number {
    return this.docs.size;
  }

  clear(): void {
    this.docs.clear();
    this.entries.clear();
    this.counts.clear();
    this.cves.clear();
    this.kevs.clear();
    this.epsss.clear();
    this.eol.clear();
  }

  /** Makes sure everything `req` needs is held, reading only what is not. */
  async load(db: Queryable, req: ScanDataRequest): Promise<CachedScanSources> {
    if (this.docs.size > this.maxDocs) this.clear();
    try {
      return await this.read(db, req);
    } catch (e) {
      // A read cut short (the database went away) may have left documents without their CVEs.
      this.clear();
      throw e;
    }
  }

  private async read(db: Queryable, req: ScanDataRequest): Promise<CachedScanSources> {
    const names = [...new Set(req.packages)];
    const advisoriesPerTarget: { ecosystem: string; releases: readonly string[]; count: number }[] = [];
    const newCves = new Set<string>();
    for (const t of req.targets) {
      advisoriesPerTarget.push({
        ecosystem: t.ecosystem,
        releases: t.releases,
        count: await this.count(db, t),
      });
      for (const release of t.releases) {
        const missing = names.filter((n) => !this.entries.has(entryKey(t.ecosystem, release, n)));
        for (const part of chunks(missing)) await this.loadEntries(db, t.ecosystem, release, part, newCves);
      }
    }
    await this.loadEnrichment(db, [...newCves]);
    if (req.eolProduct !== null && !this.eol.has(req.eolProduct)) {
      const r = await db.query<{ doc: EolCycle }>('SELECT doc FROM eol_cycle WHERE product = $1', [
        req.eolProduct,
      ]);
      this.eol.set(
        req.eolProduct,
        r.rows.map((row) => row.doc),
      );
    }
    return { advisories: this.advisories, enrichment: this.enrichment, advisoriesPerTarget };
  }

  private async count(db: Queryable, t: AdvisoryTarget): Promise<number> {
    const k = `${t.ecosystem}\u0000${t.releases.join('\u0000')}`;
    let n = this.counts.get(k);
    if (n === undefined) {
      const held = await db.query<{ n: number }>(
        `SELECT count(DISTINCT (source, advisory_id))::int AS n FROM advisory_package
         WHERE ecosystem = $1 AND release = ANY($2::text[])`,
        [t.ecosystem, t.releases],
      );
      n = held.rows[0]?.n ?? 0;
      this.counts.set(k, n);
    }
    return n;
  }

  private async loadEntries(
    db: Queryable,
    ecosystem: string,
    release: string,
    names: readonly string[],
    newCves: Set<string>,
  ): Promise<void> {
    if (names.length === 0) return;
    const refs = await db.query<{ package: string; source: string; id: string }>(
      `SELECT DISTINCT package, source, advisory_id AS id FROM advisory_package
       WHERE ecosystem = $1 AND release = $2 AND package = ANY($3::text[])`,
      [ecosystem, release, names],
    );
    const unread = [
      ...new Map(
        refs.rows
          .filter((r) => !this.docs.has(docKey(r.source, r.id)))
          .map((r) => [docKey(r.source, r.id), r]),
      ).values(),
    ];
    for (const part of chunks(unread)) {
      const r = await db.query<{ doc: Advisory }>(
        `SELECT a.doc FROM advisory a
         WHERE a.withdrawn IS NULL AND (a.source, a.id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [part.map((p) => p.source), part.map((p) => p.id)],
      );
      this.docsRead += r.rows.length;
      for (const p of part) this.docs.set(docKey(p.source, p.id), null);
      for (const { doc } of r.rows) {
        this.docs.set(docKey(doc.source, doc.id), doc);
        for (const id of [doc.id, ...doc.aliases])
          if (id.startsWith('CVE-') && !this.cves.has(id)) newCves.add(id);
      }
    }
    const byName = new Map<string, Advisory[]>(names.map((n) => [n, []]));
    for (const r of refs.rows) {
      const doc = this.docs.get(docKey(r.source, r.id));
      if (doc) byName.get(r.package)?.push(doc);
    }
    for (const [name, docs] of byName) {
      const list: IndexedEntry[] = [];
      for (const advisory of [...new Set(docs)].sort(bySourceAndId)) {
        for (const affected of advisory.affected) {
          if (
            affected.ecosystem === ecosystem &&
            (affected.release ?? '') === release &&
            affected.package === name
          )
            list.push({ advisory, affected });
        }
      }
      this.entries.set(entryKey(ecosystem, release, name), list);
    }
  }

  private async loadEnrichment(db: Queryable, ids: readonly string[]): Promise<void> {
    for (const part of chunks([...ids].sort())) {
      const [cves, kev, epss] = await Promise.all([
        db.query<{ doc: CveRecord }>('SELECT doc FROM cve WHERE id = ANY($1::text[])', [part]),
        db.query<{ doc: KevEntry }>('SELECT doc FROM kev WHERE cve_id = ANY($1::text[])', [part]),
        db.query<EpssScore>(
          'SELECT cve_id AS "cveId", epss, percentile FROM epss WHERE cve_id = ANY($1::text[])',
          [part],
        ),
      ]);
      for (const id of part) {
        this.cves.set(id, null);
        this.kevs.set(id, null);
        this.epsss.set(id, null);
      }
      for (const { doc } of cves.rows) this.cves.set(doc.id, doc);
      for (const { doc } of kev.rows) this.kevs.set(doc.cveId, doc);
      for (const e of epss.rows) this.epsss.set(e.cveId, e);
    }
  }
}
