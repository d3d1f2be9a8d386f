/**
 * One page of the NVD API 2.0 (`/rest/json/cves/2.0`) → core CveRecords
 * whose only metrics are NVD's own: the `"type": "Primary"` entries of
 * cvssMetricV40/V31/V30/V2 given by nvd@nist.gov, as source "nvd". The CNA's
 * metrics NVD repeats (type "Secondary") are left out: they come from the
 * cvelistV5 records. The store merges these metrics into the stored CVE
 * (see FeedBatch 'cve', from 'nvd'). Pure: text in, records and errors out.
 */
import type { CveRecord, CvssMetric, FeedRecordError } from '@patchloop/core';
import { isObject, withoutBom, type JsonObject as Json } from '../record/index.js';
import { toMetric } from './metrics.js';

/** NVD's metric lists, in the order their metrics are stored. */
const NVD_METRIC_KEYS = ['cvssMetricV31', 'cvssMetricV30', 'cvssMetricV40', 'cvssMetricV2'] as const;
const NVD_SOURCE = 'nvd@nist.gov';
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const CWE_ID = /^CWE-\d+$/;
const ENGLISH = /^en(?:g|[-_].*)?$/i;

export interface NvdPage {
  readonly startIndex: number;
  readonly resultsPerPage: number;
  readonly totalResults: number;
  /** Vulnerabilities on this page (records and skipped ones): what startIndex advances by. */
  readonly count: number;
  readonly records: CveRecord[];
  /** Skipped records, and metrics dropped from kept ones (warnings). */
  readonly errors: FeedRecordError[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const int = (o: Json, key: string): number => {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : -1;
};

/** The page's paging fields and records; throws (PL_FEED_DOWNLOAD_INVALID by the caller) when it is not an NVD page. */
export function parseNvdPage(input: string, file: string): NvdPage {
  const json: unknown = JSON.parse(withoutBom(input));
  if (!isObject(json) || !Array.isArray(json.vulnerabilities)) {
    throw new Error('not an NVD API 2.0 answer (no "vulnerabilities" array)');
  }
  const page = {
    startIndex: int(json, 'startIndex'),
    resultsPerPage: int(json, 'resultsPerPage'),
    totalResults: int(json, 'totalResults'),
  };
  if (page.startIndex < 0 || page.totalResults < 0) {
    throw new Error('not an NVD API 2.0 answer (no startIndex / totalResults)');
  }
  const records: CveRecord[] = [];
  const errors: FeedRecordError[] = [];
  json.vulnerabilities.forEach((v, i) => {
    const cve = isObject(v) && isObject(v.cve) ? v.cve : null;
    const id = str(cve?.id);
    if (cve === null || id === null || !CVE_ID.test(id)) {
      errors.push({
        file,
        record: id ?? `#${page.startIndex + i}`,
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: 'vulnerabilities[].cve.id: expected a CVE id',
      });
      return;
    }
    const dropped: string[] = [];
    records.push(nvdRecord(id, cve, dropped));
    for (const reason of dropped) {
      errors.push({ file, record: id, code: 'PL_FEED_CVSS_INVALID', reason, warning: true });
    }
  });
  return { ...page, count: json.vulnerabilities.length, records, errors };
}

function nvdRecord(id: string, cve: Json, dropped: string[]): CveRecord {
  const metrics = isObject(cve.metrics) ? cve.metrics : {};
  const cvss: CvssMetric[] = [];
  for (const key of NVD_METRIC_KEYS) {
    list(metrics[key]).forEach((m, i) => {
      if (!isObject(m) || m.type !== 'Primary' || m.source !== NVD_SOURCE) return;
      const metric = toMetric(m.cvssData, 'nvd', `nvd metrics.${key}[${i}]`, dropped);
      if (metric && !cvss.some((c) => c.version === metric.version && c.vector === metric.vector)) {
        cvss.push(metric);
      }
    });
  }
  const texts = list(cve.descriptions).filter(isObject);
  const en = texts.find((t) => ENGLISH.test(str(t.lang) ?? '')) ?? texts[0];
  const cwes = new Set<string>();
  for (const w of list(cve.weaknesses).filter(isObject)) {
    for (const d of list(w.description).filter(isObject)) {
      const value = str(d.value);
      if (value !== null && CWE_ID.test(value)) cwes.add(value);
    }
  }
  const refs = new Set<string>();
  for (const r of list(cve.references).filter(isObject)) {
    const url = str(r.url);
    if (url !== null) refs.add(url);
  }
  return {
    id,
    state: cve.vulnStatus === 'Rejected' ? 'REJECTED' : 'PUBLISHED',
    published: str(cve.published),
    modified: str(cve.lastModified),
    assigner: str(cve.sourceIdentifier),
    description: str(en?.value) ?? '',
    cvss,
    cwes: [...cwes].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))),
    references: [...refs],
  };
}
