import { describe, expect, it } from 'vitest';
import type { Schedule } from './model.js';
import { localDay, startOfLocalDay, windowState } from './window.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const state = (schedule: Schedule | null, when: string) => {
  const s = windowState(schedule, at(when));
  return { open: s.open, start: iso(s.start), end: iso(s.end), next: iso(s.next) };
};
const sched = (cron: string, duration: string, timezone: string, blackout: string[] = []): Schedule => ({
  window: { cron, duration, timezone },
  blackout,
});

describe('windowState', () => {
  it('without a schedule is always open', () => {
    expect(state(null, '2026-05-01T12:00:00Z')).toEqual({ open: true, start: null, end: null, next: null });
  });

  // The window: Saturdays 02:00 Berlin time for 4 hours. 2026-01-03 is a Saturday; Berlin is
  // UTC+1 (CET) in winter, UTC+2 (CEST) in summer.
  const saturday = sched('0 2 * * 6', '4h', 'Europe/Berlin');

  it('opens at the occurrence (inclusive) and closes after the duration (exclusive)', () => {
    const window = { start: '2026-01-03T01:00:00.000Z', end: '2026-01-03T05:00:00.000Z' };
    const next = '2026-01-10T01:00:00.000Z';
    expect(state(saturday, '2026-01-03T00:59:59.999Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: window.start,
    });
    expect(state(saturday, '2026-01-03T01:00:00Z')).toEqual({ open: true, ...window, next });
    expect(state(saturday, '2026-01-03T04:59:59.999Z')).toEqual({ open: true, ...window, next });
    expect(state(saturday, '2026-01-03T05:00:00Z')).toEqual({ open: false, start: null, end: null, next });
  });

  it('follows the zone offset: the same local 02:00 is 00:00 UTC in summer', () => {
    expect(state(saturday, '2026-07-04T00:00:00Z')).toMatchObject({
      open: true,
      end: '2026-07-04T04:00:00.000Z',
    });
    expect(state(saturday, '2026-07-04T01:00:00Z').open).toBe(true);
    expect(state(saturday, '2026-07-03T23:59:00Z').open).toBe(false);
  });

  it('a window that crosses midnight stays open into the next day (Friday 22:00 Tokyo, UTC+9, no DST)', () => {
    const tokyo = sched('0 22 * * 5', '6h', 'Asia/Tokyo');
    // Friday 2026-01-09 22:00 JST = 13:00Z; Saturday 03:00 JST = 18:00Z is inside, 04:00 JST = 19:00Z is not.
    expect(state(tokyo, '2026-01-09T18:00:00Z')).toMatchObject({
      open: true,
      start: '2026-01-09T13:00:00.000Z',
      end: '2026-01-09T19:00:00.000Z',
    });
    expect(state(tokyo, '2026-01-09T19:00:00Z').open).toBe(false);
    // India is UTC+5:30: 22:00 IST on Friday 2026-01-09 = 16:30Z.
    const kolkata = sched('0 22 * * 5', '30m', 'Asia/Kolkata');
    expect(state(kolkata, '2026-01-09T16:45:00Z')).toMatchObject({
      open: true,
      start: '2026-01-09T16:30:00.000Z',
    });
  });
});

