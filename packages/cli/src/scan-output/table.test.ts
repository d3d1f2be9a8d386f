import { describe, expect, it } from 'vitest';
import type { Finding } from '@patchloop/core';
import { clean, COLUMN_MAX, cveCell, epssCell, formatTable, truncate } from './table.js';
import { debianReport, finding, pkg, report, summaryOf } from './testing.js';

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

function rowsOf(out: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith('SEVERITY'));
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

describe('formatTable', () => {
  it('starts with the host: OS, matched releases, end of life with its explanation', () => {
    const out = formatTable(debianReport());
    const head = out.split('\n').slice(0, 4);
    expect(head[0]).toBe('Host:        Debian GNU/Linux 10 (buster) (debian 10)');
    expect(head[1]).toBe('Matched as:  Debian buster, 10');
    expect(head[2]).toBe(
      'End of life: END OF LIFE: debian 10 reached end of life on 2022-09-10: it gets no security fixes',
    );
    expect(head[3]).toBe('Scanned at:  2024-05-01T12:00:00.000Z');
  });

  it('prints one aligned row per finding, in the order given', () => {
    const r = debianReport();
    const shuffled = {
      ...r,
      findings: [r.findings[3], r.findings[0], r.findings[2], r.findings[1]] as Finding[],
    };
    const rows = rowsOf(formatTable(shuffled));
    expect(rows[0]).toMatch(/^SEVERITY {2}PACKAGE +INSTALLED +FIXED +ADVISORY +CVE +KEV {2}EPSS$/);
    expect(rows.slice(1).map((l) => l.split(/ {2,}/).slice(0, 5))).toEqual([
      ['low', 'openssl', '1.1.1d-0+deb10u2', '(no fix)', 'CVE-2023-0465'],
      ['critical', 'bash', '5.0-4', '5.0-4+deb10u1', 'DLA-3700-1'],
      ['high', 'openssl', '1.1.1d-0+deb10u2', '1.1.1n-0+deb10u1', 'DSA-5103-1'],
      ['high', 'libssl1.1', '1.1.1d-0+deb10u2', '1.1.1n-0+deb10u1', 'DSA-5103-1'],
    ]);
    // Every column starts where its header does.
    const header = rows[0] as string;
    for (const row of rows.slice(1)) {
      for (const col of ['PACKAGE', 'INSTALLED', 'FIXED', 'ADVISORY', 'CVE']) {
        const at = header.indexOf(col);
        expect(row[at - 1]).toBe(' ');
        expect(row[at]).not.toBe(' ');
      }
    }
  });

  it('shows the CVEs short, the KEV flag and EPSS', () => {
    const rows = rowsOf(formatTable(debianReport()));
    expect(rows[1]).toMatch(/CVE-2024-0001 \+1 {2}KEV {2}97\.1%$/);
    expect(rows[2]).toMatch(/CVE-2022-0778 {10}1\.2%$/);
    expect(rows[4]).toMatch(/CVE-2023-0465$/);
  });

  it('ends with the summary line', () => {
    const lines = formatTable(debianReport()).split('\n');
    expect(lines).toContain('4 findings (3 fixable, 1 unfixed, 1 known exploited) in 3 packages');
    expect(lines).toContain('By severity: critical 1, high 2, low 1');
  });

  it('says "finding" and "package" for one', () => {
    const out = formatTable(
      report({ packages: [pkg('libssl1.1', '1.1.1d-0+deb10u2')], findings: [finding()] }),
    );
    expect(out).toContain('\n1 finding (1 fixable, 0 unfixed, 0 known exploited) in 1 package\n');
  });

  it('says so plainly when nothing was found', () => {
    const out = formatTable(report());
    expect(out).toContain('\nNo known vulnerabilities in 3 packages.\n');
    expect(out).not.toContain('SEVERITY');
  });

  it('mentions third-party packages left unmatched', () => {
    const r = report();
    const out = formatTable({ ...r, summary: summaryOf([], 3, 2) });
    expect(out).toContain(
      '2 packages not from the distribution (third-party) not matched against its advisories.',
    );
  });

  it('writes no escape codes and no trailing spaces without colour', () => {
    const out = formatTable(debianReport(), { color: false });
    expect(out).not.toContain('\u001b');
    for (const line of out.split('\n')) expect(line).toBe(line.trimEnd());
    expect(out.endsWith('\n')).toBe(true);
  });

  it('colours the severity and KEV with colour, leaving the layout as it was', () => {
    const plain = formatTable(debianReport());
    const coloured = formatTable(debianReport(), { color: true });
    expect(coloured).toContain('\u001b[1;31mcritical\u001b[0m');
    expect(coloured).toContain('\u001b[31mhigh\u001b[0m');
    expect(coloured).toContain('\u001b[36mlow\u001b[0m');
    expect(coloured).toContain('\u001b[1;31mKEV\u001b[0m');
    expect(coloured).toContain('\u001b[1;31mEND OF LIFE\u001b[0m');
    expect(stripAnsi(coloured)).toBe(plain);
  });

  it('cuts long cells with … and keeps the columns aligned', () => {
    const long = 'lib' + 'x'.repeat(60);
    const f = finding({ package: long, installedVersion: '1.0-' + '9'.repeat(40) });
    const rows = rowsOf(formatTable(report({ findings: [finding(), f] })));
    const cut = rows[2] as string;
    expect(cut).toContain(`${long.slice(0, COLUMN_MAX.package - 1)}…`);
    expect(cut).not.toContain(long);
    expect(cut.indexOf('DSA-5103-1')).toBe((rows[0] as string).indexOf('ADVISORY'));
    expect(cut.indexOf('DSA-5103-1')).toBe((rows[1] as string).indexOf('DSA-5103-1'));
  });

  it('never lets control characters from the data reach the terminal', () => {
    const f = finding({ package: 'evil\u001b[2J\u001b]0;pwned\u0007', explanation: 'x\ny' });
    const out = formatTable(report({ findings: [f], eol: { explanation: 'ends\u001b[31m soon' } }), {
      color: false,
    });
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
    expect(out).toContain('evil?[2J?]0;pwned?');
    expect(out).toContain('ends?[31m soon');
  });

  it('copes with an unknown OS and no matched release', () => {
    const out = formatTable(
      report({
        os: null,
        matchedAs: null,
        eol: { status: 'unknown', explanation: 'the OS release is not known' },
      }),
    );
    expect(out.split('\n').slice(0, 3)).toEqual([
      'Host:        unknown OS',
      'Matched as:  not matched',
      'End of life: unknown: the OS release is not known',
    ]);
  });
});

