import { describe, expect, it } from 'vitest';
import { readFixture } from '@patchloop/test-support';
import { parseEpss } from './parse.js';

describe('parseEpss', () => {
  it('parses the full real EPSS file (360,142 CVEs) with its comment line', () => {
    const r = parseEpss(readFixture('epss', 'epss_scores-2026-08-16.csv'), 'epss_scores-2026-08-16.csv');
    expect(r.errors).toEqual([]);
    const file = r.records[0];
    expect(file?.scores.length).toBe(360_142);
    expect(file?.modelVersion).toBeNull(); // "unknown" in this crawl
    expect(file?.scores[0]).toEqual({ cveId: 'CVE-1999-0001', epss: 0.03351, percentile: 0.8765 });
  });

  it('reads model version and score date from the official comment line', () => {
    const r = parseEpss(
      '#model_version:v2025.03.14,score_date:2025-03-17T12:55:00Z\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99961\n',
      'x.csv',
    );
    expect(r.records[0]).toEqual({
      modelVersion: 'v2025.03.14',
      scoreDate: '2025-03-17',
      scores: [{ cveId: 'CVE-2021-44228', epss: 0.94358, percentile: 0.99961 }],
    });
  });

  it('works without the comment line and with CRLF', () => {
    const r = parseEpss('cve,epss,percentile\r\nCVE-2021-44228,0.9,0.99\r\n', 'x.csv');
    expect(r.records[0]?.scores).toHaveLength(1);
    expect(r.records[0]?.modelVersion).toBeNull();
  });

  it('reports bad rows and keeps the good ones', () => {
    const r = parseEpss(
      'cve,epss,percentile\nCVE-2021-44228,0.9,0.99\nnot-a-cve,0.1,0.2\nCVE-2020-0001,1.5,0.2\nCVE-2020-0002,0.1\nCVE-2020-0003,0.1,0.2\n',
      'x.csv',
    );
    expect(r.records[0]?.scores.map((s) => s.cveId)).toEqual(['CVE-2021-44228', 'CVE-2020-0003']);
    expect(r.errors).toEqual([
      {
        file: 'x.csv',
        record: 'line 3',
        code: 'PL_FEED_LINE_INVALID',
        reason: 'expected cve,epss,percentile',
      },
      {
        file: 'x.csv',
        record: 'CVE-2020-0001',
        code: 'PL_FEED_LINE_INVALID',
        reason: 'epss and percentile must be numbers in 0..1',
      },
      {
        file: 'x.csv',
        record: 'line 5',
        code: 'PL_FEED_LINE_INVALID',
        reason: 'expected cve,epss,percentile',
      },
    ]);
  });

  it('rejects a file that is not EPSS at all, or empty', () => {
    expect(parseEpss('<html>oops</html>', 'x.csv')).toMatchObject({
      records: [],
      errors: [{ code: 'PL_FEED_SCHEMA_INVALID' }],
    });
    expect(parseEpss('', 'x.csv')).toMatchObject({
      records: [],
      errors: [{ code: 'PL_FEED_SCHEMA_INVALID' }],
    });
  });
});
