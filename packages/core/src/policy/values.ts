/**
 * The small value grammars of a policy document: names, durations, blackout
 * days, package globs and concurrency limits. Each reader returns null for a
 * value it does not accept; parse.ts turns that into a problem with a path.
 */

import { DAY_MS } from '../time/duration.js';

export const POLICY_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

// Durations have one grammar for the whole product (time/duration.ts).
export { DAY_MS, parseDuration } from '../time/duration.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether text is a real calendar day "YYYY-MM-DD". */
export function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (m === null) return false;
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** The calendar day after a "YYYY-MM-DD" day. */
export function nextCalendarDate(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

export interface DayRange {
  readonly start: string;
  readonly end: string;
}

/** "YYYY-MM-DD" or "YYYY-MM-DD/YYYY-MM-DD" (inclusive, start ≤ end); null otherwise. */
export function parseBlackout(text: string): DayRange | null {
  const parts = text.split('/');
  const start = parts[0] ?? '';
  const end = parts.length === 2 ? (parts[1] ?? '') : start;
  if (parts.length > 2 || !isCalendarDate(start) || !isCalendarDate(end) || end < start) return null;
  return { start, end };
}

/** The blackout range containing a calendar day, or null. Days compare as "YYYY-MM-DD" strings. */
export function blackoutContaining(ranges: readonly DayRange[], day: string): DayRange | null {
  return ranges.find((r) => r.start <= day && day <= r.end) ?? null;
}

/** Package globs: `*` any run of characters, `?` one character, everything else literal. */
export const GLOB_RE = /^[A-Za-z0-9.+\-_:*?]+$/;

export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+\-^$()[\]{}|\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export function matchesAnyGlob(globs: readonly string[], name: string): string | null {
  return globs.find((g) => globToRegExp(g).test(name)) ?? null;
}

const PERCENT_RE = /^(\d{1,3})%$/;

/** A ring's maxConcurrency: a positive integer or "N%" with N in 1..100. */
export function isConcurrency(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1;
  if (typeof v !== 'string') return false;
  const m = PERCENT_RE.exec(v);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 100;
}

/** How many hosts of a ring of `size` may run at once (at least 1; a percentage rounds down). */
export function concurrencyLimit(max: number | string | null, size: number): number {
  if (max === null) return Math.max(size, 1);
  if (typeof max === 'number') return max;
  const pct = Number(PERCENT_RE.exec(max)?.[1] ?? 100);
  return Math.max(1, Math.floor((size * pct) / 100));
}
