import { describe, expect, it } from 'vitest';
import { chunks, contentHash, dedupe, toTimestamp } from './rows.js';

describe('feed row helpers', () => {
  it('reads feed dates as UTC timestamps', () => {
    expect(toTimestamp('2023-03-29')).toBe('2023-03-29T00:00:00.000Z');
    expect(toTimestamp('2024-05-02T21:17:22.890858')).toBe('2024-05-02T21:17:22.890Z');
    expect(toTimestamp('2024-05-02T21:17:22+02:00')).toBe('2024-05-02T19:17:22.000Z');
    expect(toTimestamp('not a date')).toBeNull();
    expect(toTimestamp(null)).toBeNull();
  });

  it('hashes equal records equally and splits and dedupes', () => {
    expect(contentHash({ a: 1 })).toBe(contentHash({ a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(
      dedupe(
        [
          { k: 'a', v: 1 },
          { k: 'a', v: 2 },
        ],
        (x) => x.k,
      ),
    ).toEqual([{ k: 'a', v: 2 }]);
  });
});
