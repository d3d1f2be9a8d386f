import { describe, expect, it } from 'vitest';
import type { CvssMetric } from './model.js';
import { primaryCvss } from './primary-cvss.js';

const m = (version: CvssMetric['version'], source: string, baseScore: number): CvssMetric => ({
  version,
  source,
  baseScore,
  vector: `v${version}`,
  severity: 'high',
  statedScore: null,
});

describe('primaryCvss', () => {
  it('prefers v3.1, then v3.0, v4.0, v2.0; the CNA before an ADP', () => {
    expect(primaryCvss([])).toBeNull();
    expect(primaryCvss([m('2.0', 'cna', 5), m('4.0', 'cna', 6)])?.version).toBe('4.0');
    expect(primaryCvss([m('4.0', 'cna', 6), m('3.1', 'adp:CISA-ADP', 7)])).toMatchObject({ version: '3.1' });
    expect(primaryCvss([m('3.1', 'adp:CISA-ADP', 7), m('3.1', 'cna', 8)])).toMatchObject({ source: 'cna' });
    expect(primaryCvss([m('3.0', 'cna', 7), m('3.1', 'adp:CISA-ADP', 9)])).toMatchObject({ version: '3.1' });
  });

  it("within a version: the CNA's, then NVD's, then an ADP's, whatever their order", () => {
    const adp = m('3.1', 'adp:CISA-ADP', 9.8);
    const nvd = m('3.1', 'nvd', 7.5);
    expect(primaryCvss([adp, nvd])).toBe(nvd);
    expect(primaryCvss([nvd, adp, m('3.1', 'cna', 5)])).toMatchObject({ source: 'cna' });
    // The version comes first: NVD's v3.1 over the CNA's v4.0.
    expect(primaryCvss([m('4.0', 'cna', 6), m('2.0', 'nvd', 5), nvd])).toBe(nvd);
  });
});
