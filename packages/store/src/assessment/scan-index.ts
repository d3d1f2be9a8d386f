/**
 * The scan index: for the embedded store, what a scan of one OS release
 * needs, written as plain JSON files next to the database after every feed
 * import, so that `patchloop scan` does not start PGlite (about 0.4 s of a
 * 0.5 s scan). The index is removed before an import changes the store and
 * written again after it: a scan that finds no complete index reads the
 * database instead, so it never reads stale data.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Advisory, CveRecord, EolCycle, EpssScore, KevEntry } from '@patchloop/core';
import type { Queryable } from '../db.js';
import type { ScanData, ScanDataRequest } from './scan-data.js';

export const SCAN_INDEX_DIR = 'scan-index';
const FORMAT = 1;

interface Manifest {
  readonly format: number;
  readonly generatedAt: string;
  /** "ecosystem\u0000release" → file name. */
  readonly groups: Readonly<Record<string, string>>;
}

interface GroupFile {
  readonly advisories: Advisory[];
  readonly cves: CveRecord[];
  readonly kev: KevEntry[];
  readonly epss: EpssScore[];
}

const groupKey = (ecosystem: string, release: string) => `${ecosystem}\u0000${release}`;

/** Forgets the index (before the store changes). */
export function removeScanIndex(dataDir: string): void {
  rmSync(join(dataDir, SCAN_INDEX_DIR), { recursive: true, force: true });
}

/** Rows per query while the index is written: bounded memory, and the event loop turns between pages. */
const PAGE = 500;

/** Appends `[a,b,…]` of `items` to an open file, page by page. */
class JsonArrayWriter {
  private first = true;
  constructor(private readonly fd: number) {
    writeSync(fd, '[');
  }
  add(items: readonly unknown[]): void {
    if (items.length === 0) return;
    writeSync(this.fd, `${this.first ? '' : ','}${items.map((i) => JSON.stringify(i)).join(',')}`);
    this.first = false;
  }
  end(): void {
    writeSync(this.fd, ']');
  }
}

/**
 * Writes one group's file: `{"advisories":[…],"cves":[…],"kev":[…],"epss":[…]}`,
 * reading each part in pages (a Debian release has tens of thousands of
 * advisories: read whole, they took gigabytes and stalled the server).
 */
async function writeGroup(db: Queryable, path: string, ecosystem: string, release: string): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '{"advisories":');
    const advisories = new JsonArrayWriter(fd);
    const ids = new Set<string>();
    let after: [string, string] = ['', ''];
    for (;;) {
      const page = await db.query<{ source: string; id: string; doc: Advisory }>(
        `SELECT a.source, a.id, a.doc FROM advisory a
          WHERE a.withdrawn IS NULL AND (a.source, a.id) > ($3, $4) AND (a.source, a.id) IN (
            SELECT p.source, p.advisory_id FROM advisory_package p WHERE p.ecosystem = $1 AND p.release = $2)
          ORDER BY a.source, a.id LIMIT ${PAGE}`,
        [ecosystem, release, after[0], after[1]],
      );
      const docs = page.rows.map((r) => r.doc);
      advisories.add(docs);
      for (const a of docs) for (const id of [a.id, ...a.aliases]) if (id.startsWith('CVE-')) ids.add(id);
      const last = page.rows.at(-1);
      if (!last || page.rows.length < PAGE) break;
      after = [last.source, last.id];
    }
    advisories.end();
    const sorted = [...ids].sort();
    const parts: [string, (chunk: string[]) => Promise<unknown[]>][] = [
      [
        'cves',
        async (c) =>
          (
            await db.query<{ doc: CveRecord }>('SELECT doc FROM cve WHERE id = ANY($1::text[]) ORDER BY id', [
              c,
            ])
          ).rows.map((r) => r.doc),
      ],
      [
        'kev',
        async (c) =>
          (
            await db.query<{ doc: KevEntry }>(
              'SELECT doc FROM kev WHERE cve_id = ANY($1::text[]) ORDER BY cve_id',
              [c],
            )
          ).rows.map((r) => r.doc),
      ],
      [
        'epss',
        async (c) =>
          (
            await db.query<EpssScore>(
              'SELECT cve_id AS "cveId", epss, percentile FROM epss WHERE cve_id = ANY($1::text[]) ORDER BY cve_id',
              [c],
            )
          ).rows,
      ],
    ];
    for (const [name, read] of parts) {
      writeSync(fd, `,"${name}":`);
      const out = new JsonArrayWriter(fd);
      for (let i = 0; i < sorted.length; i += PAGE) out.add(await read(sorted.slice(i, i + PAGE)));
      out.end();
    }
    writeSync(fd, '}');
  } finally {
    closeSync(fd);
  }
}

