/**
 * For tests and benchmarks (`@patchloop/feeds/testing`): OSV archives of real
 * size built from the shared fixture records, written one entry at a time
 * (never all in memory) and cached under `<repo>/.feed-cache/`, keyed by
 * their parameters, so only the first run pays for building them.
 *
 * - Ubuntu: the fixtures' OSV records (USN, UBUNTU-CVE), compacted as the
 *   exporter writes them, copied with unique ids.
 * - Debian: the fixtures' DSA and DLA lists, written in the shapes OSV
 *   Debian has (DSA-/DLA- records with `upstream` CVEs and `versions`), each
 *   followed by one `DEBIAN-CVE-*` record per CVE it fixes: the same fix for
 *   the advisory's release (what matching must count once), an unfixed entry
 *   for a later release, and a point-release fix with no DSA for another.
 *
 * Copy k of a record (k ≥ 1) has its ids rewritten consistently: CVE-Y-N
 * becomes CVE-Y-k000000N, USN-N-M becomes USN-k00000N-M (DSA, DLA, LSN
 * alike), so every copy is a distinct record with the same structure.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir } from '@patchloop/test-support';
import { tarHeader, ZipWriter } from './zip-writer.js';

export type BigEcosystem = 'Debian' | 'Ubuntu';

export interface BigArchiveOptions {
  readonly ecosystem: BigEcosystem;
  /** How many records the archive holds. */
  readonly records: number;
  /** Where to write it (default `<repo>/.feed-cache/`); an archive already there is reused. */
  readonly dir?: string;
}

export interface BigArchive {
  readonly path: string;
  readonly records: number;
  /** Size of the archive file. */
  readonly bytes: number;
}

/** Bump when the generated content changes, so cached archives are rebuilt. */
const GENERATION = 2;

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file is packages/feeds/{src,dist}/testing/. */
export const repoRoot = resolve(here, '../../../..');

type Json = Record<string, unknown>;

/** One generated record: its entry name inside the archive and its JSON. */
interface Generated {
  readonly name: string;
  readonly text: string;
}

// ---- Ubuntu: the fixture records, compacted -------------------------------

function ubuntuTemplates(): { dir: string; text: string }[] {
  const root = join(fixturesDir(), 'osv-ubuntu');
  const out: { dir: string; text: string }[] = [];
  for (const dir of ['usn', 'cve', 'usn-related']) {
    const d = join(root, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) {
      if (!f.endsWith('.json')) continue;
      out.push({
        dir: dir === 'cve' ? 'cve' : 'usn',
        text: JSON.stringify(JSON.parse(readFileSync(join(d, f), 'utf8'))),
      });
    }
  }
  if (out.length === 0) throw new Error(`no OSV Ubuntu fixture records under ${root}`);
  return out;
}

// ---- Debian: DSA/DLA lists turned into OSV Debian shapes ------------------

interface TrackerEntry {
  date: string;
  id: string;
  package: string;
  title: string;
  cves: string[];
  fixed: { release: string; package: string; fixed_version: string }[];
}

const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  woody: '3.0',
  sarge: '3.1',
  etch: '4.0',
  lenny: '5.0',
  squeeze: '6.0',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
};

/** A deterministic pseudo-random sequence (records must be the same on every build). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** The versions a source package went through before `fixed` (OSV Debian lists them). */
function versionsBefore(fixed: string, rnd: () => number): string[] {
  const upstream = fixed.replace(/-[^-]*$/, '');
  const n = 60 + Math.floor(rnd() * 300);
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const minor = Math.floor(i / 6);
    out.push(
      `${upstream}${minor > 0 ? `.${minor}` : ''}-${(i % 6) + 1}${i % 7 === 0 ? `+deb${8 + (i % 5)}u${i % 4}` : ''}`,
    );
  }
  return out;
}

const WORDS =
  'a flaw was found in the handling of crafted input which could allow a remote attacker to cause a denial of service or possibly execute arbitrary code memory corruption buffer overflow use after free integer overflow out of bounds read when processing specially crafted files certificate validation bypass information disclosure'.split(
    ' ',
  );

