/**
 * The lab's advisory feed (`labDsaList`, agent test support) is a DSA list the real importer takes:
 * `patchloop feeds import debian-dsa FILE` into a throwaway store imports all three advisories.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { labDsaList } from '@patchloop/agent/testing';
import { patchloopAsync } from './run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-lab-feed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('imports the lab DSA list like any feed', async () => {
  const file = join(dir, 'DSA-list.txt');
  writeFileSync(file, labDsaList());
  const dataDir = join(dir, 'data');
  const r = await patchloopAsync(['feeds', 'import', 'debian-dsa', file, '--data-dir', dataDir]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('imported 3');
  expect(r.status).toBe(0);
  const again = await patchloopAsync(['feeds', 'import', 'debian-dsa', file, '--data-dir', dataDir]);
  expect(again.stdout).toContain('imported 0, skipped 0, unchanged 3');
  expect(again.status).toBe(0);
});
