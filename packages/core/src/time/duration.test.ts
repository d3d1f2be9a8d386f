import { describe, expect, it } from 'vitest';
import { DAY_MS, parseDuration } from './duration.js';

describe('parseDuration: one grammar for policies, server settings and --interval', () => {
  it('reads what policies wrote: days, hours, minutes and seconds, combined largest first', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('4h')).toBe(4 * 3_600_000);
    expect(parseDuration('1d')).toBe(DAY_MS);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('0m')).toBe(0);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2d12h')).toBe(2.5 * DAY_MS);
  });

  it('reads what server settings wrote: one number with ms, s, m, h or d', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(15 * 60_000);
    expect(parseDuration('6h')).toBe(6 * 3_600_000);
    expect(parseDuration('7d')).toBe(7 * DAY_MS);
    expect(parseDuration('0s')).toBe(0);
  });

  it('tells minutes from milliseconds, and takes milliseconds last', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('5ms')).toBe(5);
    expect(parseDuration('1s500ms')).toBe(1500);
    expect(parseDuration('1m5ms')).toBe(60_005);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      '4',
      '4 h',
      ' 4h',
      '1.5h',
      '-1h',
      's30',
      'h',
      'ms',
      '1m1h',
      '30s1m',
      '5ms1s',
      '1h1h',
      '1w',
      '1H',
    ]) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });
});
