/**
 * One endoflife.date release cycle (any of the three wire formats, raw.ts) → EolCycle.
 *
 * - cycle: `releaseCycle` / `name` (v1) / `cycle` (v0); a number (old v0 files) becomes its text.
 * - eol: the date, else the boolean (v1: `eolFrom ?? isEol`). Required.
 * - support (end of active support): front matter `eoas` (older `support`); v1 `eoasFrom ?? isEoas`;
 *   null when the product has no such column.
 * - eoes (end of extended support): front matter `eoes` (v0 `extendedSupport`); v1
 *   `eoesFrom ?? isEoes`; null when the product has no such column.
 * - lts: true when `lts` is true or a date (the cycle is an LTS line; the date is when it became or
 *   becomes one; with no clock here, a future date still counts), v1 `isLts || ltsFrom !== null`.
 * - latest: the latest patch release (`latest`, v1 `latest.name`), or null.
 * A field of the wrong type, or a string that is not a YYYY-MM-DD calendar date where a date is
 * expected, makes the cycle unusable: the reason is returned and the caller reports it.
 */
import type { EolCycle } from '@patchloop/core';
import { isIsoDate, isObject, type JsonObject as Json } from '../record/index.js';

class Invalid extends Error {}

function bad(field: string, expected: string, got: unknown): never {
  throw new Invalid(`${field}: expected ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`);
}

function dateOrBool(v: unknown, field: string): string | boolean {
  if (typeof v === 'boolean' || isIsoDate(v)) return v;
  return bad(field, 'a YYYY-MM-DD date or a boolean', v);
}

function optDateOrBool(o: Json, fields: readonly string[]): string | boolean | null {
  const field = fields.find((f) => o[f] !== undefined && o[f] !== null);
  return field === undefined ? null : dateOrBool(o[field], field);
}

function optDate(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  return isIsoDate(v) ? v : bad(field, 'a YYYY-MM-DD date', v);
}

function optBool(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'boolean' ? v : bad(field, 'a boolean', v);
}

function optText(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number') return String(v);
  return bad(field, 'a string', v);
}

function cycleName(v: unknown, field: string): string {
  const name = optText(v, field);
  return name === null ? bad(field, 'the cycle name', v) : name;
}

/** A v1 date/flag pair: the date when there is one, else the flag; null when the pair is absent. */
function pair(o: Json, flag: string, from: string): string | boolean | null {
  const date = optDate(o[from], from);
  const isSet = optBool(o[flag], flag);
  return date ?? isSet;
}

function lts(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  return isIsoDate(v) ? true : bad('lts', 'a boolean or a YYYY-MM-DD date', v);
}

function attempt(f: () => EolCycle): EolCycle | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof Invalid) return e.message;
    throw e;
  }
}

/** A cycle of the product front matter. */
export function frontMatterCycle(product: string, r: unknown): EolCycle | string {
  return sharedCycle(product, r, 'releaseCycle');
}

/** A cycle of the legacy API v0: the front matter fields, with `cycle` for `releaseCycle`. */
export function legacyCycle(product: string, r: unknown): EolCycle | string {
  return sharedCycle(product, r, 'cycle');
}

function sharedCycle(product: string, r: unknown, nameField: string): EolCycle | string {
  if (!isObject(r)) return 'expected a release object';
  return attempt(() => ({
    product,
    cycle: cycleName(r[nameField], nameField),
    codename: optText(r['codename'], 'codename'),
    releaseDate: optDate(r['releaseDate'], 'releaseDate'),
    eol:
      r['eol'] === undefined
        ? bad('eol', 'a YYYY-MM-DD date or a boolean', undefined)
        : dateOrBool(r['eol'], 'eol'),
    eoes: optDateOrBool(r, ['eoes', 'extendedSupport']),
    support: optDateOrBool(r, ['eoas', 'support']),
    lts: lts(r['lts']),
    latest: optText(r['latest'], 'latest'),
  }));
}

/** A release of API v1. */
export function v1Cycle(product: string, r: unknown): EolCycle | string {
  if (!isObject(r)) return 'expected a release object';
  return attempt(() => {
    const eol = pair(r, 'isEol', 'eolFrom');
    const latest = r['latest'];
    if (latest !== undefined && latest !== null && !isObject(latest)) bad('latest', 'an object', latest);
    return {
      product,
      cycle: cycleName(r['name'], 'name'),
      codename: optText(r['codename'], 'codename'),
      releaseDate: optDate(r['releaseDate'], 'releaseDate'),
      eol: eol ?? bad('isEol', 'a boolean', r['isEol']),
      eoes: pair(r, 'isEoes', 'eoesFrom'),
      support: pair(r, 'isEoas', 'eoasFrom'),
      lts: optBool(r['isLts'], 'isLts') === true || optDate(r['ltsFrom'], 'ltsFrom') !== null,
      latest: isObject(latest) ? optText(latest['name'], 'latest.name') : null,
    };
  });
}
