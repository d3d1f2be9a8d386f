import { describe, expect, it } from 'vitest';
import { isPatchloopError } from '../error/codes.js';
import { DEFAULT_SLA, endOfUtcDay, parseSlaPolicy, slaDue, slaState } from './sla.js';

const t = (iso: string): Date => new Date(iso);

function error(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
  } catch (e) {
    if (isPatchloopError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

describe('slaDue', () => {
  const seen = t('2024-03-01T10:00:00Z');

  it('adds the priority days to first seen (7/30/90/180 by default)', () => {
    expect(slaDue('P1', seen, null, DEFAULT_SLA)).toEqual({
      dueAt: t('2024-03-08T10:00:00Z'),
      basis: 'priority',
    });
    expect(slaDue('P2', seen, null).dueAt).toEqual(t('2024-03-31T10:00:00Z'));
    expect(slaDue('P3', seen, null).dueAt).toEqual(t('2024-05-30T10:00:00Z'));
    expect(slaDue('P4', seen, null).dueAt).toEqual(t('2024-08-28T10:00:00Z'));
  });

  it("takes CISA's due date (end of that UTC day) when it is earlier", () => {
    expect(slaDue('P2', seen, { dueDate: '2024-03-21' })).toEqual({
      dueAt: t('2024-03-21T23:59:59.999Z'),
      basis: 'kev',
    });
    // Later than the priority's date: the priority wins.
    expect(slaDue('P1', seen, { dueDate: '2024-03-21' }).basis).toBe('priority');
    // The same instant: KEV is named.
    const same = slaDue('P1', t('2024-03-01T23:59:59.999Z'), { dueDate: '2024-03-08' });
    expect(same).toEqual({ dueAt: t('2024-03-08T23:59:59.999Z'), basis: 'kev' });
  });

  it('keeps a KEV due date that is before first seen: already breached', () => {
    const due = slaDue('P1', seen, { dueDate: '2023-08-16' });
    expect(due).toEqual({ dueAt: t('2023-08-16T23:59:59.999Z'), basis: 'kev' });
    expect(slaState(due.dueAt, seen, null, 3)).toBe('breached');
  });

  it('uses the policy', () => {
    const policy = parseSlaPolicy({ days: { P1: 2 } });
    expect(slaDue('P1', seen, null, policy).dueAt).toEqual(t('2024-03-03T10:00:00Z'));
  });

  it('refuses invalid times and dates with PL_SLA_INPUT_INVALID', () => {
    expect(error(() => slaDue('P1', new Date(NaN), null))?.code).toBe('PL_SLA_INPUT_INVALID');
    for (const bad of ['2024-02-30', '2024-3-01', '', '2024-03-01T00:00:00Z', '0050-01-01']) {
      expect(error(() => slaDue('P1', seen, { dueDate: bad }))?.code).toBe('PL_SLA_INPUT_INVALID');
    }
    expect(endOfUtcDay('2024-02-29')).toEqual(t('2024-02-29T23:59:59.999Z'));
  });
});

describe('slaState', () => {
  const due = t('2024-03-10T00:00:00Z');

  it('is open, then due-soon within dueSoonDays (due time included), then breached', () => {
    expect(slaState(due, t('2024-03-06T23:59:59.999Z'), null, 3)).toBe('open');
    expect(slaState(due, t('2024-03-07T00:00:00Z'), null, 3)).toBe('due-soon');
    expect(slaState(due, due, null, 3)).toBe('due-soon');
    expect(slaState(due, t('2024-03-10T00:00:00.001Z'), null, 3)).toBe('breached');
    expect(slaState(due, t('2024-03-09T00:00:00Z'), null, 0)).toBe('open');
  });

  it('is met when resolved by the due time and missed when resolved after it, whatever now is', () => {
    expect(slaState(due, t('2025-01-01T00:00:00Z'), due, 3)).toBe('met');
    expect(slaState(due, t('2024-03-01T00:00:00Z'), t('2024-03-02T00:00:00Z'), 3)).toBe('met');
    expect(slaState(due, t('2025-01-01T00:00:00Z'), t('2024-03-10T00:00:00.001Z'), 3)).toBe('missed');
  });

  it('refuses invalid times', () => {
    expect(error(() => slaState(new Date(NaN), due, null, 3))?.code).toBe('PL_SLA_INPUT_INVALID');
    expect(error(() => slaState(due, new Date('x'), null, 3))?.code).toBe('PL_SLA_INPUT_INVALID');
    expect(error(() => slaState(due, due, new Date('x'), 3))?.message).toBe('resolvedAt is not a valid time');
  });
});

describe('parseSlaPolicy', () => {
  it('returns the defaults for nothing and merges over them', () => {
    expect(parseSlaPolicy(undefined)).toBe(DEFAULT_SLA);
    expect(parseSlaPolicy(null)).toBe(DEFAULT_SLA);
    expect(parseSlaPolicy({})).toEqual(DEFAULT_SLA);
    expect(parseSlaPolicy({ days: { P4: 365 }, dueSoonDays: 0 })).toEqual({
      days: { P1: 7, P2: 30, P3: 90, P4: 365 },
      dueSoonDays: 0,
    });
    expect(DEFAULT_SLA.days.P4).toBe(180);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'x', '(root) must be an object'],
    ['an unknown key', { day: {} }, 'day is not an SLA setting'],
    ['days not an object', { days: [7] }, 'days must be an object of P1…P4'],
    ['an unknown priority', { days: { P5: 1 } }, 'days.P5 is not a priority'],
    ['zero days', { days: { P1: 0 } }, 'days.P1 must be a whole number of days in 1–3650'],
    ['fractional days', { days: { P2: 1.5 } }, 'days.P2 must be a whole number'],
    ['too many days', { days: { P4: 4000 } }, 'days.P4 must be a whole number of days in 1–3650'],
    [
      'a lower priority due sooner',
      { days: { P3: 20 } },
      'days.P3 must not be shorter than days.P2 (20 < 30)',
    ],
    ['negative due-soon days', { dueSoonDays: -1 }, 'dueSoonDays must be a whole number of days in 0–3650'],
  ])('refuses %s with PL_SLA_POLICY_INVALID naming the key', (_what, partial, message) => {
    const e = error(() => parseSlaPolicy(partial));
    expect(e?.code).toBe('PL_SLA_POLICY_INVALID');
    expect(e?.message).toContain(`SLA policy: ${message}`);
  });
});
