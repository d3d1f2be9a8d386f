/** `patchloop hosts import`: an offline host, stored and assessed like an agent's. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtures, tempDir } from './fleet-lab.js';
import { patchloopAsync } from './run.js';

describe('patchloop hosts import', () => {
  const dataDir = tempDir('hosts');
  const csv = join(fixtures, 'inventories/normalized/debian-buster.csv');
  beforeAll(async () => {
    for (const [source, file] of [
      ['debian-dsa', 'DSA-list.txt'],
      ['debian-dla', 'DLA-list.txt'],
    ]) {
      const r = await patchloopAsync([
        'feeds',
        'import',
        source!,
        join(fixtures, 'debian-security-tracker', file!),
        '--data-dir',
        dataDir,
      ]);
      expect([0, 3]).toContain(r.status);
    }
  }, 120_000);

  it('adds a host with the findings patchloop scan finds, and updates it on a second import', async () => {
    const scan = await patchloopAsync([
      'scan',
      '--inventory',
      csv,
      '--os',
      'debian:10',
      '--data-dir',
      dataDir,
      '--format',
      'json',
    ]);
    const expected = (JSON.parse(scan.stdout) as { findings: unknown[] }).findings.length;
    expect(expected).toBeGreaterThan(0);
    const args = [
      'hosts',
      'import',
      '--hostname',
      'offline-1',
      '--os',
      'debian:10',
      '--tags',
      'offline,dc1',
      '--inventory',
      csv,
      '--data-dir',
      dataDir,
    ];
    const first = await patchloopAsync(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`host 1 offline-1: 91 packages, ${expected} findings\n`);
    const again = await patchloopAsync(args);
    expect(again.stdout).toBe(`host 1 offline-1: 91 packages, ${expected} findings\n`);
    const verify = await patchloopAsync(['audit', 'verify', '--data-dir', dataDir]);
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/audit log: \d+ events, chain intact/);
  }, 120_000);

  it('refuses bad input with a stable code and stores nothing', async () => {
    const hostsImport = (hostname: string, ...opts: string[]) =>
      patchloopAsync(['hosts', 'import', '--hostname', hostname, ...opts, '--data-dir', dataDir]);
    // The host made before the bad imports, whichever tests ran before this one.
    const before = await hostsImport('offline-before', '--os', 'debian:10', '--inventory', csv);
    expect(before.status, before.stderr).toBe(0);
    const last = Number(/^host (\d+) offline-before: /.exec(before.stdout)?.[1]);
    expect(last).toBeGreaterThan(0);

    const noOs = await hostsImport('x', '--inventory', csv);
    expect(noOs.status).toBe(1);
    expect(noOs.stderr).toContain('PL_OS_UNSUPPORTED');
    const bad = join(dataDir, '..', `garbled-${process.pid}.csv`);
    writeFileSync(bad, 'ecosystem,name,version\ndeb,"broken\n');
    const garbled = await hostsImport('y', '--os', 'debian:10', '--inventory', bad);
    expect(garbled.status).toBe(1);
    expect(garbled.stderr).toContain('PL_INVENTORY_INVALID');
    const tag = await hostsImport('z', '--os', 'debian:10', '--tags', 'no spaces', '--inventory', csv);
    expect(tag.status).toBe(2);
    // None of them made a host: the next one is the one after.
    const next = await hostsImport('offline-2', '--os', 'debian:10', '--inventory', csv);
    expect(next.stdout).toMatch(new RegExp(`^host ${last + 1} offline-2: `));
  }, 60_000);
});
