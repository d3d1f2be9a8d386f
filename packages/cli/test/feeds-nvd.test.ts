/**
 * The cve source against a real HTTP server on 127.0.0.1 laid out like the
 * publishers: cvelistV5 release assets (a listing, a baseline zip inside a
 * zip) and an NVD API 2.0 answering pages the way NVD does (startIndex,
 * resultsPerPage, lastModStartDate/lastModEndDate, throttling). The records
 * and vectors come from the CVE fixture records, read at test time. Every
 * test runs on the embedded store and on PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Advisory, CveRecord, FeedSink } from '@patchloop/core';
import { OFFICIAL_BASES, parseCveRecords, syncFeed, type SyncOptions } from '@patchloop/feeds';
import { createFeedStore, openStore, type Db } from '@patchloop/store';
import { createDatabase } from '@patchloop/test-support/pg';
import { fixturePath } from '@patchloop/test-support';

// ---- fixture records: real ids and vectors ----

const lines = readFileSync(fixturePath('cve-records', 'vulnrichment-cve5-sample.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const parsed = lines.map((l) => ({ line: l, rec: parseCveRecords(l, 'x').records[0] as CveRecord }));
const has = (r: CveRecord, source: string, version: string) =>
  r.cvss.some((m) => m.source === source && m.version === version);
/** Records with the CNA's own v3.1 metric, and records whose only v3.1 is CISA-ADP's. */
const withCna = parsed.filter((p) => has(p.rec, 'cna', '3.1')).slice(0, 4);
const adpOnly = parsed
  .filter((p) => has(p.rec, 'adp:CISA-ADP', '3.1') && p.rec.cvss.length === 1)
  .slice(0, 2);
const records = [...withCna, ...adpOnly];
const ids = records.map((p) => p.rec.id);
/** Real v3.1 and v2 vectors from other fixture records, used as NVD's own scores. */
const otherV31 = [
  ...new Set(
    parsed.flatMap((p) =>
      p.rec.cvss.filter((m) => m.version === '3.1' && m.source === 'cna').map((m) => m.vector),
    ),
  ),
].filter((v) => !records.some((r) => r.rec.cvss.some((m) => m.vector === v)));
const v2 = parsed
  .flatMap((p) => p.rec.cvss.filter((m) => m.version === '2.0'))
  .map((m) => m.vector)[0] as string;

// ---- an NVD API 2.0 and cvelistV5 release assets on 127.0.0.1 ----

interface NvdVuln {
  id: string;
  lastModified: string;
  nvdV31: string;
  /** The CNA's vector as NVD repeats it (type "Secondary"): never stored as NVD's. */
  secondary?: string;
}

const nvdEntry = (v: NvdVuln) => ({
  cve: {
    id: v.id,
    sourceIdentifier: 'cna@example.org',
    published: '2024-01-01T00:00:00.000',
    lastModified: v.lastModified,
    vulnStatus: 'Analyzed',
    descriptions: [{ lang: 'en', value: `NVD text of ${v.id}` }],
    metrics: {
      cvssMetricV31: [
        {
          source: 'nvd@nist.gov',
          type: 'Primary',
          cvssData: { version: '3.1', vectorString: v.nvdV31, baseScore: 0 },
        },
        ...(v.secondary
          ? [
              {
                source: 'cna@example.org',
                type: 'Secondary',
                cvssData: { version: '3.1', vectorString: v.secondary },
              },
            ]
          : []),
      ],
      cvssMetricV2: [
        { source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '2.0', vectorString: v2 } },
      ],
    },
    weaknesses: [
      { source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: 'CWE-787' }] },
    ],
    references: [{ url: `https://nvd.nist.gov/vuln/detail/${v.id}` }],
  },
});

interface Served {
  nvd: NvdVuln[];
  /** Statuses to answer the next NVD requests with, first to last. */
  nvdFail: number[];
  /** Pages from this startIndex on answer HTTP 500. */
  nvdBrokenFrom: number | null;
  files: Map<string, Buffer>;
  requests: { url: URL; headers: IncomingHttpHeaders }[];
}

