import { describe, expect, it } from 'vitest';
import { isPatchloopError } from '@patchloop/core';
import { formatScanReport, isScanFormat, SCAN_FORMATS, type ScanFormat } from './index.js';
import { debianReport, report } from './testing.js';

describe('formatScanReport', () => {
  it('knows the five formats', () => {
    expect(SCAN_FORMATS).toEqual(['table', 'json', 'csv', 'sarif', 'cyclonedx']);
    expect(isScanFormat('sarif')).toBe(true);
    expect(isScanFormat('xml')).toBe(false);
  });

  it.each(SCAN_FORMATS)('%s: the same report gives the same text, ending with a newline', (format) => {
    const a = formatScanReport(debianReport(), format, { toolVersion: '0.1.0' });
    const b = formatScanReport(debianReport(), format, { toolVersion: '0.1.0' });
    expect(a).toBe(b);
    expect(a.endsWith('\n')).toBe(true);
    expect(formatScanReport(report(), format).endsWith('\n')).toBe(true);
  });

  it.each(['json', 'sarif', 'cyclonedx'] as const)('%s is JSON', (format) => {
    expect(() => JSON.parse(formatScanReport(debianReport(), format))).not.toThrow();
  });

  it('colours only the table, and only when asked', () => {
    expect(formatScanReport(debianReport(), 'table', { color: true })).toContain('\u001b[');
    for (const format of SCAN_FORMATS) {
      if (format !== 'table')
        expect(formatScanReport(debianReport(), format, { color: true })).not.toContain('\u001b[');
    }
  });

  it('rejects an unknown format with PL_USAGE', () => {
    try {
      formatScanReport(debianReport(), 'xml' as ScanFormat);
      expect.unreachable();
    } catch (e) {
      expect(isPatchloopError(e) && e.code).toBe('PL_USAGE');
    }
  });
});
