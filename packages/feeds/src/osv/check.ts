/**
 * Hand-written structural check of one OSV record: every field the parser
 * reads must have its OSV type. It only walks what is there (no schema
 * library, no copies), so a 1,783-record import spends its time in
 * JSON.parse, not here. Unknown fields are allowed, as OSV requires.
 */
import { PatchloopError } from '@patchloop/core';
import { isObject, type JsonObject as Json } from '../record/index.js';
import type { OsvRecord } from './raw.js';

/** `path.key`, or `key` at the root (paths are relative to the record: "affected[0].package.name"). */
function sub(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function fail(path: string, expected: string, got: unknown): never {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  throw new PatchloopError('PL_FEED_SCHEMA_INVALID', `${path}: expected ${expected}, got ${kind}`, { path });
}

function object(v: unknown, path: string): Json {
  if (!isObject(v)) fail(path, 'an object', v);
  return v;
}

function string(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(sub(path, key), 'a string', v);
  return v;
}

function optString(o: Json, key: string, path: string): void {
  const v = o[key];
  if (v !== undefined && typeof v !== 'string') fail(sub(path, key), 'a string', v);
}

function optArray(o: Json, key: string, path: string): readonly unknown[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(sub(path, key), 'an array', v);
  return v;
}

function optStrings(o: Json, key: string, path: string): void {
  optArray(o, key, path).forEach((s, i) => {
    if (typeof s !== 'string') fail(`${sub(path, key)}[${i}]`, 'a string', s);
  });
}

function optObject(o: Json, key: string, path: string): void {
  const v = o[key];
  if (v !== undefined) object(v, sub(path, key));
}

function checkSeverities(o: Json, path: string): void {
  optArray(o, 'severity', path).forEach((s, i) => {
    const p = `${sub(path, 'severity')}[${i}]`;
    const so = object(s, p);
    string(so, 'type', p);
    string(so, 'score', p);
  });
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const RANGE_TYPES: ReadonlySet<unknown> = new Set(['ECOSYSTEM', 'SEMVER', 'GIT']);

function checkEvent(v: unknown, path: string): void {
  const e = object(v, path);
  let n = 0;
  for (const k of EVENT_KEYS) {
    if (e[k] === undefined) continue;
    n++;
    string(e, k, path);
  }
  if (n !== 1) {
    throw new PatchloopError(
      'PL_FEED_SCHEMA_INVALID',
      `${path}: expected exactly one of ${EVENT_KEYS.join(', ')}, got ${n}`,
      { path },
    );
  }
}

function checkRange(v: unknown, path: string): void {
  const r = object(v, path);
  if (!RANGE_TYPES.has(r.type)) fail(sub(path, 'type'), 'ECOSYSTEM, SEMVER or GIT', r.type);
  optString(r, 'repo', path);
  const events = r.events;
  if (!Array.isArray(events)) fail(sub(path, 'events'), 'an array', events);
  events.forEach((e, i) => checkEvent(e, `${sub(path, 'events')}[${i}]`));
}

function checkAffected(v: unknown, path: string): void {
  const a = object(v, path);
  if (a.package !== undefined) {
    const p = object(a.package, sub(path, 'package'));
    string(p, 'ecosystem', sub(path, 'package'));
    string(p, 'name', sub(path, 'package'));
  }
  optArray(a, 'ranges', path).forEach((r, i) => checkRange(r, `${sub(path, 'ranges')}[${i}]`));
  optStrings(a, 'versions', path);
  checkSeverities(a, path);
  optObject(a, 'ecosystem_specific', path);
  optObject(a, 'database_specific', path);
}

function checkReference(v: unknown, path: string): void {
  const r = object(v, path);
  string(r, 'type', path);
  string(r, 'url', path);
}

/**
 * The record, typed, when it has OSV's shape; throws PL_FEED_SCHEMA_INVALID
 * naming the first field that is missing or of the wrong type.
 */
export function checkOsvRecord(v: unknown, path = ''): OsvRecord {
  const r = object(v, path === '' ? 'record' : path);
  if (string(r, 'id', path) === '') fail(sub(path, 'id'), 'a non-empty string', '');
  string(r, 'modified', path);
  for (const k of ['published', 'withdrawn', 'summary', 'details', 'schema_version']) optString(r, k, path);
  for (const k of ['aliases', 'upstream', 'related']) optStrings(r, k, path);
  checkSeverities(r, path);
  optArray(r, 'affected', path).forEach((a, i) => checkAffected(a, `${sub(path, 'affected')}[${i}]`));
  optArray(r, 'references', path).forEach((ref, i) =>
    checkReference(ref, `${sub(path, 'references')}[${i}]`),
  );
  optObject(r, 'database_specific', path);
  return r as unknown as OsvRecord;
}
