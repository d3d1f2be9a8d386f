/**
 * The CLI's configuration: PATCHLOOP_… environment variables, read and
 * validated once at start; flags override them.
 */
import { existsSync, statSync } from 'node:fs';
import { PatchloopError } from '@patchloop/core';
import { syncSettingsFromEnv, type SyncSettings } from '@patchloop/feeds';
import { loadStoreConfig, nonEmpty, type StoreConfig } from './store-config.js';

export interface CliConfig extends StoreConfig {
  /** PATCHLOOP_FEED_MIRROR: read feeds from this directory instead of downloading them. */
  readonly feedMirror: string | undefined;
  /** PATCHLOOP_FEED_URL_…, PATCHLOOP_OSV_…: where and what `feeds sync` downloads (feeds' settings.ts). */
  readonly feedSync: SyncSettings;
  /** PATCHLOOP_CVE_SCOPE: which CVE records `feeds sync` stores (all, or only those advisories name). */
  readonly cveScope: 'all' | 'named';
  /** PATCHLOOP_NVD_API_KEY: `feeds sync` then also takes NVD's own CVSS from the NVD API. */
  readonly nvdApiKey: string | undefined;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): CliConfig {
  const feedMirror = nonEmpty(env.PATCHLOOP_FEED_MIRROR);
  if (feedMirror !== undefined && !(existsSync(feedMirror) && statSync(feedMirror).isDirectory())) {
    throw new PatchloopError('PL_USAGE', `PATCHLOOP_FEED_MIRROR is not a directory: ${feedMirror}`);
  }
  const cveScope = nonEmpty(env.PATCHLOOP_CVE_SCOPE) ?? 'all';
  if (cveScope !== 'all' && cveScope !== 'named') {
    throw new PatchloopError(
      'PL_USAGE',
      `PATCHLOOP_CVE_SCOPE must be "all" or "named", got ${JSON.stringify(cveScope)}`,
    );
  }
  return {
    ...loadStoreConfig(env),
    feedMirror,
    feedSync: syncSettingsFromEnv(env),
    cveScope,
    nvdApiKey: nonEmpty(env.PATCHLOOP_NVD_API_KEY),
  };
}
