/**
 * Maintenance windows: whether a policy may deploy at an instant, and when it
 * next may. Pure: the instant is a parameter; croner computes the cron
 * occurrences in the schedule's time zone (DST included, see window.test.ts).
 */
import { Cron } from 'croner';
import type { MaintenanceWindow, Schedule } from './model.js';
import { blackoutContaining, nextCalendarDate, parseBlackout, parseDuration } from './values.js';
import type { DayRange } from './values.js';

export interface WindowState {
  /** Whether deployments may run at the instant. */
  readonly open: boolean;
  /** The open window's start and end (end cut at the first blacked-out midnight); null when closed. */
  readonly start: Date | null;
  readonly end: Date | null;
  /** The next window start after the instant that is not blacked out; null when none is found. */
  readonly next: Date | null;
}

/** Occurrences looked at before giving up (a cron that fires only in blacked-out days). */
const MAX_STEPS = 2000;

/**
 * Window options for croner: five fields, and every time without a wildcard
 * or step is a fixed time, so a window opens once when a wall-clock time
 * happens twice (DST ends) and just after the gap when it does not happen
 * (DST starts), as Vixie cron does.
 */
function cronFor(pattern: string, timezone: string): Cron {
  return new Cron(pattern, { timezone, mode: '5-part', fixedTimeRule: 'no-wildcard' });
}

/** Why a time zone is not usable, or null. */
export function timeZoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `unknown time zone ${JSON.stringify(timezone)} (an IANA name like "Europe/Berlin")`;
  }
}

/** Why a cron expression is not usable, or null. */
export function cronProblem(pattern: string, timezone: string): string | null {
  try {
    const cron = cronFor(pattern, timezone);
    if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) return 'never matches a date';
    return null;
  } catch (e) {
    return `invalid cron expression: ${(e as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

/** The calendar day "YYYY-MM-DD" of an instant in a time zone. */
export function localDay(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The first instant of a calendar day in a time zone (the first valid time when midnight is skipped). */
export function startOfLocalDay(day: string, timezone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const cron = new Cron(`0 0 0 ${d} ${m} * ${y}`, { timezone, fixedTimeRule: 'no-wildcard' });
  const found = cron.nextRun(new Date(Date.UTC(y, m - 1, d) - 2 * 86_400_000));
  return found ?? new Date(Date.UTC(y, m - 1, d));
}

interface Context {
  readonly timezone: string;
  readonly blackouts: readonly DayRange[];
}

/** Where a window opened at `start` closes: after its duration, or at the first blacked-out midnight. */
function clippedEnd(start: Date, durationMs: number, ctx: Context): Date {
  const end = new Date(start.getTime() + durationMs);
  const lastDay = localDay(end, ctx.timezone);
  for (
    let day = nextCalendarDate(localDay(start, ctx.timezone));
    day <= lastDay;
    day = nextCalendarDate(day)
  ) {
    if (blackoutContaining(ctx.blackouts, day) !== null) {
      const midnight = startOfLocalDay(day, ctx.timezone);
      return midnight < end ? midnight : end;
    }
  }
  return end;
}

/** The first occurrence strictly after `after` whose day is not blacked out. */
function nextOpening(cron: Cron, after: Date, ctx: Context): Date | null {
  let ref = after;
  for (let i = 0; i < MAX_STEPS; i++) {
    const run = cron.nextRun(ref);
    if (run === null) return null;
    const blackout = blackoutContaining(ctx.blackouts, localDay(run, ctx.timezone));
    if (blackout === null) return run;
    // Jump past the blackout: one second before its end's next midnight (nextRun strips milliseconds).
    const resume = new Date(startOfLocalDay(nextCalendarDate(blackout.end), ctx.timezone).getTime() - 1000);
    ref = resume > run ? resume : run;
  }
  return null;
}

function windowOpenAt(window: MaintenanceWindow, at: Date, ctx: Context): WindowState {
  const cron = cronFor(window.cron, window.timezone);
  const durationMs = parseDuration(window.duration) ?? 0;
  // Candidates: occurrences in (at - duration, at], earliest first.
  let ref = new Date(at.getTime() - durationMs);
  for (let i = 0; i < MAX_STEPS; i++) {
    const start = cron.nextRun(ref);
    if (start === null || start > at) break;
    if (blackoutContaining(ctx.blackouts, localDay(start, ctx.timezone)) === null) {
      const end = clippedEnd(start, durationMs, ctx);
      if (at < end) return { open: true, start, end, next: nextOpening(cron, at, ctx) };
    }
    ref = start;
  }
  return { open: false, start: null, end: null, next: nextOpening(cron, at, ctx) };
}

/** Without a window: open except on blackout days; `end` is the next blackout's first instant. */
function blackoutOnly(at: Date, ctx: Context): WindowState {
  const today = localDay(at, ctx.timezone);
  const current = blackoutContaining(ctx.blackouts, today);
  if (current !== null) {
    let day = nextCalendarDate(current.end);
    for (
      let r = blackoutContaining(ctx.blackouts, day);
      r !== null;
      r = blackoutContaining(ctx.blackouts, day)
    ) {
      day = nextCalendarDate(r.end);
    }
    return { open: false, start: null, end: null, next: startOfLocalDay(day, ctx.timezone) };
  }
  const upcoming = ctx.blackouts
    .filter((r) => r.start > today)
    .map((r) => r.start)
    .sort()[0];
  return {
    open: true,
    start: null,
    end: upcoming === undefined ? null : startOfLocalDay(upcoming, ctx.timezone),
    next: null,
  };
}

/**
 * Whether `schedule` lets deployments run at `at`. Open when `at` lies in
 * [occurrence, occurrence + duration) of the window's cron in its time zone,
 * the occurrence's day is not blacked out and no blacked-out midnight falls
 * between the occurrence and `at`. A null schedule is always open.
 */
export function windowState(schedule: Schedule | null, at: Date): WindowState {
  if (schedule === null) return { open: true, start: null, end: null, next: null };
  const ctx: Context = {
    timezone: schedule.window?.timezone ?? 'UTC',
    blackouts: schedule.blackout.map(parseBlackout).filter((r): r is DayRange => r !== null),
  };
  return schedule.window === null ? blackoutOnly(at, ctx) : windowOpenAt(schedule.window, at, ctx);
}
