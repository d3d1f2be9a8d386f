/**
 * Output formats of `patchloop scan`: pure functions from a ScanReport to
 * the text printed (no I/O, no clock, no randomness; the same report always
 * gives the same bytes). One file per format.
 */
import { PatchloopError, type ScanReport } from '@patchloop/core';
import { formatCsv } from './csv.js';
import { formatCycloneDx } from './cyclonedx.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatTable } from './table.js';
import type { ScanOutputOptions } from './tool.js';

export const SCAN_FORMATS = ['table', 'json', 'csv', 'sarif', 'cyclonedx'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];
export type { ScanOutputOptions } from './tool.js';
export { packageUrl } from './purl.js';

export function isScanFormat(s: string): s is ScanFormat {
  return (SCAN_FORMATS as readonly string[]).includes(s);
}

export function formatScanReport(
  report: ScanReport,
  format: ScanFormat,
  options: ScanOutputOptions = {},
): string {
  switch (format) {
    case 'table':
      return formatTable(report, options);
    case 'json':
      return formatJson(report);
    case 'csv':
      return formatCsv(report);
    case 'sarif':
      return formatSarif(report, options);
    case 'cyclonedx':
      return formatCycloneDx(report, options);
    default:
      throw new PatchloopError(
        'PL_USAGE',
        `unknown output format "${String(format)}": use one of ${SCAN_FORMATS.join(', ')}`,
      );
  }
}
