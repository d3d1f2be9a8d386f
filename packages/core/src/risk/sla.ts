/**
 * SLA due dates: a finding is due a number of days (per priority) after it
 * was first seen; a KEV finding is due no later than the end (UTC) of CISA's
 * due date. States: open, due-soon (within dueSoonDays of the due time),
 * breached (past it, unresolved), met (resolved by it), missed (resolved late).
 * Pure: `now` is passed in.
 */
import { PatchloopError } from '../error/codes.js';
import { PRIORITIES, type Priority } from './model.js';

export interface SlaPolicy {
  /** Days from first seen to due, per priority; P1 ≤ P2 ≤ P3 ≤ P4. */
  readonly days: Readonly<Record<Priority, number>>;
  /** A finding is `due-soon` this many days before it is due. */
  readonly dueSoonDays: number;
}

export const DEFAULT_SLA: SlaPolicy = { days: { P1: 7, P2: 30, P3: 90, P4: 180 }, dueSoonDays: 3 };

export type SlaBasis = 'priority' | 'kev';
export type SlaState = 'open' | 'due-soon' | 'breached' | 'met' | 'missed';

const DAY_MS = 86_400_000;
const MAX_DAYS = 3650;

function invalidPolicy(key: string, message: string): PatchloopError {
  return new PatchloopError('PL_SLA_POLICY_INVALID', `SLA policy: ${key} ${message}`, { key });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wholeDays(key: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_DAYS) {
    throw invalidPolicy(
      key,
      `must be a whole number of days in ${min}–${MAX_DAYS} (got ${JSON.stringify(v)})`,
    );
  }
  return v;
}

/** An SLA policy from configuration, merged over DEFAULT_SLA; PL_SLA_POLICY_INVALID names the bad key. */
export function parseSlaPolicy(partial: unknown): SlaPolicy {
  if (partial === undefined || partial === null) return DEFAULT_SLA;
  if (!isRecord(partial)) throw invalidPolicy('(root)', 'must be an object');
  for (const key of Object.keys(partial)) {
    if (key !== 'days' && key !== 'dueSoonDays')
      throw invalidPolicy(key, 'is not an SLA setting (days, dueSoonDays)');
  }
  const days: Record<Priority, number> = { ...DEFAULT_SLA.days };
  if (partial.days !== undefined) {
    if (!isRecord(partial.days)) throw invalidPolicy('days', 'must be an object of P1…P4');
    for (const [p, v] of Object.entries(partial.days)) {
      if (!PRIORITIES.includes(p as Priority)) throw invalidPolicy(`days.${p}`, 'is not a priority (P1…P4)');
      days[p as Priority] = wholeDays(`days.${p}`, v, 1);
    }
  }
  for (let i = 1; i < PRIORITIES.length; i++) {
    const hi = PRIORITIES[i - 1] as Priority;
    const lo = PRIORITIES[i] as Priority;
    if (days[lo] < days[hi]) {
      throw invalidPolicy(`days.${lo}`, `must not be shorter than days.${hi} (${days[lo]} < ${days[hi]})`);
    }
  }
  const dueSoonDays =
    partial.dueSoonDays === undefined
      ? DEFAULT_SLA.dueSoonDays
      : wholeDays('dueSoonDays', partial.dueSoonDays, 0);
  return { days, dueSoonDays };
}

/** The end (last millisecond) of a 'YYYY-MM-DD' day in UTC; PL_SLA_INPUT_INVALID if it is not a real date. */
export function endOfUtcDay(date: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 999);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) {
    throw new PatchloopError(
      'PL_SLA_INPUT_INVALID',
      `KEV due date ${JSON.stringify(date)} is not a YYYY-MM-DD date`,
      {
        date,
      },
    );
  }
  return new Date(t);
}

function checkTime(name: string, d: Date): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new PatchloopError('PL_SLA_INPUT_INVALID', `${name} is not a valid time`, { name });
  }
}

/**
 * When a finding is due: first seen + the priority's days, or the end of the
 * KEV due date (UTC) when that is earlier (or the same instant). A KEV due
 * date before first seen gives that date: the finding is breached from the
 * moment it is seen.
 */
export function slaDue(
  priority: Priority,
  firstSeen: Date,
  kev: { readonly dueDate: string } | null,
  policy: SlaPolicy = DEFAULT_SLA,
): { dueAt: Date; basis: SlaBasis } {
  checkTime('firstSeen', firstSeen);
  const byPriority = new Date(firstSeen.getTime() + policy.days[priority] * DAY_MS);
  if (kev === null) return { dueAt: byPriority, basis: 'priority' };
  const byKev = endOfUtcDay(kev.dueDate);
  return byKev.getTime() <= byPriority.getTime()
    ? { dueAt: byKev, basis: 'kev' }
    : { dueAt: byPriority, basis: 'priority' };
}

/**
 * Where a finding stands against its due time. Resolved: `met` when resolved
 * at or before dueAt, else `missed`. Unresolved: `breached` once now is past
 * dueAt, `due-soon` from dueSoonDays before it (dueAt itself included), else `open`.
 */
export function slaState(dueAt: Date, now: Date, resolvedAt: Date | null, dueSoonDays: number): SlaState {
  checkTime('dueAt', dueAt);
  checkTime('now', now);
  if (resolvedAt !== null) {
    checkTime('resolvedAt', resolvedAt);
    return resolvedAt.getTime() <= dueAt.getTime() ? 'met' : 'missed';
  }
  if (now.getTime() > dueAt.getTime()) return 'breached';
  if (now.getTime() >= dueAt.getTime() - dueSoonDays * DAY_MS) return 'due-soon';
  return 'open';
}
