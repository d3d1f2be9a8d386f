import type { EpssFile, EpssScore, FeedRecordError, ParseResult } from '@patchloop/core';
import { EPSS_HEADER } from './raw.js';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

function parseComment(line: string): { modelVersion: string | null; scoreDate: string | null } {
  const fields = new Map<string, string>();
  for (const part of line.slice(1).split(',')) {
    const i = part.indexOf(':');
    if (i > 0) fields.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const known = (v: string | undefined) => (v === undefined || v === '' || v === 'unknown' ? null : v);
  const date = known(fields.get('score_date'));
  return { modelVersion: known(fields.get('model_version')), scoreDate: date ? date.slice(0, 10) : null };
}

/**
 * Parses an EPSS CSV. Bad rows (wrong field count, a value that is not a
 * probability, a malformed CVE id) are reported and skipped.
 */
export function parseEpss(text: string, file: string): ParseResult<EpssFile> {
  const errors: FeedRecordError[] = [];
  const scores: EpssScore[] = [];
  let meta: { modelVersion: string | null; scoreDate: string | null } = {
    modelVersion: null,
    scoreDate: null,
  };
  let sawHeader = false;
  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (!sawHeader) meta = parseComment(line);
      continue;
    }
    if (!sawHeader) {
      if (line.trim() !== EPSS_HEADER) {
        return {
          records: [],
          errors: [
            {
              file,
              record: `line ${lineNo}`,
              code: 'PL_FEED_SCHEMA_INVALID',
              reason: `expected header "${EPSS_HEADER}"`,
            },
          ],
        };
      }
      sawHeader = true;
      continue;
    }
    const c1 = line.indexOf(',');
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    const cve = c1 < 0 ? line : line.slice(0, c1);
    const epss = c2 < 0 ? NaN : Number(line.slice(c1 + 1, c2));
    const percentile = c2 < 0 ? NaN : Number(line.slice(c2 + 1));
    if (c2 < 0 || line.indexOf(',', c2 + 1) !== -1 || !CVE_ID.test(cve)) {
      errors.push({
        file,
        record: `line ${lineNo}`,
        code: 'PL_FEED_LINE_INVALID',
        reason: 'expected cve,epss,percentile',
      });
    } else if (!(epss >= 0 && epss <= 1) || !(percentile >= 0 && percentile <= 1)) {
      errors.push({
        file,
        record: cve,
        code: 'PL_FEED_LINE_INVALID',
        reason: 'epss and percentile must be numbers in 0..1',
      });
    } else {
      scores.push({ cveId: cve, epss, percentile });
    }
  }
  if (!sawHeader) {
    errors.push({
      file,
      record: 'line 1',
      code: 'PL_FEED_SCHEMA_INVALID',
      reason: 'empty file: no EPSS header',
    });
    return { records: [], errors };
  }
  return { records: [{ ...meta, scores }], errors };
}
