/**
 * One offline scan: read the host, load what the store has for it
 * (read-only), assess in memory.
 */
import {
  assessHost,
  enrichmentFrom,
  familyFor,
  indexAdvisories,
  lookupOf,
  parseOsSpec,
  PatchloopError,
  type Classification,
  type ScanReport,
} from '@patchloop/core';
import type { CliConfig } from '../config.js';
import { readScanInput, type ScanInputOptions } from './input.js';

export interface RunScanOptions extends ScanInputOptions {
  dataDir?: string;
  os?: string;
  only?: Classification;
}

export async function runScan(
  config: CliConfig,
  opts: RunScanOptions,
  now = new Date(),
): Promise<ScanReport> {
  const inventory = readScanInput(opts);
  const os = opts.os !== undefined ? parseOsSpec(opts.os) : inventory.os;
  if (!os) {
    throw new PatchloopError(
      'PL_OS_UNSUPPORTED',
      'the inventory does not say which OS release it is: give --os (e.g. --os debian:12)',
    );
  }
  const family = familyFor(os);
  if (!family)
    throw new PatchloopError(
      'PL_OS_UNSUPPORTED',
      `Patchloop cannot assess ${os.prettyName ?? os.id} yet (os id "${os.id}")`,
    );
  // The store (PGlite's WebAssembly) loads only when a scan runs.
  const { loadScanData, openStore, resolveDbConfig } = await import('@patchloop/store');
  const db = await openStore(
    resolveDbConfig({}, { dataDir: opts.dataDir ?? config.dataDir, databaseUrl: config.databaseUrl }),
    {
      readOnly: true,
    },
  );
  let data;
  try {
    data = await loadScanData(db, {
      targets: family.targets(os),
      packages: inventory.packages.map((p) => lookupOf(family, p).name),
      eolProduct: family.eolCycle(os)?.product ?? null,
    });
  } finally {
    await db.close();
  }
  if (data.advisoriesPerTarget.every((t) => t.count === 0)) {
    const what = data.advisoriesPerTarget.map((t) => `${t.ecosystem} ${t.releases.join('/')}`).join(', ');
    throw new PatchloopError(
      'PL_SCAN_NO_ADVISORIES',
      `the store has no advisories for ${what}: a scan would find nothing; import that release's feed first`,
    );
  }
  return assessHost({
    inventory,
    os,
    advisories: indexAdvisories(data.advisories),
    enrichment: enrichmentFrom(data),
    now,
    only: opts.only ? [opts.only] : undefined,
  });
}
