/**
 * `patchloop scan` runs a bundle of the scan with V8's code cache
 * (bin/scan-loader.js, scripts/build-scan.js); this checks it prints what the
 * scan's own modules print (dist/scan-main.js), from the scan index and from
 * the store itself (scan.e2e.test.ts checks that the store's errors keep their
 * codes through the bundle's own copy of core).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '@patchloop/test-support';
import { patchloop } from './run.js';

const loader = createRequire(import.meta.url)('../bin/scan-loader.js') as { bundleIsFresh(): boolean };
const SCAN_MAIN = pathToFileURL(resolve(import.meta.dirname, '../dist/scan-main.js')).href;

let dir: string;
let dataDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-scan-bundle-'));
  dataDir = join(dir, 'data');
  const lists: [string, string][] = [
    ['debian-dsa', 'DSA-list.txt'],
    ['debian-dla', 'DLA-list.txt'],
  ];
  for (const [source, file] of lists) {
    const r = patchloop([
      'feeds',
      'import',
      source,
      fixturePath('debian-security-tracker', file),
      '--data-dir',
      dataDir,
    ]);
    expect([0, 3], r.stderr).toContain(r.status);
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The scan through the lean modules, as bin/patchloop.js runs them without a bundle. */
function leanScan(args: string[]) {
  const code = `const { scanMain } = await import(${JSON.stringify(SCAN_MAIN)});
process.exitCode = await scanMain(['node', 'patchloop', ...process.argv.slice(1)], undefined, () => import('@patchloop/store'));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, 'scan', ...args], {
    encoding: 'utf8',
    cwd: resolve(import.meta.dirname, '..'),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report without its time of scanning (JSON's scannedAt, the table's "Scanned at:" line). */
const withoutTime = (s: string) => s.replace(/"scannedAt": "[^"]*"|Scanned at: +\S+/, '');

describe('patchloop scan: the bundle', () => {
  const args = () => [
    '--inventory',
    fixturePath('inventories', 'normalized', 'debian-buster.csv'),
    '--os',
    'debian:10',
    '--data-dir',
    dataDir,
  ];

  it('is built and newer than the compiled code, so bin/patchloop.js runs it', () => {
    expect(loader.bundleIsFresh()).toBe(true);
  });

  it('prints what the lean modules print, from the scan index and from the store', () => {
    for (const format of ['json', 'table']) {
      const bundled = patchloop(['scan', ...args(), '--format', format]);
      const lean = leanScan([...args(), '--format', format]);
      expect(bundled.status, bundled.stderr).toBe(0);
      expect(lean.status, lean.stderr).toBe(0);
      expect(withoutTime(bundled.stdout)).toBe(withoutTime(lean.stdout));
    }
    const index = patchloop(['scan', ...args(), '--format', 'json']);
    // Without a complete scan index the scan reads the store (PGlite), imported outside the bundle.
    renameSync(join(dataDir, 'scan-index', 'manifest.json'), join(dir, 'manifest.json'));
    try {
      const store = patchloop(['scan', ...args(), '--format', 'json']);
      expect(store.status, store.stderr).toBe(0);
      expect(withoutTime(store.stdout)).toBe(withoutTime(index.stdout));
      expect(JSON.parse(store.stdout)).toMatchObject({ summary: { findings: 40 } });
    } finally {
      renameSync(join(dir, 'manifest.json'), join(dataDir, 'scan-index', 'manifest.json'));
    }
  }, 60_000);
});