describe('windowState across DST changes', () => {
  it('Europe/Berlin, DST starts 2026-03-29: 02:00 does not exist, the window opens at 03:00 CEST', () => {
    // Clocks jump from 02:00 CET (01:00Z) to 03:00 CEST. Like Vixie cron (and croner for fixed-time
    // jobs), a window whose start falls in the gap opens at the first valid time after it, 03:00 CEST
    // = 01:00Z, rather than being skipped for the day. Its duration is elapsed time: 2h → 05:00 CEST.
    const daily = sched('0 2 * * *', '2h', 'Europe/Berlin');
    expect(state(daily, '2026-03-29T00:30:00Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: '2026-03-29T01:00:00.000Z',
    });
    expect(state(daily, '2026-03-29T01:00:00Z')).toMatchObject({
      open: true,
      start: '2026-03-29T01:00:00.000Z',
      end: '2026-03-29T03:00:00.000Z',
      next: '2026-03-30T00:00:00.000Z', // 02:00 CEST the day after
    });
    // The day before, still CET: 02:00 = 01:00Z.
    expect(state(daily, '2026-03-28T01:00:00Z').start).toBe('2026-03-28T01:00:00.000Z');
  });

  it('Europe/Berlin, DST ends 2026-10-25: 02:30 happens twice, the window opens once (the first)', () => {
    // Clocks go back from 03:00 CEST to 02:00 CET at 01:00Z, so 02:30 local is 00:30Z (CEST) and again
    // 01:30Z (CET). A maintenance window is a fixed-time job: it opens at the first 02:30 only;
    // the second pass through 02:30 is inside nothing, so the window closes at 01:30Z after 1h.
    const daily = sched('30 2 * * *', '1h', 'Europe/Berlin');
    expect(state(daily, '2026-10-25T00:30:00Z')).toMatchObject({
      open: true,
      start: '2026-10-25T00:30:00.000Z',
      end: '2026-10-25T01:30:00.000Z',
    });
    expect(state(daily, '2026-10-25T01:45:00Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: '2026-10-26T01:30:00.000Z', // 02:30 CET
    });
  });

  it('America/New_York, DST starts 2026-03-08: 02:30 does not exist, the window opens at 03:00 EDT', () => {
    // 02:00 EST (07:00Z) jumps to 03:00 EDT. The day before, 02:30 EST = 07:30Z; this day the window
    // opens at 03:00 EDT = 07:00Z; the day after 02:30 EDT = 06:30Z.
    const daily = sched('30 2 * * *', '1h', 'America/New_York');
    expect(state(daily, '2026-03-07T07:30:00Z').start).toBe('2026-03-07T07:30:00.000Z');
    expect(state(daily, '2026-03-08T06:59:00Z')).toMatchObject({
      open: false,
      next: '2026-03-08T07:00:00.000Z',
    });
    expect(state(daily, '2026-03-08T07:59:00Z')).toMatchObject({
      open: true,
      start: '2026-03-08T07:00:00.000Z',
      end: '2026-03-08T08:00:00.000Z',
      next: '2026-03-09T06:30:00.000Z',
    });
  });

  it('America/New_York, DST ends 2026-11-01: 01:30 happens twice, a fixed-time window opens once', () => {
    // 02:00 EDT (06:00Z) goes back to 01:00 EST: 01:30 is 05:30Z (EDT) and 06:30Z (EST).
    const daily = sched('30 1 * * *', '1h', 'America/New_York');
    expect(state(daily, '2026-11-01T05:30:00Z')).toMatchObject({
      open: true,
      end: '2026-11-01T06:30:00.000Z',
    });
    expect(state(daily, '2026-11-01T06:45:00Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: '2026-11-02T06:30:00.000Z', // 01:30 EST
    });
  });

  it('America/New_York, DST ends: an hourly (interval) window opens in both passes of 01:00', () => {
    // "0 * * * *" has a wildcard hour, so it is an interval job: 01:00 EDT (05:00Z) and 01:00 EST
    // (06:00Z) are both occurrences, as an hourly job runs every real hour.
    const hourly = sched('0 * * * *', '30m', 'America/New_York');
    expect(state(hourly, '2026-11-01T05:10:00Z').start).toBe('2026-11-01T05:00:00.000Z');
    expect(state(hourly, '2026-11-01T06:10:00Z').start).toBe('2026-11-01T06:00:00.000Z');
    expect(state(hourly, '2026-11-01T06:40:00Z')).toMatchObject({
      open: false,
      next: '2026-11-01T07:00:00.000Z',
    });
  });
});