describe('cells', () => {
  it('truncate counts characters, not UTF-16 units', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
  });

  it('clean replaces C0, DEL and C1 controls', () => {
    expect(clean('a\u0000b\u007fc\u009bd\te')).toBe('a?b?c?d?e');
  });

  it('clean replaces bidirectional overrides, so "gpj.exe" cannot read as "exe.jpg"', () => {
    expect(clean('openssl\u202egpj.exe')).toBe('openssl?gpj.exe');
    expect(clean('a\u2066b\u2069c')).toBe('a?b?c');
  });

  it('cveCell shows the first CVE and how many more, counting a CVE id too', () => {
    expect(cveCell(finding({ advisory: { id: 'DSA-1', aliases: [] } }))).toBe('');
    expect(cveCell(finding({ advisory: { id: 'CVE-2023-1', aliases: [] } }))).toBe('CVE-2023-1');
    expect(cveCell(finding({ advisory: { id: 'USN-1', aliases: ['CVE-1', 'CVE-2', 'CVE-3'] } }))).toBe(
      'CVE-1 +2',
    );
  });

  it('epssCell is a percentage with sensible precision', () => {
    expect(epssCell(finding({ epss: { cve: 'CVE-1', score: 0.97123, percentile: 1 } }))).toBe('97.1%');
    expect(epssCell(finding({ epss: { cve: 'CVE-1', score: 0.00043, percentile: 0.1 } }))).toBe('0.04%');
    expect(epssCell(finding({ epss: null }))).toBe('');
  });
});
