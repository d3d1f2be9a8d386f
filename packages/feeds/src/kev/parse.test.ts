import { describe, expect, it } from 'vitest';
import { readFixture } from '@patchloop/test-support';
import { parseKev } from './index.js';

const DIR = 'kev';
const JSON_FILE = 'known_exploited_vulnerabilities.json';

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
function readCsvRecords(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header = [], ...data] = rows;
  return data.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

describe('parseKev on the catalog', () => {
  const parsed = () => parseKev(readFixture(DIR, JSON_FILE), JSON_FILE);

  it('reads all 1,404 entries and the catalog header', () => {
    const r = parsed();
    expect(r.errors).toEqual([]);
    expect(r.records).toHaveLength(1404);
    expect(r.catalogVersion).toBe('2025.08.25');
    expect(r.dateReleased).toBe('2025-08-25T17:04:19.9796Z');
    expect(new Set(r.records.map((e) => e.cveId)).size).toBe(1404);
    expect(r.records.filter((e) => e.knownRansomwareCampaignUse)).toHaveLength(293);
  });

  it('maps the newest entry field by field', () => {
    expect(parsed().records[0]).toEqual({
      cveId: 'CVE-2025-48384',
      vendorProject: 'Git',
      product: 'Git',
      vulnerabilityName: 'Git Link Following Vulnerability',
      dateAdded: '2025-08-25',
      dueDate: '2025-09-15',
      knownRansomwareCampaignUse: false,
      requiredAction:
        'Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for cloud services, or discontinue use of the product if mitigations are unavailable.',
      shortDescription:
        'Git contains a link following vulnerability that stems from Git\u2019s inconsistent handling of carriage return characters in configuration files.',
      notes: expect.stringMatching(
        /^This vulnerability affects a common open-source component.*CVE-2025-48384$/,
      ),
      cwes: ['CWE-59', 'CWE-436'],
    });
  });

  it('agrees with the CSV edition of the same catalog, entry by entry', () => {
    const rows = readCsvRecords(readFixture(DIR, 'known_exploited_vulnerabilities.csv'));
    const records = parsed().records;
    expect(rows).toHaveLength(records.length);
    rows.forEach((row, i) => {
      const e = records[i];
      expect(e?.cveId).toBe(row['cveID']);
      expect(e).toEqual({
        cveId: row['cveID'],
        vendorProject: row['vendorProject']?.trim(),
        product: row['product']?.trim(),
        vulnerabilityName: row['vulnerabilityName']?.trim(),
        dateAdded: row['dateAdded'],
        dueDate: row['dueDate'],
        knownRansomwareCampaignUse: row['knownRansomwareCampaignUse'] === 'Known',
        requiredAction: row['requiredAction']?.trim(),
        shortDescription: row['shortDescription']?.trim(),
        notes: row['notes']?.trim(),
        cwes: row['cwes'] === '' ? [] : row['cwes']?.split(', '),
      });
    });
  });

  it('keeps the first catalog entries whose due date precedes their date added', () => {
    const early = parsed().records.filter((e) => e.dueDate < e.dateAdded);
    expect(early).toHaveLength(15);
    expect(new Set(early.map((e) => e.dateAdded))).toEqual(new Set(['2021-11-03']));
  });

  it('trims stray spaces in text fields', () => {
    for (const e of parsed().records) {
      for (const v of [e.vendorProject, e.product, e.vulnerabilityName, e.shortDescription, e.notes]) {
        expect(v).toBe(v.trim());
      }
    }
  });
});