describe('windowState blackouts', () => {
  const saturday = sched('0 2 * * 6', '4h', 'Europe/Berlin', ['2026-12-24/2026-12-27']);

  it('keeps a window closed on blacked-out days and points next past the blackout', () => {
    // Saturday 2026-12-19 is a normal window; Saturday 12-26 lies in the blackout; next is 2027-01-02.
    expect(state(saturday, '2026-12-19T01:30:00Z').open).toBe(true);
    expect(state(saturday, '2026-12-19T06:00:00Z').next).toBe('2027-01-02T01:00:00.000Z');
    expect(state(saturday, '2026-12-26T01:30:00Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: '2027-01-02T01:00:00.000Z',
    });
  });

  it('judges blackout days in the window time zone and cuts a window at a blacked-out midnight', () => {
    // 22:00 Berlin for 4h; 2026-12-24 blacked out. The window of 12-23 opens 21:00Z and would run to
    // 01:00Z, but 12-24 starts at 23:00Z (midnight CET): it closes then. 12-24's window does not open.
    const nightly = sched('0 22 * * *', '4h', 'Europe/Berlin', ['2026-12-24']);
    expect(state(nightly, '2026-12-23T22:30:00Z')).toMatchObject({
      open: true,
      start: '2026-12-23T21:00:00.000Z',
      end: '2026-12-23T23:00:00.000Z',
    });
    // 23:30Z is still 12-23 in UTC, but 00:30 on the blacked-out 12-24 in Berlin.
    expect(state(nightly, '2026-12-23T23:30:00Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: '2026-12-25T21:00:00.000Z',
    });
  });

  it('steps over adjacent and long blackouts', () => {
    const daily = sched('0 3 * * *', '1h', 'UTC', [
      '2026-08-01/2026-08-10',
      '2026-08-11/2026-08-31',
      '2026-09-01',
    ]);
    expect(state(daily, '2026-08-05T03:30:00Z')).toMatchObject({
      open: false,
      next: '2026-09-02T03:00:00.000Z',
    });
    const minutely = sched('* * * * *', '1m', 'UTC', ['2026-01-01/2026-12-31']);
    expect(state(minutely, '2026-06-01T00:00:00Z').next).toBe('2027-01-01T00:00:00.000Z');
  });

  it('without a window, only blackouts close, as UTC days', () => {
    const blackoutOnly: Schedule = { window: null, blackout: ['2026-12-24/2026-12-27', '2026-12-28'] };
    expect(state(blackoutOnly, '2026-12-20T10:00:00Z')).toEqual({
      open: true,
      start: null,
      end: '2026-12-24T00:00:00.000Z',
      next: null,
    });
    expect(state(blackoutOnly, '2026-12-25T10:00:00Z')).toEqual({
      open: false,
      start: null,
      end: null,
      next: '2026-12-29T00:00:00.000Z',
    });
  });

  it('a leap-day window whose day is blacked out waits four years', () => {
    expect(state(sched('0 2 29 2 *', '1h', 'UTC', ['2028-02-29']), '2028-01-01T00:00:00Z').next).toBe(
      '2032-02-29T02:00:00.000Z',
    );
  });
});

describe('local days', () => {
  it('names the calendar day of an instant in a zone and finds its first instant', () => {
    expect(localDay(at('2026-12-23T23:30:00Z'), 'Europe/Berlin')).toBe('2026-12-24');
    expect(localDay(at('2026-12-23T23:30:00Z'), 'America/New_York')).toBe('2026-12-23');
    expect(iso(startOfLocalDay('2026-12-24', 'Europe/Berlin'))).toBe('2026-12-23T23:00:00.000Z');
    expect(iso(startOfLocalDay('2026-07-01', 'Pacific/Kiritimati'))).toBe('2026-06-30T10:00:00.000Z');
    // Santiago (Chile) starts DST at midnight on 2026-09-06: 00:00 does not exist, the day starts at 01:00.
    expect(iso(startOfLocalDay('2026-09-06', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
  });
});
