import type { CveRecord } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { readCsv, readFixture } from '@patchloop/test-support';
import { parseCveRecords } from './parse.js';

function byId(records: readonly CveRecord[], id: string): CveRecord {
  const r = records.find((x) => x.id === id);
  if (r === undefined) throw new Error(`${id} not parsed`);
  return r;
}

function count<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

describe('parseCveRecords: vulnrichment sample (5,308 records, JSON Lines)', () => {
  const text = readFixture('cve-records', 'vulnrichment-cve5-sample.jsonl');
  const t0 = performance.now();
  const { records, errors } = parseCveRecords(text, 'vulnrichment-cve5-sample.jsonl');
  const ms = performance.now() - t0;
  console.log(`cve: ${records.length} records parsed in ${ms.toFixed(0)} ms`);

  it('parses every record', () => {
    expect(errors).toEqual([]);
    expect(records).toHaveLength(5308);
    expect(count(records, (r) => r.state)).toEqual({ PUBLISHED: 5288, REJECTED: 20 });
    expect(ms).toBeLessThan(3000);
  });

  it('agrees with index.csv on state, metric kinds per container and the first v3.1 vector', () => {
    const rows = readCsv('cve-records', 'index.csv');
    expect(rows).toHaveLength(5308);
    const kinds = (field: string) =>
      field
        .split('|')
        .filter((k) => k.startsWith('cvss'))
        .sort();
    const ours = (r: CveRecord, cna: boolean) =>
      [
        ...new Set(
          r.cvss
            .filter((m) => (m.source === 'cna') === cna)
            .map((m) => `cvssV${m.version.replace('.', '_')}`),
        ),
      ].sort();
    const index = new Map(records.map((r) => [r.id, r]));
    for (const row of rows) {
      const r = index.get(row.cveId as string);
      if (r === undefined) throw new Error(`${row.cveId} not parsed`);
      expect([r.id, r.state]).toEqual([row.cveId, row.state]);
      expect([r.id, ours(r, true), ours(r, false)]).toEqual([
        row.cveId,
        kinds(row.cna_metrics ?? ''),
        kinds(row.adp_metrics ?? ''),
      ]);
      if (row.v31_base_vector !== '') {
        expect(r.cvss.filter((m) => m.version === '3.1').map((m) => m.vector)).toContain(row.v31_base_vector);
      }
    }
  });

  it('scores every metric and keeps the stated score only where it differs', () => {
    const metrics = records.flatMap((r) => r.cvss);
    expect(count(metrics, (m) => `${m.source} ${m.version}`)).toEqual({
      'cna 2.0': 408,
      'cna 3.0': 419,
      'cna 3.1': 4109,
      'cna 4.0': 394,
      'adp:CISA-ADP 3.1': 1086,
    });
    // 48 Fortinet v3.1 metrics state the temporal score as baseScore; the rest are CNA slips.
    expect(metrics.filter((m) => m.statedScore !== null)).toHaveLength(74);
  });

  it('reads a REJECTED record: id, state, dates and the rejection reason', () => {
    expect(byId(records, 'CVE-2021-36593')).toEqual({
      id: 'CVE-2021-36593',
      state: 'REJECTED',
      published: null,
      modified: '2024-05-02T21:17:22.890858',
      assigner: 'mitre',
      description:
        'DO NOT USE THIS CANDIDATE NUMBER. ConsultIDs: none. Reason: This candidate was withdrawn by its CNA. Further investigation showed that it was not a security issue. Notes: none.',
      cvss: [],
      cwes: [],
      references: [],
    });
  });

  it('reads a CNA record with CVSS v3.1 and v4.0 (CVE-2017-2681)', () => {
    expect(byId(records, 'CVE-2017-2681')).toEqual({
      id: 'CVE-2017-2681',
      state: 'PUBLISHED',
      published: '2017-05-11T10:00:00',
      modified: '2024-09-10T09:33:20.658Z',
      assigner: 'siemens',
      description:
        'Specially crafted PROFINET DCP packets sent on a local Ethernet segment (Layer 2) to an affected product could cause a denial of service condition of that product. Human interaction is required to recover the system. PROFIBUS interfaces are not affected.',
      cvss: [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
          baseScore: 6.5,
          severity: 'medium',
          statedScore: null,
          source: 'cna',
        },
        {
          version: '4.0',
          vector: 'CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N',
          baseScore: 7.1,
          severity: 'high',
          statedScore: null,
          source: 'cna',
        },
      ],
      cwes: ['CWE-400'],
      references: [
        'http://www.securitytracker.com/id/1038463',
        'http://www.securityfocus.com/bid/98369',
        'https://www.siemens.com/cert/pool/cert/siemens_security_advisory_ssa-293562.pdf',
        'https://cert-portal.siemens.com/productcert/pdf/ssa-293562.pdf',
        'https://cert-portal.siemens.com/productcert/html/ssa-293562.html',
      ],
    });
  });

  it('reads CISA-ADP metrics and CWEs (CVE-1999-0022: nothing from the CNA)', () => {
    expect(byId(records, 'CVE-1999-0022')).toEqual({
      id: 'CVE-1999-0022',
      state: 'PUBLISHED',
      published: '1999-09-29T04:00:00',
      modified: '2024-08-01T19:24:48.232Z',
      assigner: 'mitre',
      description: 'Local user gains root privileges via buffer overflow in rdist, via expstr() function.',
      cvss: [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
          baseScore: 7.8,
          severity: 'high',
          statedScore: null,
          source: 'adp:CISA-ADP',
        },
      ],
      cwes: ['CWE-121'],
      references: ['http://sunsolve.sun.com/pub-cgi/retrieve.pl?doctype=coll&doc=secbull/179'],
    });
    expect(
      byId(records, 'CVE-2024-1100').cvss.map((m) => [m.source, m.version, m.baseScore, m.severity]),
    ).toEqual([
      ['cna', '4.0', 10, 'critical'],
      ['adp:CISA-ADP', '3.1', 9.8, 'critical'],
    ]);
  });

  it('keeps a stated score that differs from ours (Fortinet states the temporal score)', () => {
    expect(byId(records, 'CVE-2021-42761').cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P/RL:U/RC:C',
        baseScore: 9,
        severity: 'critical',
        statedScore: 8.5,
        source: 'cna',
      },
    ]);
  });

  it('scores CVSS v2 vectors, which have no prefix', () => {
    const v2 = records.flatMap((r) => r.cvss).filter((m) => m.version === '2.0');
    expect(v2.length).toBe(408);
    expect(v2.every((m) => !m.vector.startsWith('CVSS:') && m.severity !== 'critical')).toBe(true);
  });
});

