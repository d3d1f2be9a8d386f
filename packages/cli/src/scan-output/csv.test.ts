import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, formatCsv } from './csv.js';
import { debianReport, finding, report } from './testing.js';

/** A strict RFC 4180 reader, to check that what formatCsv writes reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`bare line break outside quotes at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('last record has no CRLF');
  return rows;
}

describe('csvField', () => {
  it('leaves plain values alone', () => {
    expect(csvField('1.1.1d-0+deb10u2')).toBe('1.1.1d-0+deb10u2');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('')).toBe('');
  });

  it('quotes commas, quotes, CR and LF, doubling inner quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it.each([
    ['=1+2', "'=1+2"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
  ])('guards %j against formula injection', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('guards first, then quotes', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('\r=1')).toBe('"\'\r=1"');
  });
});

describe('formatCsv', () => {
  it('starts with the header row', () => {
    const out = formatCsv(report());
    expect(out).toBe(
      'package,source_package,installed_version,fixed_version,status,advisory,aliases,source,severity,cvss,kev,kev_due_date,epss,release,explanation\r\n',
    );
    expect(CSV_COLUMNS).toHaveLength(15);
  });

  it('writes one CRLF-terminated record per finding, in the report order', () => {
    const rows = parseCsv(formatCsv(debianReport()));
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    expect(rows.slice(1).map((r) => [r[0], r[5]])).toEqual([
      ['bash', 'DLA-3700-1'],
      ['libssl1.1', 'DSA-5103-1'],
      ['openssl', 'DSA-5103-1'],
      ['openssl', 'CVE-2023-0465'],
    ]);
  });

  it('writes the values as documented', () => {
    const rows = parseCsv(formatCsv(debianReport()));
    const header = rows[0] as string[];
    const rec = (i: number) => Object.fromEntries(header.map((h, j) => [h, (rows[i] as string[])[j]]));
    expect(rec(1)).toEqual({
      package: 'bash',
      source_package: 'bash',
      installed_version: '5.0-4',
      fixed_version: '5.0-4+deb10u1',
      status: 'fixable',
      advisory: 'DLA-3700-1',
      aliases: 'CVE-2024-0001 CVE-2024-0002',
      source: 'debian-dla',
      severity: 'critical',
      cvss: '9.8',
      kev: 'true',
      kev_due_date: '2024-01-31',
      epss: '0.97123',
      release: 'buster',
      explanation: 'bash 5.0-4 < 5.0-4+deb10u1 fixed by DLA-3700-1 (CVE-2024-0001, CVE-2024-0002) for buster',
    });
    expect(rec(4)).toMatchObject({
      fixed_version: '',
      status: 'unfixed',
      cvss: '',
      kev: 'false',
      epss: '',
      aliases: '',
    });
  });

  it('writes a CVSS score with one decimal and an unknown severity as empty', () => {
    const f = finding({
      severity: null,
      cvss: {
        score: 7,
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
        cve: 'CVE-1',
      },
      release: null,
    });
    const rows = parseCsv(formatCsv(report({ findings: [f] })));
    const r = rows[1] as string[];
    expect(r[CSV_COLUMNS.indexOf('cvss')]).toBe('7.0');
    expect(r[CSV_COLUMNS.indexOf('severity')]).toBe('');
    expect(r[CSV_COLUMNS.indexOf('release')]).toBe('');
  });

  it('reads back hostile values exactly (with the formula guard)', () => {
    const f = finding({
      package: '=cmd|"/c calc"!A1',
      installedVersion: '1,2',
      explanation: 'line one\r\nline "two", three',
    });
    const rows = parseCsv(formatCsv(report({ findings: [f] })));
    const r = rows[1] as string[];
    expect(r[0]).toBe('\'=cmd|"/c calc"!A1');
    expect(r[2]).toBe('1,2');
    expect(r[14]).toBe('line one\r\nline "two", three');
  });
});