/** Writes the index of everything the store holds, replacing any older one. */
export async function writeScanIndex(
  db: Queryable,
  dataDir: string,
  now = new Date(),
): Promise<{ groups: number }> {
  const tmp = join(dataDir, `${SCAN_INDEX_DIR}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    return await writeIndexTo(db, tmp, dataDir, now);
  } catch (e) {
    // A half-written index (a full disk) takes no space it has not earned.
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function writeIndexTo(
  db: Queryable,
  tmp: string,
  dataDir: string,
  now: Date,
): Promise<{ groups: number }> {
  mkdirSync(tmp, { recursive: true });
  const groups = await db.query<{ ecosystem: string; release: string }>(
    'SELECT DISTINCT ecosystem, release FROM advisory_package ORDER BY ecosystem, release',
  );
  const files: Record<string, string> = {};
  let n = 0;
  for (const g of groups.rows) {
    const file = `group-${n++}.json`;
    await writeGroup(db, join(tmp, file), g.ecosystem, g.release);
    files[groupKey(g.ecosystem, g.release)] = file;
  }
  const eol = await db.query<{ doc: EolCycle }>('SELECT doc FROM eol_cycle ORDER BY product, cycle');
  writeFileSync(join(tmp, 'eol.json'), JSON.stringify(eol.rows.map((r) => r.doc)));
  const manifest: Manifest = { format: FORMAT, generatedAt: now.toISOString(), groups: files };
  // The manifest is written last: an index without one is incomplete and never read.
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
  removeScanIndex(dataDir);
  renameSync(tmp, join(dataDir, SCAN_INDEX_DIR));
  return { groups: groups.rows.length };
}

/** What a scan needs, from the index; null when there is no complete index (read the store). */
export function readScanIndex(dataDir: string, req: ScanDataRequest): ScanData | null {
  const dir = join(dataDir, SCAN_INDEX_DIR);
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return null;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (manifest.format !== FORMAT) return null;
  const wanted = new Set(req.packages);
  const advisories = new Map<string, Advisory>();
  const cves = new Map<string, CveRecord>();
  const kev = new Map<string, KevEntry>();
  const epss = new Map<string, EpssScore>();
  const advisoriesPerTarget: { ecosystem: string; releases: readonly string[]; count: number }[] = [];
  for (const t of req.targets) {
    let count = 0;
    for (const release of t.releases) {
      const file = manifest.groups[groupKey(t.ecosystem, release)];
      if (file === undefined) continue;
      const g = JSON.parse(readFileSync(join(dir, file), 'utf8')) as GroupFile;
      count += g.advisories.length;
      for (const a of g.advisories) {
        if (
          a.affected.some(
            (p) => p.ecosystem === t.ecosystem && (p.release ?? '') === release && wanted.has(p.package),
          )
        ) {
          advisories.set(`${a.source}\u0000${a.id}`, a);
        }
      }
      for (const c of g.cves) cves.set(c.id, c);
      for (const k of g.kev) kev.set(k.cveId, k);
      for (const e of g.epss) epss.set(e.cveId, e);
    }
    advisoriesPerTarget.push({ ecosystem: t.ecosystem, releases: t.releases, count });
  }
  const eol =
    req.eolProduct === null
      ? []
      : (JSON.parse(readFileSync(join(dir, 'eol.json'), 'utf8')) as EolCycle[]).filter(
          (c) => c.product === req.eolProduct,
        );
  const sorted = [...advisories.values()].sort((a, b) =>
    a.source < b.source ? -1 : a.source > b.source ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return {
    advisories: sorted,
    advisoriesPerTarget,
    cves: [...cves.values()],
    kev: [...kev.values()],
    epss: [...epss.values()],
    eol,
  };
}