function details(rnd: () => number, pkg: string): string {
  const n = 30 + Math.floor(rnd() * 90);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
  return `${pkg}: ${words.join(' ')}.`;
}

function purl(pkg: string): string {
  return `pkg:deb/debian/${pkg}?arch=source`;
}

function affectedEntry(pkg: string, release: string, fixed: string | null, rnd: () => number): Json {
  const events: Json[] = [{ introduced: '0' }];
  if (fixed !== null) events.push({ fixed });
  return {
    package: { name: pkg, ecosystem: `Debian:${release}`, purl: purl(pkg) },
    ranges: [{ type: 'ECOSYSTEM', events }],
    versions: versionsBefore(fixed ?? '1.0-1', rnd),
  };
}

function* debianRecords(entries: readonly TrackerEntry[]): Generator<Generated> {
  // A CVE fixed by several advisories gets one DEBIAN-CVE record (the first).
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    const rnd = lcg(i + 1);
    const fixes = e.fixed.filter(
      (f) =>
        DEBIAN_RELEASES[f.release] !== undefined &&
        typeof f.fixed_version === 'string' &&
        /^[0-9]/.test(f.fixed_version),
    );
    if (fixes.length === 0) continue;
    const when = `${e.date}T00:00:00Z`;
    const advisory: Json = {
      id: e.id,
      summary: `${e.package} - ${e.title}`,
      details: details(rnd, e.package),
      modified: when,
      published: when,
      upstream: e.cves,
      affected: fixes.map((f) =>
        affectedEntry(f.package, DEBIAN_RELEASES[f.release] as string, f.fixed_version, rnd),
      ),
      references: [
        {
          type: 'ADVISORY',
          url: `https://security-tracker.debian.org/tracker/${e.id}`,
        },
      ],
      schema_version: '1.7.0',
    };
    yield { name: `${e.id}.json`, text: JSON.stringify(advisory) };
    const first = fixes[0] as TrackerEntry['fixed'][number];
    const release = DEBIAN_RELEASES[first.release] as string;
    for (const [j, cve] of e.cves.entries()) {
      if (!/^CVE-\d{4}-\d+$/.test(cve) || seen.has(cve)) continue;
      seen.add(cve);
      const later = String(Math.min(13, Number.parseInt(release, 10) + 1 + (j % 2)));
      const pointFix = `${first.fixed_version}+deb12u${1 + (j % 3)}`;
      const affected = [
        // The fix the DSA/DLA also names: a finding for it must be counted once.
        affectedEntry(first.package, release, first.fixed_version, rnd),
        // Unfixed (postponed, no-DSA or not yet fixed) in a later release…
        affectedEntry(first.package, later === release ? '13' : later, null, rnd),
      ];
      // …and every third CVE fixed in a point release without an advisory.
      if (j % 3 === 0) affected.push(affectedEntry(first.package, '12', pointFix, rnd));
      const rec: Json = {
        id: `DEBIAN-${cve}`,
        details: details(rnd, first.package),
        modified: when,
        published: when,
        upstream: [cve],
        affected,
        ...(j % 4 === 1 ? { database_specific: { urgency: 'unimportant' } } : {}),
        references: [{ type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${cve}` }],
        schema_version: '1.7.0',
      };
      yield { name: `DEBIAN-${cve}.json`, text: JSON.stringify(rec) };
    }
  }
}

function trackerEntries(): TrackerEntry[] {
  const dir = join(fixturesDir(), 'debian-security-tracker');
  const entries: TrackerEntry[] = [];
  for (const f of ['DSA.json', 'DLA.json']) {
    entries.push(...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as TrackerEntry[]));
  }
  // Newest first, DSAs and DLAs interleaved, as the archive's mix is at any size.
  return entries.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

// ---- copies with unique ids ------------------------------------------------

function renumber(text: string, k: number): string {
  if (k === 0) return text;
  return text
    .replace(/CVE-(\d{4})-(\d+)/g, (_m, y: string, n: string) => `CVE-${y}-${k}${n.padStart(7, '0')}`)
    .replace(
      /\b(USN|DSA|DLA|DTSA|LSN)-(\d+)-(\d+)/g,
      (_m, p: string, n: string, r: string) => `${p}-${k}${n.padStart(6, '0')}-${r}`,
    );
}

/** One round of templates: Debian's are generated lazily (a round is archive-sized). */
function templates(ecosystem: BigEcosystem): () => Iterable<Generated> {
  if (ecosystem === 'Debian') {
    const entries = trackerEntries();
    return () => debianRecords(entries);
  }
  const all = ubuntuTemplates().map((t) => {
    const id = (JSON.parse(t.text) as { id: string }).id;
    return { name: `${t.dir}/${id}.json`, text: t.text };
  });
  return () => all;
}

/** `count` records (name, JSON), cycling through the templates with fresh ids. */
function* records(ecosystem: BigEcosystem, count: number): Generator<Generated> {
  const round = templates(ecosystem);
  let i = 0;
  for (let k = 0; i < count; k++) {
    for (const t of round()) {
      if (i++ >= count) return;
      yield { name: renumber(t.name, k), text: renumber(t.text, k) };
    }
  }
}

function target(options: BigArchiveOptions, ext: string): string {
  const dir = options.dir ?? join(repoRoot, '.feed-cache');
  mkdirSync(dir, { recursive: true });
  return join(dir, `osv-${options.ecosystem.toLowerCase()}-${options.records}-g${GENERATION}.${ext}`);
}

function cached(path: string, records: number): BigArchive | null {
  return existsSync(path) ? { path, records, bytes: statSync(path).size } : null;
}

/**
 * An OSV `all.zip` of `records` records (entries `<ID>.json`, as the OSV
 * exporter writes them), built once and reused.
 */
export async function buildOsvArchive(options: BigArchiveOptions): Promise<BigArchive> {
  const path = target(options, 'zip');
  const hit = cached(path, options.records);
  if (hit) return hit;
  const tmp = `${path}.${process.pid}.tmp`;
  const zip = new ZipWriter(tmp);
  let n = 0;
  for (const r of records(options.ecosystem, options.records)) {
    zip.add(r.name.slice(r.name.lastIndexOf('/') + 1), Buffer.from(r.text, 'utf8'));
    n++;
    // Let timers and I/O run while a large archive is built.
    if (n % 2000 === 0) await new Promise((res) => setImmediate(res));
  }
  const bytes = zip.close();
  renameSync(tmp, path);
  return { path, records: n, bytes };
}

/**
 * The same records as Canonical's `osv-all.tar.xz` lays them out
 * (`osv/<dir>/<ID>.json`), compressed by the system `xz` through a pipe.
 */
export async function buildOsvTarXz(options: BigArchiveOptions): Promise<BigArchive> {
  const path = target(options, 'tar.xz');
  const hit = cached(path, options.records);
  if (hit) return hit;
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const xz = spawn('xz', ['-c', '-6', '-T0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  xz.stdout.pipe(out);
  const closed = once(out, 'close');
  const exited = once(xz, 'exit');
  let n = 0;
  const put = async (buf: Buffer) => {
    if (!xz.stdin.write(buf)) await once(xz.stdin, 'drain');
  };
  for (const r of records(options.ecosystem, options.records)) {
    const data = Buffer.from(r.text, 'utf8');
    const dir = r.name.includes('/') ? '' : options.ecosystem === 'Debian' ? 'debian/' : '';
    await put(tarHeader(`osv/${dir}${r.name}`, data.length));
    await put(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad > 0) await put(Buffer.alloc(pad));
    n++;
  }
  await put(Buffer.alloc(1024));
  xz.stdin.end();
  const [code] = (await exited) as [number | null];
  await closed;
  if (code !== 0) throw new Error(`xz exited with ${code}`);
  renameSync(tmp, path);
  return { path, records: n, bytes: statSync(path).size };
}