const served: Served = { nvd: [], nvdFail: [], nvdBrokenFrom: null, files: new Map(), requests: [] };
let server: Server;
let base = '';

function answerNvd(url: URL): { status: number; body: string } {
  const fail = served.nvdFail.shift();
  if (fail !== undefined) return { status: fail, body: 'slow down' };
  const q = url.searchParams;
  const per = Number(q.get('resultsPerPage'));
  const start = Number(q.get('startIndex'));
  if (served.nvdBrokenFrom !== null && start >= served.nvdBrokenFrom) return { status: 500, body: 'down' };
  const from = q.get('lastModStartDate');
  const to = q.get('lastModEndDate');
  if ((from === null) !== (to === null) || per > 2000) return { status: 400, body: 'bad request' };
  const t = (s: string) => Date.parse(s.endsWith('Z') || /[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
  const all = served.nvd.filter(
    (v) => from === null || (t(v.lastModified) >= t(from) && t(v.lastModified) <= t(to as string)),
  );
  const page = all.slice(start, start + per);
  return {
    status: 200,
    body: JSON.stringify({
      resultsPerPage: page.length,
      startIndex: start,
      totalResults: all.length,
      format: 'NVD_CVE',
      version: '2.0',
      timestamp: '2026-10-03T12:00:00.000',
      vulnerabilities: page.map(nvdEntry),
    }),
  };
}

beforeAll(async () => {
  expect(records).toHaveLength(6);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    served.requests.push({ url, headers: req.headers });
    if (url.pathname === '/rest/json/cves/2.0') {
      const a = answerNvd(url);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      return;
    }
    const body = served.files.get(url.pathname);
    if (!body) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const zipOf = (files: Record<string, string | Buffer>) =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]))));

/** cvelistV5's listing with one baseline (these records) and, optionally, one hourly delta. */
function publishCvelist(baseline: string[], delta: string[] = [], day = '2026-10-03') {
  const asset = (name: string) => ({ name, browser_download_url: `${base}/assets/${name}` });
  const recs = (ls: string[], folder: string) =>
    Object.fromEntries(ls.map((l) => [`${folder}/${(JSON.parse(l) as CveJson).cveMetadata.cveId}.json`, l]));
  served.files.set(
    `/assets/${day}_all_CVEs_at_midnight.zip.zip`,
    zipOf({ 'cves.zip': zipOf(recs(baseline, 'cves/2024/xxxx')) }),
  );
  const assets = [asset(`${day}_all_CVEs_at_midnight.zip.zip`)];
  if (delta.length > 0) {
    // The day before's end-of-day delta, and this day's first hourly one.
    served.files.set('/assets/2026-10-03_delta_CVEs_at_end_of_day.zip', zipOf(recs(delta, 'deltaCves')));
    served.files.set(`/assets/${day}_delta_CVEs_at_0100Z.zip`, zipOf(recs(delta, 'deltaCves')));
    assets.push(asset('2026-10-03_delta_CVEs_at_end_of_day.zip'), asset(`${day}_delta_CVEs_at_0100Z.zip`));
  }
  served.files.set('/api/releases', Buffer.from(JSON.stringify([{ tag_name: `cve_${day}_0100Z`, assets }])));
}
interface CveJson {
  cveMetadata: { cveId: string };
}

const KEY = 'nvd-test-key-0123456789';
const T0 = new Date('2026-10-03T12:00:00.000Z');

function options(
  sink: FeedSink,
  over: Partial<SyncOptions> & { now?: Date; perPage?: number; attempts?: number } = {},
): SyncOptions {
  const { now, perPage, attempts, ...rest } = over;
  return {
    sink,
    endpointConfig: {
      bases: { ...OFFICIAL_BASES, cveReleases: `${base}/api/releases`, nvd: `${base}/rest/json/cves/2.0` },
    },
    download: { backoffMs: 5, attempts: 2, stallTimeoutMs: 5_000 },
    nvd: {
      apiKey: KEY,
      pauseMs: 0,
      backoffMs: 5,
      attempts: attempts ?? 3,
      resultsPerPage: perPage ?? 2,
      now: () => now ?? T0,
    },
    ...rest,
  };
}

