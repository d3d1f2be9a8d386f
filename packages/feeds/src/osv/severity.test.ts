import { describe, expect, it } from 'vitest';
import { cvesMapSeverity, severityFromSummary, severityFromWord, ubuntuSeverity } from './severity.js';

describe('publisher severities', () => {
  it('maps Ubuntu priorities, Red Hat impacts and GHSA words', () => {
    const words = [
      'negligible',
      'low',
      'medium',
      'high',
      'critical',
      'Low',
      'Moderate',
      'Important',
      'Critical',
    ];
    expect(words.map(severityFromWord)).toEqual([
      'low',
      'low',
      'medium',
      'high',
      'critical',
      'low',
      'medium',
      'high',
      'critical',
    ]);
    expect(['None', 'MODERATE', 'untriaged', '', 3, undefined].map(severityFromWord)).toEqual([
      'none',
      'medium',
      null,
      null,
      null,
      null,
    ]);
  });

  it('reads a Red Hat style summary prefix only', () => {
    expect(severityFromSummary('Important: kernel security update')).toBe('high');
    expect(severityFromSummary('None: kernel bug fix and enhancement update')).toBe('none');
    expect(severityFromSummary('kernel: Important fix')).toBeNull();
  });

  it('takes the highest Ubuntu priority of a severity list and of a USN cves_map', () => {
    expect(
      ubuntuSeverity([
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' },
        { type: 'Ubuntu', score: 'medium' },
      ]),
    ).toBe('medium');
    const cves = (...p: string[]) => ({
      cves_map: {
        ecosystem: 'Ubuntu:22.04:LTS',
        cves: p.map((s, i) => ({ id: `CVE-2024-${i}`, severity: [{ type: 'Ubuntu', score: s }] })),
      },
    });
    expect(cvesMapSeverity(cves('low', 'high', 'negligible'))).toBe('high');
    expect(cvesMapSeverity(cves())).toBeNull();
    expect(cvesMapSeverity({ cves_map: 'x' })).toBeNull();
  });
});
