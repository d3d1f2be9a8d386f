import { expect, it } from 'vitest';
import { isIsoDate } from './date.js';

it('isIsoDate accepts calendar dates only', () => {
  expect(isIsoDate('2024-02-29')).toBe(true);
  expect(isIsoDate('2000-02-29')).toBe(true);
  expect(isIsoDate('2023-12-31')).toBe(true);
  expect(isIsoDate('1900-02-29')).toBe(false);
  expect(isIsoDate('2023-02-29')).toBe(false);
  expect(isIsoDate('2023-13-01')).toBe(false);
  expect(isIsoDate('2023-00-10')).toBe(false);
  expect(isIsoDate('2023-04-31')).toBe(false);
  expect(isIsoDate('2023-04-00')).toBe(false);
  expect(isIsoDate('2023-4-1')).toBe(false);
  expect(isIsoDate('2023-04-01T00:00:00Z')).toBe(false);
  expect(isIsoDate(20230401)).toBe(false);
  expect(isIsoDate(null)).toBe(false);
});
