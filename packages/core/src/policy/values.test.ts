import { describe, expect, it } from 'vitest';
import { concurrencyLimit, globToRegExp, isConcurrency, parseBlackout, parseDuration } from './values.js';

describe('policy values', () => {
  it('reads durations in days, hours, minutes and seconds', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('4h')).toBe(4 * 3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('0m')).toBe(0);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    for (const bad of ['', '4', '4 h', '1.5h', 's30', 'h', '1m1h', '30s1m'])
      expect(parseDuration(bad)).toBeNull();
  });

  it('reads blackout days and ranges, real dates only, start ≤ end', () => {
    expect(parseBlackout('2026-12-24/2026-12-27')).toEqual({ start: '2026-12-24', end: '2026-12-27' });
    expect(parseBlackout('2028-02-29')).toEqual({ start: '2028-02-29', end: '2028-02-29' });
    for (const bad of [
      '2026-02-29',
      '2026-12-27/2026-12-24',
      '2026-12-24/',
      '26-12-24',
      '2026-12-24/25/26',
    ]) {
      expect(parseBlackout(bad)).toBeNull();
    }
  });

  it('turns globs into anchored patterns with only * and ? special', () => {
    expect(globToRegExp('linux-image-*').test('linux-image-6.1.0-18-amd64')).toBe(true);
    expect(globToRegExp('linux-image-*').test('xlinux-image-1')).toBe(false);
    expect(globToRegExp('lib?.0').test('libz.0')).toBe(true);
    expect(globToRegExp('lib?.0').test('libzz0')).toBe(false);
  });

  it('reads concurrency limits as counts or percentages of the ring', () => {
    expect([5, '20%', '100%'].map(isConcurrency)).toEqual([true, true, true]);
    expect([0, 1.5, '0%', '101%', '20', 'all'].map(isConcurrency)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(concurrencyLimit('20%', 52)).toBe(10);
    expect(concurrencyLimit('20%', 3)).toBe(1);
    expect(concurrencyLimit(5, 52)).toBe(5);
    expect(concurrencyLimit(null, 52)).toBe(52);
  });
});