describe('bad input (made here)', () => {
  const good = {
    cveID: 'CVE-2024-0001',
    vendorProject: 'V',
    product: 'P',
    vulnerabilityName: 'N',
    dateAdded: '2024-01-02',
    shortDescription: 'S',
    requiredAction: 'A',
    dueDate: '2024-01-23',
    knownRansomwareCampaignUse: 'Known',
    notes: '',
    cwes: [],
  };
  const catalog = (vulnerabilities: unknown[], extra: object = {}) =>
    JSON.stringify({
      catalogVersion: '1',
      dateReleased: 'x',
      count: vulnerabilities.length,
      vulnerabilities,
      ...extra,
    });

  it('reports each bad entry and keeps the good ones', () => {
    const { cwes: _cwes, notes: _notes, knownRansomwareCampaignUse: _k, ...minimal } = good;
    const r = parseKev(
      catalog([
        good,
        { ...good, cveID: 'CVE-24-1' },
        { ...good, cveID: 'CVE-2024-0002', dateAdded: '2024-02-30' },
        { ...good, cveID: 'CVE-2024-0003', dueDate: '2024/01/02' },
        { ...good, cveID: 'CVE-2024-0004', product: undefined },
        { ...good, cveID: 'CVE-2024-0005', knownRansomwareCampaignUse: 'Yes' },
        { ...good, cveID: 'CVE-2024-0006', cwes: ['NVD-CWE-Other'] },
        { ...good, cveID: 'CVE-2024-0007', notes: 7 },
        'not an entry',
        good,
        { ...minimal, cveID: 'CVE-2024-0008' },
      ]),
      'kev.json',
    );
    expect(r.records.map((e) => [e.cveId, e.knownRansomwareCampaignUse, e.notes, e.cwes])).toEqual([
      ['CVE-2024-0001', true, '', []],
      ['CVE-2024-0008', false, '', []],
    ]);
    // Every entry error means the entry was skipped: none is a warning.
    expect(r.errors.filter((e) => e.warning !== undefined)).toEqual([]);
    expect(r.errors.map((e) => [e.record, e.code, e.reason])).toEqual([
      ['CVE-24-1', 'PL_FEED_SCHEMA_INVALID', 'cveID: not a CVE id: "CVE-24-1"'],
      ['CVE-2024-0002', 'PL_FEED_SCHEMA_INVALID', 'dateAdded: not a YYYY-MM-DD date: "2024-02-30"'],
      ['CVE-2024-0003', 'PL_FEED_SCHEMA_INVALID', 'dueDate: not a YYYY-MM-DD date: "2024/01/02"'],
      ['CVE-2024-0004', 'PL_FEED_SCHEMA_INVALID', 'product: expected a string'],
      [
        'CVE-2024-0005',
        'PL_FEED_SCHEMA_INVALID',
        'knownRansomwareCampaignUse: expected "Known" or "Unknown", got "Yes"',
      ],
      ['CVE-2024-0006', 'PL_FEED_SCHEMA_INVALID', 'cwes: expected CWE-NNN ids, got ["NVD-CWE-Other"]'],
      ['CVE-2024-0007', 'PL_FEED_SCHEMA_INVALID', 'notes: expected a string'],
      ['#8', 'PL_FEED_SCHEMA_INVALID', 'expected an object'],
      ['CVE-2024-0001', 'PL_FEED_SCHEMA_INVALID', 'CVE-2024-0001 is listed a second time'],
    ]);
  });

  it('warns of a count that does not match and a header field of the wrong type, and keeps the entries', () => {
    const r = parseKev(catalog([good], { count: 2, dateReleased: 5 }), 'kev.json');
    expect(r.records).toHaveLength(1);
    expect(r.catalogVersion).toBe('1');
    expect(r.dateReleased).toBeNull();
    expect(r.errors).toEqual([
      {
        file: 'kev.json',
        record: 'catalog',
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: 'dateReleased: expected a string',
        warning: true,
      },
      {
        file: 'kev.json',
        record: 'count',
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: 'count 2 does not match the 1 entries',
        warning: true,
      },
    ]);
  });

  it('reports unreadable catalogs as a whole, not as a warning', () => {
    const one = (text: string) => {
      const r = parseKev(text, 'kev.json');
      expect(r.records).toEqual([]);
      return r.errors.map((e) => [e.record, e.code, e.warning]);
    };
    expect(one('{"catalogVersion": "1", "vulnerabilities": [')).toEqual([
      ['catalog', 'PL_FEED_JSON_INVALID', undefined],
    ]);
    expect(one('[]')).toEqual([['catalog', 'PL_FEED_SCHEMA_INVALID', undefined]]);
    expect(one('{"catalogVersion": "1"}')).toEqual([['catalog', 'PL_FEED_SCHEMA_INVALID', undefined]]);
  });
});
