/**
 * Hand-written structural check of one CVE JSON 5 record: the fields the
 * parser reads must have their schema types. CVSS objects are not checked
 * here: a bad metric costs only that metric (see metrics.ts), not the record.
 * Unknown fields are allowed (x_ extensions, newer schema versions).
 */
import { PatchloopError } from '@patchloop/core';
import { isObject, type JsonObject as Json } from '../record/index.js';
import type { CveRecordV5 } from './raw.js';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const STATES: ReadonlySet<unknown> = new Set(['PUBLISHED', 'REJECTED']);

function fail(path: string, expected: string, got: unknown): never {
  const kind =
    got === null
      ? 'null'
      : Array.isArray(got)
        ? 'an array'
        : typeof got === 'string'
          ? JSON.stringify(got.slice(0, 60))
          : typeof got;
  throw new PatchloopError('PL_FEED_SCHEMA_INVALID', `${path}: expected ${expected}, got ${kind}`, { path });
}

function object(v: unknown, path: string): Json {
  if (!isObject(v)) fail(path, 'an object', v);
  return v;
}

function string(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${path}.${key}`, 'a string', v);
  return v;
}

function optString(o: Json, key: string, path: string): void {
  const v = o[key];
  if (v !== undefined && typeof v !== 'string') fail(`${path}.${key}`, 'a string', v);
}

function optArray(o: Json, key: string, path: string): readonly unknown[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`${path}.${key}`, 'an array', v);
  return v;
}

function checkTexts(o: Json, key: string, path: string): void {
  optArray(o, key, path).forEach((d, i) => {
    const p = `${path}.${key}[${i}]`;
    const t = object(d, p);
    string(t, 'lang', p);
    string(t, 'value', p);
  });
}

function checkContainer(v: unknown, path: string): void {
  const c = object(v, path);
  const meta = object(c.providerMetadata, `${path}.providerMetadata`);
  optString(meta, 'orgId', `${path}.providerMetadata`);
  optString(meta, 'shortName', `${path}.providerMetadata`);
  checkTexts(c, 'descriptions', path);
  checkTexts(c, 'rejectedReasons', path);
  optArray(c, 'problemTypes', path).forEach((pt, i) => {
    const p = `${path}.problemTypes[${i}]`;
    optArray(object(pt, p), 'descriptions', p).forEach((d, j) => {
      const q = `${p}.descriptions[${j}]`;
      const o = object(d, q);
      optString(o, 'description', q);
      optString(o, 'cweId', q);
    });
  });
  optArray(c, 'references', path).forEach((r, i) =>
    string(object(r, `${path}.references[${i}]`), 'url', `${path}.references[${i}]`),
  );
  optArray(c, 'metrics', path).forEach((m, i) => object(m, `${path}.metrics[${i}]`));
}

/** The record, typed, when it has CVE JSON 5's shape; throws PL_FEED_SCHEMA_INVALID naming the first bad field. */
export function checkCveRecord(v: unknown): CveRecordV5 {
  const r = object(v, 'record');
  if (r.dataType !== undefined && r.dataType !== 'CVE_RECORD')
    fail('record.dataType', '"CVE_RECORD"', r.dataType);
  const meta = object(r.cveMetadata, 'record.cveMetadata');
  const id = string(meta, 'cveId', 'record.cveMetadata');
  if (!CVE_ID.test(id)) fail('record.cveMetadata.cveId', 'a CVE id (CVE-YYYY-NNNN)', id);
  if (!STATES.has(meta.state)) fail('record.cveMetadata.state', 'PUBLISHED or REJECTED', meta.state);
  for (const k of ['assignerShortName', 'datePublished', 'dateUpdated', 'dateRejected']) {
    optString(meta, k, 'record.cveMetadata');
  }
  const containers = object(r.containers, 'record.containers');
  checkContainer(containers.cna, 'record.containers.cna');
  optArray(containers, 'adp', 'record.containers').forEach((a, i) =>
    checkContainer(a, `record.containers.adp[${i}]`),
  );
  return r as unknown as CveRecordV5;
}
