import { expect, it } from 'vitest';
import { compareIds } from './ids.js';

it('orders CVE ids by year, then number, as numbers', () => {
  expect(['CVE-2023-1000', 'CVE-2022-5', 'CVE-2023-999', 'CVE-2021-44228'].sort(compareIds)).toEqual([
    'CVE-2021-44228',
    'CVE-2022-5',
    'CVE-2023-999',
    'CVE-2023-1000',
  ]);
});

it('puts CVE ids first and the other ids after, by code unit', () => {
  expect(
    ['XSA-182', 'UBUNTU-CVE-2024-9143', 'CVE-2024-12797', 'ABC-1', 'RHSA-2022:5527', 'CVE-2024-9143'].sort(
      compareIds,
    ),
  ).toEqual([
    'CVE-2024-9143',
    'CVE-2024-12797',
    'ABC-1',
    'RHSA-2022:5527',
    'UBUNTU-CVE-2024-9143',
    'XSA-182',
  ]);
});

it('is a total order: equal numbers spelled differently, and input order does not matter', () => {
  expect(compareIds('CVE-2024-01234', 'CVE-2024-1234')).toBeLessThan(0);
  expect(compareIds('CVE-2024-1234', 'CVE-2024-01234')).toBeGreaterThan(0);
  expect(compareIds('CVE-2024-1234', 'CVE-2024-1234')).toBe(0);
  const ids = ['CVE-2024-1234', 'XSA-1', 'CVE-2024-01234', 'CVE-2023-5'];
  expect([...ids].sort(compareIds)).toEqual([...ids].reverse().sort(compareIds));
});
