/**
 * `patchloop feeds import|status` end to end: the real binary, a real
 * embedded store in a temp directory, the real public fixtures.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '@patchloop/test-support';
import { patchloop } from './run.js';

let dir: string;
let dataDir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-feeds-'));
  dataDir = join(dir, 'data');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `patchloop feeds import SOURCE <fixture> --data-dir <test store> [extra…]`. */
const importFixture = (source: string, path: string[], extra: string[] = []) =>
  patchloop(['feeds', 'import', source, fixturePath(...path), '--data-dir', dataDir, ...extra]);

const status = () => {
  const r = patchloop(['feeds', 'status', '--data-dir', dataDir, '--format', 'json']);
  expect(r.status).toBe(0);
  return (
    JSON.parse(r.stdout) as {
      sources: { source: string; records: number; lastStatus: string | null; lastError: string | null }[];
    }
  ).sources;
};
const recordsOf = (source: string) => status().find((s) => s.source === source)?.records;

describe('patchloop feeds import', () => {
  it('imports CISA KEV, then re-imports it without changing anything', () => {
    const file = fixturePath('kev', 'known_exploited_vulnerabilities.json');
    const first = patchloop(['feeds', 'import', 'kev', file, '--data-dir', dataDir]);
    expect(first.stdout).toBe('kev: imported 1404, skipped 0, unchanged 0\n');
    expect(first.status).toBe(0);
    const again = patchloop(['feeds', 'import', 'kev', file, '--data-dir', dataDir]);
    expect(again.stdout).toBe('kev: imported 0, skipped 0, unchanged 1404\n');
    expect(again.status).toBe(0);
    expect(status().find((s) => s.source === 'kev')).toMatchObject({
      records: 1404,
      lastStatus: 'ok',
      lastError: null,
    });
  });

  it('rejects a truncated file (exit 1) and keeps the previous good data', () => {
    const text = readFileSync(fixturePath('kev', 'known_exploited_vulnerabilities.json'), 'utf8');
    const truncated = join(dir, 'kev-truncated.json');
    writeFileSync(truncated, text.slice(0, text.length / 2));
    const r = patchloop(['feeds', 'import', 'kev', truncated, '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('kev: imported 0, skipped 1, unchanged 0 (failed: nothing changed)\n');
    expect(r.stderr).toContain('PL_FEED_JSON_INVALID');
    expect(status().find((s) => s.source === 'kev')).toMatchObject({ records: 1404, lastStatus: 'failed' });
  });

  it('imports the AlmaLinux 9 OSV records from a directory', () => {
    const r = importFixture('osv', ['osv-almalinux', 'almalinux9']);
    expect(r.stdout).toBe('osv: imported 1783, skipped 0, unchanged 0\n');
    expect(r.status).toBe(0);
  });

  it('skips bad OSV records with a reason and imports the rest (exit 3)', () => {
    const bad = join(dir, 'osv-mixed');
    mkdirSync(bad);
    writeFileSync(join(bad, 'good.json'), readFileSync(fixturePath('osv-ubuntu-sample', 'USN-2169-2.json')));
    writeFileSync(
      join(bad, 'truncated.json'),
      '{"id": "USN-1-1", "modified": "2020-01-01T00:00:00Z", "affected": [',
    );
    writeFileSync(
      join(bad, 'unknown-ecosystem.json'),
      JSON.stringify({
        id: 'X-1',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'Gentoo', name: 'foo' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }],
          },
        ],
      }),
    );
    writeFileSync(
      join(bad, 'bad-version.json'),
      JSON.stringify({
        id: 'X-2',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'foo' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'not a version' }] }],
          },
        ],
      }),
    );
    const r = patchloop(['feeds', 'import', 'osv', bad, '--data-dir', dataDir]);
    expect(r.stdout).toBe('osv: imported 1, skipped 3, unchanged 0\n');
    expect(r.stderr).toContain('truncated.json');
    expect(r.stderr).toContain('PL_FEED_JSON_INVALID');
    expect(r.stderr).toContain('PL_FEED_ECOSYSTEM_UNKNOWN');
    expect(r.stderr).toContain('PL_FEED_VERSION_INVALID');
    expect(r.status).toBe(3);
    expect(recordsOf('osv')).toBe(1784);
  });

  it('imports the Debian DSA and DLA lists, counting every id', () => {
    const dsa = importFixture('debian-dsa', ['debian-security-tracker', 'DSA-list.txt']);
    // 5,406 distinct ids in the list (the derived DSA.json's 4,862 leaves out the
    // 471 old suffix-less ids and 73 irregular headers). DSA-423's only release
    // line names a package where its fixed version belongs: the record is
    // reported and skipped whole.
    expect(dsa.stdout).toBe('debian-dsa: imported 5405, skipped 1, unchanged 0\n');
    expect(dsa.stderr).toContain('skipped DSA-list.txt DSA-423: PL_FEED_VERSION_INVALID');
    expect(dsa.status).toBe(3);
    expect(recordsOf('debian-dsa')).toBe(5405);
    const dla = importFixture('debian-dla', ['debian-security-tracker', 'DLA-list.txt']);
    expect(dla.status, dla.stderr).toBe(0);
    expect(recordsOf('debian-dla')).toBe(3534);
  });

  it('imports EPSS, CVE records, Alpine secdb and end-of-life data', () => {
    const epss = importFixture('epss', ['epss', 'epss_scores-2026-08-16.csv']);
    expect(epss.stdout).toBe('epss: imported 360142, skipped 0, unchanged 0\n');
    const cve = importFixture('cve', ['cve-records', 'vulnrichment-cve5-sample.jsonl']);
    expect(cve.stdout).toBe('cve: imported 5308, skipped 0, unchanged 0\n');
    expect(cve.status).toBe(0);
    expect(recordsOf('cve')).toBe(5308);
    const alpine = importFixture('alpine-secdb', ['alpine-secdb'], ['--format', 'json']);
    // 18 files (v3.3–v3.11, main and community; the YAML twins are not read
    // twice) merge into 2,466 per-CVE advisories; 69 advisories are skipped in
    // the files that spell a version or CVE id wrongly (e.g. "6.6.2p1-r0",
    // "CVE_2019-2426"), and one version key without ids is only a warning.
    expect(JSON.parse(alpine.stdout)).toMatchObject({
      status: 'partial',
      imported: 2466,
      skipped: 69,
      warnings: 1,
      exitCode: 3,
    });
    expect(alpine.status).toBe(3);
    expect(recordsOf('alpine-secdb')).toBe(2466);
    const eol = importFixture('endoflife', ['endoflife', 'json']);
    expect(eol.status, eol.stderr).toBe(0);
    expect(recordsOf('endoflife')).toBe(17);
  });

  it('prints the status table', () => {
    const r = patchloop(['feeds', 'status', '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^SOURCE\s+RECORDS\s+LAST IMPORT\s+STATUS\s+LAST ERROR$/);
    expect(r.stdout).toMatch(/\nepss\s+360142\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+ok/);
  });

  it('names an unknown source and a missing path with stable codes', () => {
    const unknown = patchloop(['feeds', 'import', 'nvd', '/tmp', '--data-dir', dataDir]);
    expect(unknown.stderr).toMatch(/^error PL_FEED_SOURCE_UNKNOWN: unknown feed source "nvd"/);
    expect(unknown.status).toBe(2);
    const missing = patchloop(['feeds', 'import', 'kev', join(dir, 'nope.json'), '--data-dir', dataDir]);
    expect(missing.stderr).toMatch(/^error PL_FEED_PATH_INVALID: no such file or directory/);
    expect(missing.status).toBe(1);
  });
});
