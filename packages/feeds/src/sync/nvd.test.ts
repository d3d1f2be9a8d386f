import { describe, expect, it } from 'vitest';
import { parseNvdPage } from '../cve/nvd.js';
import { nvdDate, nvdWindows, RollingLimit } from './nvd.js';

describe('NVD API paging helpers', () => {
  it('cuts the time since the mark into windows of at most 120 days, in NVD date form', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const w = nvdWindows(from, new Date('2026-09-01T00:00:00Z'), 120);
    expect(w.map((x) => [nvdDate(x.start), nvdDate(x.end)])).toEqual([
      ['2026-01-01T00:00:00.000+00:00', '2026-05-01T00:00:00.000+00:00'],
      ['2026-05-01T00:00:00.000+00:00', '2026-08-29T00:00:00.000+00:00'],
      ['2026-08-29T00:00:00.000+00:00', '2026-09-01T00:00:00.000+00:00'],
    ]);
    expect(nvdWindows(from, from, 120)).toEqual([]);
  });

  it('lets at most N requests through in any rolling window', async () => {
    const limit = new RollingLimit(3, 200);
    const t0 = Date.now();
    const at: number[] = [];
    for (let i = 0; i < 7; i++) {
      await limit.take();
      at.push(Date.now() - t0);
    }
    // Requests 4-6 wait for the first window, the 7th for the second.
    expect(at[2]).toBeLessThan(150);
    expect(at[3]).toBeGreaterThanOrEqual(195);
    expect(at[6]).toBeGreaterThanOrEqual(395);
  });

  it("keeps only NVD's Primary metrics; a Rejected CVE is REJECTED; a bad entry is reported", () => {
    const page = parseNvdPage(
      JSON.stringify({
        resultsPerPage: 3,
        startIndex: 0,
        totalResults: 3,
        vulnerabilities: [
          {
            cve: {
              id: 'CVE-2021-44228',
              lastModified: '2025-01-01T00:00:00.000',
              vulnStatus: 'Analyzed',
              descriptions: [
                { lang: 'es', value: 'x' },
                { lang: 'en', value: 'Log4Shell' },
              ],
              metrics: {
                cvssMetricV31: [
                  {
                    source: 'nvd@nist.gov',
                    type: 'Primary',
                    cvssData: { vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', baseScore: 10 },
                  },
                  {
                    source: 'security@apache.org',
                    type: 'Secondary',
                    cvssData: { vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
                  },
                ],
                cvssMetricV2: [
                  {
                    source: 'nvd@nist.gov',
                    type: 'Primary',
                    cvssData: { vectorString: 'AV:N/AC:M/Au:N/C:C/I:C/A:C' },
                  },
                  { source: 'nvd@nist.gov', type: 'Primary', cvssData: { vectorString: 'not a vector' } },
                ],
              },
              weaknesses: [
                { description: [{ value: 'CWE-917' }, { value: 'NVD-CWE-Other' }, { value: 'CWE-20' }] },
              ],
            },
          },
          { cve: { id: 'CVE-2020-0001', vulnStatus: 'Rejected', descriptions: [] } },
          { cve: { id: 'not-a-cve' } },
        ],
      }),
      'page',
    );
    expect(page).toMatchObject({ startIndex: 0, totalResults: 3, count: 3 });
    const [log4j, rejected] = page.records;
    expect(log4j?.description).toBe('Log4Shell');
    expect(log4j?.cwes).toEqual(['CWE-20', 'CWE-917']);
    expect(log4j?.cvss.map((m) => [m.source, m.version, m.baseScore])).toEqual([
      ['nvd', '3.1', 10],
      ['nvd', '2.0', 9.3],
    ]);
    expect(rejected?.state).toBe('REJECTED');
    expect(page.errors.map((e) => [e.record, e.code, e.warning ?? false])).toEqual([
      ['CVE-2021-44228', 'PL_FEED_CVSS_INVALID', true],
      ['not-a-cve', 'PL_FEED_SCHEMA_INVALID', false],
    ]);
    expect(() => parseNvdPage('{"message":"forbidden"}', 'p')).toThrow(/vulnerabilities/);
  });
});