/** A small CVE record, changed per test. */
function cve(
  id: string,
  cna: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: {
      cveId: id,
      state: 'PUBLISHED',
      assignerOrgId: 'org',
      assignerShortName: 'acme',
      datePublished: '2024-01-01T00:00:00Z',
      dateUpdated: '2024-01-02T00:00:00Z',
      ...meta,
    },
    containers: {
      cna: {
        providerMetadata: { orgId: 'org', shortName: 'acme' },
        descriptions: [
          { lang: 'de', value: 'Ein Fehler.' },
          { lang: 'en-US', value: 'A bug.' },
        ],
        problemTypes: [
          {
            descriptions: [
              { lang: 'en', type: 'CWE', description: 'CWE-79 Cross-site Scripting' },
              { lang: 'en', type: 'text', description: 'CWE-noinfo Not enough information' },
              { lang: 'en', type: 'CWE', cweId: 'CWE-20', description: 'CWE-20 Improper Input Validation' },
            ],
          },
        ],
        references: [{ url: 'https://acme.example/a' }, { url: 'https://acme.example/b' }],
        metrics: [
          {
            cvssV3_1: {
              version: '3.1',
              vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
              baseScore: 9.8,
              baseSeverity: 'CRITICAL',
            },
          },
        ],
        ...cna,
      },
      adp: [
        {
          providerMetadata: { orgId: 'cisa', shortName: 'CISA-ADP' },
          references: [{ url: 'https://acme.example/a' }, { url: 'https://cisa.example/c' }],
          metrics: [{ other: { type: 'ssvc', content: {} } }],
        },
      ],
    },
  };
}

