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
import type * as Store from '@patchloop/store';
import type { ScanDataRequest } from '@patchloop/store';
import type { StoreConfig } from '../store-config.js';
import { readScanInput, type ScanInputOptions } from './input.js';

export interface RunScanOptions extends ScanInputOptions {
  dataDir?: string;
  os?: string;
  only?: Classification;
}

/**
 * Loads the store (PGlite's WebAssembly) when a scan needs it. The scan bundle
 * gets it from outside (bin/scan-loader.js): a bundle compiled with V8's code
 * cache cannot import() on Node.js 20.
 */
export type ImportStore = () => Promise<typeof Store>;
export const importStore: ImportStore = () => import('@patchloop/store');

export async function runScan(
  config: StoreConfig,
  opts: RunScanOptions,
  now = new Date(),
  loadStore: ImportStore = importStore,
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
  const where = { dataDir: opts.dataDir ?? config.dataDir, databaseUrl: config.databaseUrl };
  const request = {
    targets: family.targets(os),
    packages: inventory.packages.map((p) => lookupOf(family, p).name),
    eolProduct: family.eolCycle(os)?.product ?? null,
  };
  const data = (await fromScanIndex(where, request)) ?? (await fromStore(where, request, loadStore));
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

type Where = { dataDir: string | undefined; databaseUrl: string | undefined };
type Request = ScanDataRequest;

/**
 * The embedded store's scan index, when it is complete: a scan then never
 * starts PGlite. Only this small module is loaded, not the store.
 */
async function fromScanIndex(where: Where, request: Request) {
  if (where.databaseUrl !== undefined) return null;
  const { resolveDataDir } = await import('./data-dir.js');
  const { readScanIndex } = await import('@patchloop/store/scan-index');
  return readScanIndex(resolveDataDir(where.dataDir), request);
}

async function fromStore(where: Where, request: Request, loadStore: ImportStore) {
  const { loadScanData, openStore, resolveDbConfig } = await loadStore();
  const db = await openStore(resolveDbConfig({}, where), { readOnly: true });
  try {
    return await loadScanData(db, request);
  } finally {
    await db.close();
  }
}
