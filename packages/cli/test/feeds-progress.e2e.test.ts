/**
 * `feeds import` progress, the real binary: on a terminal (a pseudo-terminal
 * through util-linux `script`) a bar on stderr fills by bytes of the archive
 * read, with the records counted; piped, nothing but the summary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '@patchloop/test-support';
import { BIN, patchloop } from './run.js';

const N = 4000;
let dir: string;
let archive: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-progress-'));
  const template = JSON.parse(
    readFileSync(fixturePath('osv-almalinux', 'almalinux9', 'ALSA-2022:4587.json'), 'utf8'),
  ) as Record<string, unknown>;
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < N; i++) {
    const id = `ALSA-8000:${String(i).padStart(4, '0')}`;
    files[`${id}.json`] = Buffer.from(JSON.stringify({ ...template, id }));
  }
  archive = join(dir, 'all.zip');
  // Stored, not deflated: the archive is large enough for the bar to move.
  writeFileSync(archive, zipSync(files, { level: 0 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('feeds import progress', () => {
  it.runIf(existsSync('/usr/bin/script'))(
    'draws a filling bar on a terminal, at most 10 times a second',
    () => {
      const cmd = [process.execPath, BIN, 'feeds', 'import', 'osv', archive, '--data-dir', join(dir, 'tty')]
        .map((a) => `'${a}'`)
        .join(' ');
      const started = Date.now();
      const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
      const seconds = (Date.now() - started) / 1000;
      expect(r.status, r.stdout).toBe(0);
      expect(r.stdout).toContain(`osv: imported ${N}, skipped 0, unchanged 0`);
      const frames = r.stdout
        .split('\r\x1b[K')
        .map((f) => f.trim())
        .filter((f) => f.startsWith('osv: ') && !f.startsWith('osv: imported'));
      const pct = frames
        .map((f) => /\] (\d+)% /.exec(f)?.[1])
        .filter((p) => p !== undefined)
        .map(Number);
      const records = frames.map((f) => Number(/([\d,]+) records/.exec(f)?.[1]?.replace(/,/g, '')));
      // The bar moves: several frames, percentages never going back, records counted up to N.
      expect(pct.length).toBeGreaterThanOrEqual(3);
      expect(pct).toEqual([...pct].sort((a, b) => a - b));
      expect(pct.some((p) => p > 0 && p < 100)).toBe(true);
      expect(Math.max(...records)).toBe(N);
      expect(frames.every((f) => /MiB/.test(f))).toBe(true);
      // At most ~10 redraws a second (plus the first and the last).
      expect(frames.length).toBeLessThanOrEqual(seconds * 10 + 2);
    },
  );

  it('prints no progress when stderr is not a terminal', () => {
    const r = patchloop(['feeds', 'import', 'osv', archive, '--data-dir', join(dir, 'pipe')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`osv: imported ${N}, skipped 0, unchanged 0\n`);
    expect(r.stderr).not.toMatch(/reading|storing|\r/);
  });
});
