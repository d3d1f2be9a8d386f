/**
 * CISA KEV catalog JSON → KevEntry enrichment records. Pure.
 *
 * Every entry is checked against the catalog's JSON schema (required fields, `cveID` pattern
 * `^CVE-[0-9]{4}-[0-9]{4,19}$`, `cwes` items `^CWE-[0-9]+$`), and more strictly where the schema
 * only says "format": `dateAdded` and `dueDate` must be YYYY-MM-DD calendar dates, and
 * `knownRansomwareCampaignUse` must be `Known` or `Unknown` (absent → not known). An entry that
 * fails is reported (PL_FEED_SCHEMA_INVALID, record = its cveID or `#index`) and skipped; a cveID
 * that repeats an earlier one likewise. Text fields are trimmed (a few names and descriptions carry
 * stray spaces). Entries keep the catalog's order (newest first).
 *
 * A dueDate before dateAdded is not an error: the entries of the first catalog (2021-11-03) carry
 * the due dates of the earlier emergency directives they came from.
 *
 * The catalog header gives `catalogVersion` and `dateReleased` (returned as written, or null when
 * missing or not a string, which is reported with record `catalog`); a `count` that disagrees with
 * the number of entries (a truncated or hand-edited file) is reported with record `count`. Both are
 * warnings (`warning: true`): the entries are kept. Every other error means the entry it names was
 * skipped, or (record `catalog`, not a warning) that nothing of the file could be read.
 */
import type { FeedRecordError, KevEntry, ParseResult } from '@patchloop/core';
import { isIsoDate, isObject } from '../record/index.js';

export type KevParseResult = ParseResult<KevEntry> & {
  readonly catalogVersion: string | null;
  readonly dateReleased: string | null;
  /** The header's `count` (entries the catalog says it holds), null when it is not a number. */
  readonly announced: number | null;
};

const CVE_ID = /^CVE-\d{4}-\d{4,19}$/;
const CWE_ID = /^CWE-\d+$/;
const REQUIRED_TEXT = [
  'vendorProject',
  'product',
  'vulnerabilityName',
  'shortDescription',
  'requiredAction',
] as const;

export function parseKev(text: string, file: string): KevParseResult {
  const errors: FeedRecordError[] = [];
  const fail = (record: string, code: FeedRecordError['code'], reason: string): KevParseResult => {
    errors.push({ file, record, code, reason });
    return { records: [], errors, catalogVersion: null, dateReleased: null, announced: null };
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('catalog', 'PL_FEED_JSON_INVALID', `not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) return fail('catalog', 'PL_FEED_SCHEMA_INVALID', 'expected the catalog object');
  const list = doc['vulnerabilities'];
  if (!Array.isArray(list))
    return fail('catalog', 'PL_FEED_SCHEMA_INVALID', 'vulnerabilities: expected an array');

  const header = (key: string): string | null => {
    const v = doc[key];
    if (typeof v === 'string') return v;
    errors.push({
      file,
      record: 'catalog',
      code: 'PL_FEED_SCHEMA_INVALID',
      reason: `${key}: expected a string`,
      warning: true,
    });
    return null;
  };
  const catalogVersion = header('catalogVersion');
  const dateReleased = header('dateReleased');
  if (doc['count'] !== list.length) {
    const reason = `count ${JSON.stringify(doc['count'])} does not match the ${list.length} entries`;
    errors.push({ file, record: 'count', code: 'PL_FEED_SCHEMA_INVALID', reason, warning: true });
  }

  const records: KevEntry[] = [];
  const seen = new Set<string>();
  list.forEach((item: unknown, i: number) => {
    const cve = isObject(item) && typeof item['cveID'] === 'string' ? item['cveID'] : null;
    const record = cve ?? `#${i}`;
    const entry = toEntry(item);
    if (typeof entry === 'string') {
      errors.push({ file, record, code: 'PL_FEED_SCHEMA_INVALID', reason: entry });
    } else if (seen.has(entry.cveId)) {
      errors.push({
        file,
        record,
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: `${entry.cveId} is listed a second time`,
      });
    } else {
      seen.add(entry.cveId);
      records.push(entry);
    }
  });
  const announced = typeof doc['count'] === 'number' ? doc['count'] : null;
  return { records, errors, catalogVersion, dateReleased, announced };
}

/** The entry, or why it does not match the schema. */
function toEntry(item: unknown): KevEntry | string {
  if (!isObject(item)) return 'expected an object';
  const cveId = item['cveID'];
  if (typeof cveId !== 'string' || !CVE_ID.test(cveId))
    return `cveID: not a CVE id: ${JSON.stringify(cveId)}`;
  for (const key of REQUIRED_TEXT) {
    if (typeof item[key] !== 'string') return `${key}: expected a string`;
  }
  for (const key of ['dateAdded', 'dueDate']) {
    if (!isIsoDate(item[key])) return `${key}: not a YYYY-MM-DD date: ${JSON.stringify(item[key])}`;
  }
  const ransomware = item['knownRansomwareCampaignUse'];
  if (ransomware !== undefined && ransomware !== 'Known' && ransomware !== 'Unknown') {
    return `knownRansomwareCampaignUse: expected "Known" or "Unknown", got ${JSON.stringify(ransomware)}`;
  }
  const notes = item['notes'] ?? '';
  if (typeof notes !== 'string') return 'notes: expected a string';
  const cwes = item['cwes'] ?? [];
  if (!Array.isArray(cwes) || !cwes.every((c) => typeof c === 'string' && CWE_ID.test(c))) {
    return `cwes: expected CWE-NNN ids, got ${JSON.stringify(cwes)}`;
  }
  const text = (key: (typeof REQUIRED_TEXT)[number]): string => (item[key] as string).trim();
  return {
    cveId,
    vendorProject: text('vendorProject'),
    product: text('product'),
    vulnerabilityName: text('vulnerabilityName'),
    dateAdded: item['dateAdded'] as string,
    dueDate: item['dueDate'] as string,
    knownRansomwareCampaignUse: ransomware === 'Known',
    requiredAction: text('requiredAction'),
    shortDescription: text('shortDescription'),
    notes: notes.trim(),
    cwes: cwes as string[],
  };
}