const jsonl = (...lines: unknown[]) =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

describe('parseCveRecords: one record, arrays and bad input', () => {
  it('reads a pretty-printed single record', () => {
    const r = parseCveRecords(JSON.stringify(cve('CVE-2024-0001'), null, 2), 'CVE-2024-0001.json');
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      {
        id: 'CVE-2024-0001',
        state: 'PUBLISHED',
        published: '2024-01-01T00:00:00Z',
        modified: '2024-01-02T00:00:00Z',
        assigner: 'acme',
        description: 'A bug.',
        cvss: [
          {
            version: '3.1',
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            baseScore: 9.8,
            severity: 'critical',
            statedScore: null,
            source: 'cna',
          },
        ],
        cwes: ['CWE-20', 'CWE-79'],
        references: ['https://acme.example/a', 'https://acme.example/b', 'https://cisa.example/c'],
      },
    ]);
  });

  it('reports a truncated single record once, by its id', () => {
    const text = JSON.stringify(cve('CVE-2024-0002'), null, 2);
    const r = parseCveRecords(text.slice(0, 400), 'CVE-2024-0002.json');
    expect(r.records).toEqual([]);
    expect(r.errors.map((e) => [e.record, e.code, e.warning])).toEqual([
      ['CVE-2024-0002', 'PL_FEED_JSON_INVALID', undefined],
    ]);
  });

  it('reads a JSON array of records', () => {
    const r = parseCveRecords(
      JSON.stringify([cve('CVE-2024-0003'), { cveMetadata: {} }, cve('CVE-2024-0004')]),
      'a.json',
    );
    expect(r.records.map((x) => x.id)).toEqual(['CVE-2024-0003', 'CVE-2024-0004']);
    expect(r.errors).toEqual([
      {
        file: 'a.json',
        record: '#1',
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: 'record.cveMetadata.cveId: expected a string, got undefined',
      },
    ]);
  });

  it('reports each bad JSON line on its own and goes on', () => {
    const good = JSON.stringify(cve('CVE-2024-1000'));
    const text = jsonl(
      cve('CVE-2024-0999'),
      good.slice(0, 200), // truncated, id readable
      '{"dataType": "CVE_RECORD", "cveMe', // truncated, no id
      '',
      cve('CVE-2024-1001', {}, { state: 'DRAFT' }),
      cve('CVE-24-1'),
      cve('CVE-2024-1002', { descriptions: 'A bug.' }),
      '[1, 2]',
      `${good}\r`,
    );
    const r = parseCveRecords(text, 'x.jsonl');
    expect(r.records.map((x) => x.id)).toEqual(['CVE-2024-0999', 'CVE-2024-1000']);
    // Each of these records was skipped: none is a warning.
    expect(r.errors.filter((e) => e.warning !== undefined)).toEqual([]);
    expect(
      r.errors.map((e) => [e.record, e.code, e.reason.replace(/: Unexpected.*|: Unterminated.*/, '')]),
    ).toEqual([
      ['CVE-2024-1000', 'PL_FEED_JSON_INVALID', 'invalid JSON at line 2'],
      ['line 3', 'PL_FEED_JSON_INVALID', 'invalid JSON at line 3'],
      [
        'CVE-2024-1001',
        'PL_FEED_SCHEMA_INVALID',
        'line 5: record.cveMetadata.state: expected PUBLISHED or REJECTED, got "DRAFT"',
      ],
      [
        'CVE-24-1',
        'PL_FEED_SCHEMA_INVALID',
        'line 6: record.cveMetadata.cveId: expected a CVE id (CVE-YYYY-NNNN), got "CVE-24-1"',
      ],
      [
        'CVE-2024-1002',
        'PL_FEED_SCHEMA_INVALID',
        'line 7: record.containers.cna.descriptions: expected an array, got "A bug."',
      ],
      ['line 8', 'PL_FEED_SCHEMA_INVALID', 'record: expected an object, got an array'],
    ]);
  });

  it('keeps a record whose vector does not score, without that metric, and reports the metric', () => {
    const metrics = [
      {
        cvssV3_1: {
          version: '3.1',
          vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q',
          baseScore: 9.8,
        },
      },
      { cvssV3_0: { version: '3.0', baseScore: 5 } },
      { cvssV2_0: { version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', baseScore: 7.5 } },
      { cvssV2_0: { version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', baseScore: 7.5 } },
      { cvssV4_0: 'CVSS:4.0/AV:N' },
    ];
    const r = parseCveRecords(jsonl(cve('CVE-2024-2000', { metrics }), cve('CVE-2024-2001')), 'x.jsonl');
    expect(r.records.map((x) => x.id)).toEqual(['CVE-2024-2000', 'CVE-2024-2001']);
    expect(r.records[0]?.cvss).toEqual([
      {
        version: '2.0',
        vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
        baseScore: 7.5,
        severity: 'high',
        statedScore: null,
        source: 'cna',
      },
    ]);
    // Warnings: the record is kept, only the metric is dropped.
    expect(r.errors.map((e) => [e.file, e.record, e.code, e.warning])).toEqual([
      ['x.jsonl', 'CVE-2024-2000', 'PL_FEED_CVSS_INVALID', true],
      ['x.jsonl', 'CVE-2024-2000', 'PL_FEED_CVSS_INVALID', true],
      ['x.jsonl', 'CVE-2024-2000', 'PL_FEED_CVSS_INVALID', true],
    ]);
    expect(r.errors[0]?.reason).toMatch(/^cna metrics\[0\]\.cvssV3_1: .*A:Q/);
    expect(r.errors.slice(1).map((e) => e.reason)).toEqual([
      'cna metrics[1].cvssV3_0: no vectorString',
      'cna metrics[4].cvssV4_0: no vectorString',
    ]);
  });

  it('labels ADP metrics with the provider and takes English descriptions in any spelling', () => {
    const rec = cve('CVE-2024-3000', { descriptions: [{ lang: 'eng', value: 'English.' }] });
    (rec.containers as { adp: Record<string, unknown>[] }).adp.push({
      providerMetadata: { orgId: 'o2' },
      metrics: [
        {
          cvssV3_1: {
            version: '3.1',
            vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            baseScore: 9.9,
          },
        },
      ],
      problemTypes: [{ descriptions: [{ lang: 'en', cweId: 'CWE-787', description: 'x' }] }],
    });
    const r = parseCveRecords(JSON.stringify(rec), 'x.json');
    expect(r.records[0]?.description).toBe('English.');
    expect(r.records[0]?.cwes).toEqual(['CWE-20', 'CWE-79', 'CWE-787']);
    expect(r.records[0]?.cvss.map((m) => [m.source, m.baseScore, m.statedScore])).toEqual([
      ['cna', 9.8, null],
      ['adp:o2', 9.8, 9.9],
    ]);
  });

  it('reads JSON Lines after a byte order mark', () => {
    const r = parseCveRecords(`\ufeff${jsonl(cve('CVE-2024-4000'), cve('CVE-2024-4001'))}\n`, 'x.jsonl');
    expect([r.records.map((x) => x.id), r.errors]).toEqual([['CVE-2024-4000', 'CVE-2024-4001'], []]);
  });

  it('reports empty input and a CVE JSON 4 record', () => {
    expect(parseCveRecords('', 'x.json').errors.map((e) => e.code)).toEqual(['PL_FEED_JSON_INVALID']);
    const v4 = parseCveRecords(
      JSON.stringify({ data_type: 'CVE', CVE_data_meta: { ID: 'CVE-2020-1' } }),
      'x.json',
    );
    expect(v4.errors.map((e) => [e.record, e.code, e.reason])).toEqual([
      ['#0', 'PL_FEED_SCHEMA_INVALID', 'record.cveMetadata: expected an object, got undefined'],
    ]);
  });
});