const nvdRequests = () => served.requests.filter((r) => r.url.pathname === '/rest/json/cves/2.0');

// ---- both store backends ----

const BACKENDS = [
  {
    name: 'pglite',
    async open(dir: string): Promise<Db> {
      return openStore({ dataDir: join(dir, 'data') });
    },
  },
  {
    name: 'postgres',
    async open(): Promise<Db> {
      return openStore({
        databaseUrl: await createDatabase(inject('pgUrl'), `nvd_${process.pid}_${Date.now()}`),
      });
    },
  },
];

describe.each(BACKENDS)('CVE scope and NVD API on $name', (backend) => {
  let dir: string;
  let db: Db;
  let sink: FeedSink;
  const fresh = async () => {
    dir = mkdtempSync(join(tmpdir(), 'pl-nvd-'));
    db = await backend.open(dir);
    sink = createFeedStore(db);
    served.nvd = [];
    served.nvdFail = [];
    served.nvdBrokenFrom = null;
    served.files.clear();
    served.requests.length = 0;
  };
  afterEach(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async () => {
    const r = await db.query<{ id: string; cvss_version: string; cvss_vector: string; doc: CveRecord }>(
      'SELECT id, cvss_version, cvss_vector, doc FROM cve ORDER BY id',
    );
    return new Map(r.rows.map((row) => [row.id, row]));
  };
  const metrics = (doc: CveRecord, source: string) =>
    doc.cvss.filter((m) => m.source === source).map((m) => `${m.version} ${m.vector}`);

  const nvdFor = (i: number, lastModified = '2026-10-01T00:00:00.000'): NvdVuln => ({
    id: ids[i] as string,
    lastModified,
    nvdV31: otherV31[i] as string,
    secondary: records[i]?.rec.cvss.find((m) => m.source === 'cna')?.vector,
  });

  it('pages every CVE on the first run, stores NVD and CNA metrics side by side; primary: CNA, then NVD, then ADP', async () => {
    await fresh();
    publishCvelist(records.map((r) => r.line));
    served.nvd = records.map((_, i) => nvdFor(i));
    const s = await syncFeed('cve', options(sink));
    expect(s.endpoints.map((e) => [e.endpoint, e.result, e.via])).toEqual([
      ['2026-10-03_all_CVEs_at_midnight.zip.zip', 'applied', 'baseline'],
      ['NVD API', 'applied', 'baseline'],
    ]);
    expect(s.status).toBe('ok');
    // 6 CVEs, 2 a page: 3 pages, no date window, the key as a header (not in the URL).
    const reqs = nvdRequests();
    expect(reqs.map((r) => r.url.searchParams.get('startIndex'))).toEqual(['0', '2', '4']);
    expect(reqs.every((r) => r.url.searchParams.get('resultsPerPage') === '2')).toBe(true);
    expect(reqs.every((r) => !r.url.searchParams.has('lastModStartDate'))).toBe(true);
    expect(reqs.every((r) => r.headers.apikey === KEY && !r.url.search.includes(KEY))).toBe(true);

    const rows = await stored();
    expect([...rows.keys()]).toEqual([...ids].sort());
    for (const [i, p] of records.entries()) {
      const row = rows.get(p.rec.id);
      if (!row) throw new Error(`${p.rec.id} not stored`);
      // NVD's Primary metrics only (v3.1 and v2), beside every CNA/ADP metric of the cvelistV5 record.
      expect(metrics(row.doc, 'nvd')).toEqual([`3.1 ${otherV31[i]}`, `2.0 ${v2}`]);
      expect(row.doc.cvss.filter((m) => m.source !== 'nvd')).toEqual(p.rec.cvss);
      // The text stays the CNA's.
      expect(row.doc.description).toBe(p.rec.description);
      const cna31 = p.rec.cvss.find((m) => m.source === 'cna' && m.version === '3.1');
      expect(row.cvss_vector).toBe(cna31 ? cna31.vector : otherV31[i]);
    }

    // A cvelistV5 delta that re-publishes a record keeps NVD's metrics.
    const changed = JSON.parse(records[0]?.line as string) as {
      cveMetadata: { dateUpdated: string; cveId: string };
    };
    changed.cveMetadata.dateUpdated = '2026-10-03T00:30:00.000Z';
    publishCvelist(
      records.map((r) => r.line),
      [JSON.stringify(changed)],
    );
    const again = await syncFeed('cve', options(sink, { now: new Date(T0.getTime() + 3_600_000) }));
    expect(again.endpoints.find((e) => e.endpoint.includes('delta'))?.result).toBe('applied');
    const after = (await stored()).get(ids[0] as string);
    expect(after?.doc.modified).toBe('2026-10-03T00:30:00.000Z');
    expect(metrics(after?.doc as CveRecord, 'nvd')).toEqual([`3.1 ${otherV31[0]}`, `2.0 ${v2}`]);
  });

  it('later runs ask for lastMod windows of at most 120 days from the stored mark', async () => {
    await fresh();
    publishCvelist(records.map((r) => r.line));
    served.nvd = records.map((_, i) => nvdFor(i, '2026-09-01T00:00:00.000'));
    await syncFeed('cve', options(sink));
    // 200 days later, one CVE changed its NVD score.
    const later = new Date(T0.getTime() + 200 * 86_400_000);
    served.nvd[1] = { ...nvdFor(1, '2027-04-01T00:00:00.000'), nvdV31: otherV31[10] as string };
    served.requests.length = 0;
    const s = await syncFeed('cve', options(sink, { now: later }));
    expect(s.endpoints.find((e) => e.endpoint === 'NVD API')).toMatchObject({
      result: 'applied',
      via: 'incremental',
    });
    const windows = nvdRequests().map((r) => [
      r.url.searchParams.get('lastModStartDate'),
      r.url.searchParams.get('lastModEndDate'),
    ]);
    expect(windows).toEqual([
      ['2026-10-03T12:00:00.000+00:00', '2027-01-31T12:00:00.000+00:00'],
      ['2027-01-31T12:00:00.000+00:00', '2027-04-21T12:00:00.000+00:00'],
    ]);
    // The '+' travels encoded, as NVD requires.
    expect(nvdRequests()[0]?.url.search).toContain('%2B00%3A00');
    expect(metrics((await stored()).get(ids[1] as string)?.doc as CveRecord, 'nvd')[0]).toBe(
      `3.1 ${otherV31[10]}`,
    );
    expect(s.modified).toBe(1);
  });

  it('retries a 429, a 503 and a 403 (NVD throttling), then goes on', async () => {
    await fresh();
    publishCvelist(records.map((r) => r.line));
    served.nvd = records.map((_, i) => nvdFor(i));
    served.nvdFail = [429, 503, 403];
    const s = await syncFeed('cve', options(sink, { perPage: 6, attempts: 4 }));
    expect(s.endpoints.find((e) => e.endpoint === 'NVD API')?.result).toBe('applied');
    // Three refusals, each retried (4 attempts per page), then the page.
    expect(nvdRequests()).toHaveLength(4);
    expect([...(await stored()).values()].every((r) => metrics(r.doc, 'nvd').length === 2)).toBe(true);
  });

  it('a failing NVD API fails only its endpoint: the cvelistV5 records stay applied, the mark stays', async () => {
    await fresh();
    publishCvelist(records.map((r) => r.line));
    served.nvd = records.map((_, i) => nvdFor(i));
    // The first page works, the second fails every attempt: the window's session is rolled back.
    served.nvdBrokenFrom = 2;
    const s = await syncFeed('cve', options(sink));
    expect(nvdRequests().map((r) => r.url.searchParams.get('startIndex'))).toEqual(['0', '2', '2', '2']);
    const nvd = s.endpoints.find((e) => e.endpoint === 'NVD API');
    expect(nvd).toMatchObject({ result: 'failed', code: 'PL_FEED_DOWNLOAD_FAILED' });
    expect(nvd?.reason).toContain('HTTP 500');
    expect(s.status).toBe('partial');
    const rows = await stored();
    expect(rows.size).toBe(6);
    expect([...rows.values()].every((r) => metrics(r.doc, 'nvd').length === 0)).toBe(true);
    const status = (await sink.status()).find((x) => x.source === 'cve');
    expect(status?.lastError).toContain('NVD API');
    // Nothing marked: the next run pages everything again.
    served.nvdBrokenFrom = null;
    served.requests.length = 0;
    const next = await syncFeed('cve', options(sink));
    expect(next.endpoints.find((e) => e.endpoint === 'NVD API')).toMatchObject({ via: 'baseline' });
    expect(nvdRequests().every((r) => !r.url.searchParams.has('lastModStartDate'))).toBe(true);
  });

  it("the 'named' scope stores only the CVEs stored advisories name, from cvelistV5 and from NVD", async () => {
    await fresh();
    const named = [ids[0], ids[4]] as string[];
    const advisory = (id: string, aliases: string[]): Advisory => ({
      id,
      source: 'debian-dsa',
      aliases,
      related: [],
      published: '2024-01-01',
      modified: '2024-01-01',
      withdrawn: null,
      summary: 'x',
      details: '',
      classification: 'security',
      severity: null,
      affected: [],
      references: [],
      url: null,
    });
    await sink.apply(
      {
        kind: 'advisories',
        records: [advisory('DSA-1-1', [named[0] as string]), advisory(named[1] as string, [])],
      },
      { source: 'debian-dsa', origin: '/t', startedAt: T0, errors: [] },
    );
    expect((await sink.namedCves()).ids.slice().sort()).toEqual([...named].sort());
    publishCvelist(records.map((r) => r.line));
    // NVD also knows a CVE no advisory names and cvelistV5 did not bring.
    served.nvd = [
      ...records.map((_, i) => nvdFor(i)),
      { id: 'CVE-2099-0001', lastModified: '2026-10-01T00:00:00.000', nvdV31: otherV31[0] as string },
    ];
    const s = await syncFeed('cve', options(sink, { cveScope: 'named' }));
    expect(s.status).toBe('ok');
    const rows = await stored();
    expect([...rows.keys()]).toEqual([...named].sort());
    expect([...rows.values()].every((r) => metrics(r.doc, 'nvd').length === 2)).toBe(true);
    expect((await sink.namedCves()).missing).toBe(0);

    // A CVE named later, whose record went by before: the next day's baseline is taken again.
    await sink.apply(
      { kind: 'advisories', records: [advisory('DSA-2-1', [ids[2] as string])] },
      { source: 'debian-dsa', origin: '/t', startedAt: T0, errors: [] },
    );
    expect((await sink.namedCves()).missing).toBe(1);
    publishCvelist(
      records.map((r) => r.line),
      [records[1]?.line as string],
      '2026-10-04',
    );
    served.requests.length = 0;
    const next = await syncFeed(
      'cve',
      options(sink, { cveScope: 'named', now: new Date('2026-10-04T02:00:00Z') }),
    );
    expect(next.endpoints.map((e) => e.endpoint).slice(0, 2)).toEqual([
      '2026-10-04_all_CVEs_at_midnight.zip.zip',
      '2026-10-04_delta_CVEs_at_0100Z.zip',
    ]);
    expect([...(await stored()).keys()]).toEqual([...named, ids[2] as string].sort());
    // Nothing missing any more: the day after, only the deltas again.
    served.requests.length = 0;
    await syncFeed('cve', options(sink, { cveScope: 'named', now: new Date('2026-10-04T03:00:00Z') }));
    expect(served.requests.filter((r) => r.url.pathname.startsWith('/assets/'))).toEqual([]);
  });
});
