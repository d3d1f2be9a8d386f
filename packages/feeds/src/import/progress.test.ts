import { describe, expect, it } from 'vitest';
import { formatProgress, trackProgress, type ProgressState } from './progress.js';

const MiB = 2 ** 20;

describe('progress', () => {
  it('formats a bar filled by bytes against the size, and records as a count', () => {
    const s: ProgressState = { phase: 'parse', records: 12345, bytes: 17 * MiB, totalBytes: 68 * MiB };
    expect(formatProgress('osv', s, 20)).toBe(
      'osv: reading   [#####...............] 25% 17.0/68.0 MiB, 12,345 records',
    );
    expect(formatProgress('osv', { ...s, phase: 'store', bytes: 68 * MiB }, 4)).toBe(
      'osv: storing   [####] 100% 68.0/68.0 MiB, 12,345 records',
    );
    // Unknown size: no bar, the bytes read; an upload counts bytes only.
    expect(formatProgress('kev', { ...s, totalBytes: 0, bytes: 3 * MiB })).toBe(
      'kev: reading   3.0 MiB, 12,345 records',
    );
    expect(formatProgress('osv', { phase: 'upload', records: 0, bytes: MiB, totalBytes: 4 * MiB }, 8)).toBe(
      'osv: uploading [##......] 25% 1.0/4.0 MiB',
    );
  });

  it('emits at most once per interval, folds bytes and records, and flushes the last state', () => {
    let t = 1000;
    const seen: ProgressState[] = [];
    const p = trackProgress({ totalBytes: 1000, intervalMs: 100, now: () => t, emit: (s) => seen.push(s) });
    p.report('read', 10, 1000);
    for (let i = 1; i <= 50; i++) {
      t += 5; // 200 reports a second
      p.report('read', 10 + i * 10, 0);
      p.report('parse', i * 100, 0);
    }
    // 250 ms of reports: the first at once, then one per 100 ms.
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ phase: 'read', records: 0, bytes: 10, totalBytes: 1000 });
    expect(p.state()).toEqual({ phase: 'parse', records: 5000, bytes: 510, totalBytes: 1000 });
    p.flush();
    expect(seen.at(-1)).toEqual(p.state());
    p.flush();
    expect(seen).toHaveLength(4);
  });
});
