import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cveAssets, planCveAssets } from './cve-releases.js';
import { alpineBranchesFromIndex } from './endpoints.js';
import { scanModifiedIds, timeKey } from './osv-delta.js';

const asset = (name: string) => ({ name, browser_download_url: `https://example.test/${name}` });
const listing = (...names: string[]) => [{ tag_name: 't', assets: names.map(asset) }];
const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe('cvelistV5 release plan', () => {
  const assets = cveAssets(
    listing(
      '2026-10-01_delta_CVEs_at_end_of_day.zip',
      '2026-10-02_all_CVEs_at_midnight.zip.zip',
      '2026-10-02_delta_CVEs_at_end_of_day.zip',
      '2026-10-03_all_CVEs_at_midnight.zip.zip',
      '2026-10-03_delta_CVEs_at_0900Z.zip',
      '2026-10-03_delta_CVEs_at_1400Z.zip',
      'cve_2026-10-03_1400Z.txt',
    ),
  );

  it('starts from the newest baseline and its newest delta', () => {
    expect(names(planCveAssets(assets, null))).toEqual([
      '2026-10-03_all_CVEs_at_midnight.zip.zip',
      '2026-10-03_delta_CVEs_at_1400Z.zip',
    ]);
  });

  it('walks the end-of-day deltas of missed days instead of the baseline', () => {
    expect(names(planCveAssets(assets, { date: '2026-10-01', at: '2200Z' }))).toEqual([
      '2026-10-01_delta_CVEs_at_end_of_day.zip',
      '2026-10-02_delta_CVEs_at_end_of_day.zip',
      '2026-10-03_delta_CVEs_at_1400Z.zip',
    ]);
    expect(names(planCveAssets(assets, { date: '2026-10-03', at: '0900Z' }))).toEqual([
      '2026-10-03_delta_CVEs_at_1400Z.zip',
    ]);
    expect(planCveAssets(assets, { date: '2026-10-03', at: '1400Z' })).toEqual([]);
  });

  it('takes the baseline again when a day is missing from the listing', () => {
    expect(names(planCveAssets(assets, { date: '2026-09-28', at: '2200Z' }))[0]).toBe(
      '2026-10-03_all_CVEs_at_midnight.zip.zip',
    );
  });

  it('refuses a listing without a baseline', () => {
    expect(() => planCveAssets(cveAssets(listing('2026-10-03_delta_CVEs_at_0900Z.zip')), null)).toThrow(
      /no \*_all_CVEs_at_midnight/,
    );
  });
});

describe('Alpine secdb index', () => {
  it('finds vX.Y/ and edge/ links, from the oldest branch wanted, in version order', () => {
    const html =
      '<a href="../">../</a><a href="edge/">edge/</a><a href="v3.9/">v3.9/</a>' +
      '<a href="v3.24/">v3.24/</a><a href="v3.18/">v3.18/</a><a href="v3.3/">v3.3/</a><a href="x.json">x</a>';
    expect(alpineBranchesFromIndex(html, 'v3.9')).toEqual(['v3.9', 'v3.18', 'v3.24', 'edge']);
    expect(alpineBranchesFromIndex(html, 'v3.20')).toEqual(['v3.24', 'edge']);
  });
});

describe('OSV modified_id.csv', () => {
  it('orders RFC 3339 times to the nanosecond', () => {
    const a = timeKey('2026-08-01T00:00:00Z') as string;
    const b = timeKey('2026-08-01T00:00:00.000000001Z') as string;
    const c = timeKey('2026-08-01T00:00:00.5Z') as string;
    expect(a < b && b < c).toBe(true);
    expect(timeKey('2026-08-01T02:00:00+02:00')).toBe(a);
    expect(timeKey('not a time')).toBeNull();
  });

  it('reads only down to the last sync, and gives up above the threshold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-csv-'));
    const csv = join(dir, 'modified_id.csv');
    writeFileSync(
      csv,
      '2026-08-03T00:00:00.2Z,B\n2026-08-03T00:00:00.1Z,A\n2026-08-02T00:00:00Z,B\n2026-08-01T00:00:00Z,C\n',
    );
    try {
      expect(await scanModifiedIds(csv, '2026-08-02T00:00:00Z', 10)).toEqual({
        newest: '2026-08-03T00:00:00.2Z',
        ids: ['B', 'A'],
      });
      expect(await scanModifiedIds(csv, '2026-08-01T00:00:00Z', 1)).toMatchObject({ ids: null });
      expect(await scanModifiedIds(csv, null, 10)).toEqual({ newest: '2026-08-03T00:00:00.2Z', ids: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
