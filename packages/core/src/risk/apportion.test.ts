import { describe, expect, it } from 'vitest';
import { apportionTenths } from './apportion.js';

describe('apportionTenths', () => {
  it('rounds the total and makes the parts add up to it', () => {
    // 1.65 + 6.4725 + 12.4056 = 20.5281 → 20.5; floors 1.6 + 6.4 + 12.4 = 20.4; the missing
    // tenth goes to the largest remainder (6.4725: 0.725).
    expect(apportionTenths([1.65, 6.4725, 12.4056])).toEqual({ total: 20.5, parts: [1.6, 6.5, 12.4] });
  });

  it('handles negative parts and binary noise', () => {
    expect(apportionTenths([49, 45, -14.1, -15.98])).toEqual({ total: 63.9, parts: [49, 45, -14.1, -16] });
    expect(apportionTenths([9.8 * 5, 0.1 + 0.2])).toEqual({ total: 49.3, parts: [49, 0.3] });
  });

  it('never gives a tenth to an exact zero and never returns -0', () => {
    const r = apportionTenths([0, 0.05, 0, 0.05]);
    expect(r.total).toBe(0.1);
    expect(r.parts).toEqual([0, 0.1, 0, 0]);
    expect(Object.is(apportionTenths([-0.01, 0.01]).parts[0], -0)).toBe(false);
  });

  it('rounds half up on the total', () => {
    expect(apportionTenths([0.25, 0.3]).total).toBe(0.6);
  });
});
