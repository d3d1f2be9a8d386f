/**
 * CVE JSON 5 → core CveRecord. Pure: text in, records and per-record errors out.
 *
 * Input is one CVE record (a JSON object, pretty-printed or not), a JSON array
 * of records, or JSON Lines (one minified record per line, as vulnrichment
 * exports and `jq -c` writes). In JSON Lines every line stands alone: a bad
 * line is reported (by CVE id when it can be read, else as "line N") and the
 * next line is parsed.
 *
 * A record is skipped, and reported, when it is not valid JSON
 * (PL_FEED_JSON_INVALID) or lacks the fields every CVE record has: a CVE id,
 * state PUBLISHED or REJECTED, a CNA container, and typed descriptions,
 * problem types, references and metrics where present (PL_FEED_SCHEMA_INVALID).
 *
 * A CVSS metric whose vector cannot be scored is not a reason to lose the CVE:
 * the record is kept (and counts as imported) without that metric, and a
 * PL_FEED_CVSS_INVALID warning (`warning: true`) names the CVE, the provider
 * and the vector. Every other error means the record it names was skipped; a
 * file that is not JSON (and not JSON Lines) is one error for the whole file.
 */
import type { CveRecord, FeedRecordError, ParseResult } from '@patchloop/core';
import { isPatchloopError } from '@patchloop/core';
import { isObject, jsonErrorLine, jsonSyntaxError, withoutBom } from '../record/index.js';
import { checkCveRecord } from './check.js';
import { cveCwes, cveDescription, cveReferences } from './fields.js';
import { cveMetrics } from './metrics.js';
import type { CveRecordV5 } from './raw.js';

const CVE_ID_IN_TEXT = /"cveId"\s*:\s*"(CVE-\d{4}-\d{4,})"/;

export function parseCveRecords(input: string, file: string): ParseResult<CveRecord> {
  const text = withoutBom(input);
  const out: Out = { file, records: [], errors: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    if (looksLikeJsonLines(text)) parseLines(text, out);
    else out.errors.push(jsonError(file, text, e, jsonErrorLine(text, e), text.trimStart().startsWith('{')));
    return { records: out.records, errors: out.errors };
  }
  if (Array.isArray(json)) json.forEach((item, i) => addRecord(item, `#${i}`, out));
  else addRecord(json, '#0', out);
  return { records: out.records, errors: out.errors };
}

interface Out {
  readonly file: string;
  readonly records: CveRecord[];
  readonly errors: FeedRecordError[];
}

/**
 * JSON Lines, not one (broken) JSON document: a document spread over lines
 * starts with a line holding only "{" or "[", a JSON Lines file with a record.
 */
function looksLikeJsonLines(text: string): boolean {
  const m = /^\s*(\S[^\n]*)\n\s*\S/.exec(text);
  if (m === null) return false;
  const first = (m[1] as string).trim();
  return first !== '{' && first !== '[';
}

function parseLines(text: string, out: Out): void {
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    lineNo++;
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      out.errors.push(jsonError(out.file, line, e, lineNo, true));
      continue;
    }
    addRecord(json, `line ${lineNo}`, out);
  }
}

function addRecord(json: unknown, where: string, out: Out): void {
  let raw: CveRecordV5;
  try {
    raw = checkCveRecord(json);
  } catch (e) {
    if (!isPatchloopError(e) || e.code !== 'PL_FEED_SCHEMA_INVALID') throw e;
    const id = readableId(json);
    const reason = id === null || where.startsWith('#') ? e.message : `${where}: ${e.message}`;
    out.errors.push({ file: out.file, record: id ?? where, code: e.code, reason });
    return;
  }
  out.records.push(toCveRecord(raw, out));
}

function toCveRecord(raw: CveRecordV5, out: Out): CveRecord {
  const meta = raw.cveMetadata;
  const { cna } = raw.containers;
  const adp = raw.containers.adp ?? [];
  const metrics = cveMetrics(cna, adp);
  for (const problem of metrics.errors) {
    out.errors.push({
      file: out.file,
      record: meta.cveId,
      code: 'PL_FEED_CVSS_INVALID',
      reason: problem,
      warning: true,
    });
  }
  return {
    id: meta.cveId,
    state: meta.state,
    published: meta.datePublished ?? null,
    modified: meta.dateUpdated ?? null,
    assigner: meta.assignerShortName ?? null,
    description: cveDescription(meta.state, cna),
    cvss: metrics.cvss,
    cwes: cveCwes([cna, ...adp]),
    references: cveReferences([cna, ...adp]),
  };
}

function readableId(json: unknown): string | null {
  if (!isObject(json) || !isObject(json.cveMetadata)) return null;
  const id = json.cveMetadata.cveId;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** The error for unparsable JSON; named by the CVE id when `oneRecord` text shows one, else by line. */
function jsonError(
  file: string,
  text: string,
  e: unknown,
  line: number | null,
  oneRecord: boolean,
): FeedRecordError {
  return jsonSyntaxError(file, e, line, oneRecord ? CVE_ID_IN_TEXT.exec(text)?.[1] : undefined);
}
