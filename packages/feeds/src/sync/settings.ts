/**
 * The sync's settings from PATCHLOOP_… environment variables, shared by the
 * server (its scheduled sync runs in a child process) and `patchloop feeds
 * sync`: where each publisher is (a private mirror of OSV's bucket, a proxy),
 * which OSV ecosystems, Alpine branches and endoflife products, and the
 * download limits. Unset variables keep the defaults (endpoints.ts, http.ts).
 */
import { parseDuration, PatchloopError } from '@patchloop/core';
import { DEFAULT_ENDPOINT_CONFIG, type EndpointConfig, type FeedBases } from './endpoints.js';
import type { DownloadOptions } from './http.js';

export interface SyncSettings {
  readonly endpointConfig: Partial<EndpointConfig>;
  readonly download: Partial<DownloadOptions>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** PATCHLOOP_FEED_URL_<NAME> → the publisher base it replaces. */
export const BASE_SETTINGS: Readonly<Record<string, keyof FeedBases>> = {
  PATCHLOOP_FEED_URL_OSV: 'osv',
  PATCHLOOP_FEED_URL_CANONICAL_OSV: 'canonicalOsv',
  PATCHLOOP_FEED_URL_DEBIAN_TRACKER: 'debianTracker',
  PATCHLOOP_FEED_URL_ALPINE_SECDB: 'alpineSecdb',
  PATCHLOOP_FEED_URL_KEV: 'kev',
  PATCHLOOP_FEED_URL_KEV_FALLBACK: 'kevFallback',
  PATCHLOOP_FEED_URL_EPSS: 'epss',
  PATCHLOOP_FEED_URL_CVE_RELEASES: 'cveReleases',
  PATCHLOOP_FEED_URL_ENDOFLIFE: 'endoflife',
  PATCHLOOP_FEED_URL_NVD: 'nvd',
};

const bad = (name: string, why: string, value: string) =>
  new PatchloopError('PL_FEED_CONFIG_INVALID', `${name} ${why}, got "${value}"`);

function list(name: string, value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw bad(name, 'must name at least one item (comma-separated)', value);
  return items;
}

function whole(name: string, value: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw bad(name, `must be a whole number from ${min} to ${max}`, value);
  }
  return Number(value);
}

/** A download that sends nothing for longer than this is stalled whatever the setting says. */
const MAX_STALL_MS = 30 * 60_000;

function url(name: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw bad(name, 'must be an http:// or https:// URL', value);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw bad(name, 'must be an http:// or https:// URL', value);
  return value;
}

/** Reads the sync settings; a bad value is PL_FEED_CONFIG_INVALID naming the variable. */
export function syncSettingsFromEnv(env: Env): SyncSettings {
  const cfg: { -readonly [K in keyof EndpointConfig]?: EndpointConfig[K] } = {};
  const set = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const bases: Partial<Record<keyof FeedBases, string>> = {};
  for (const [name, key] of Object.entries(BASE_SETTINGS)) {
    const v = set(name);
    if (v !== undefined) bases[key] = url(name, v);
  }
  if (Object.keys(bases).length > 0) cfg.bases = { ...DEFAULT_ENDPOINT_CONFIG.bases, ...bases };

  let v = set('PATCHLOOP_OSV_ECOSYSTEMS');
  if (v !== undefined) {
    const names = list('PATCHLOOP_OSV_ECOSYSTEMS', v);
    const perRelease = names.find((n) => n.includes(':'));
    if (perRelease !== undefined) {
      throw new PatchloopError(
        'PL_FEED_ECOSYSTEM_INVALID',
        `PATCHLOOP_OSV_ECOSYSTEMS names "${perRelease}": per-release folders stopped updating in October 2024; use "${perRelease.split(':')[0]}"`,
      );
    }
    cfg.osvEcosystems = names;
  }
  v = set('PATCHLOOP_OSV_INCREMENTAL_MAX');
  if (v !== undefined) cfg.osvIncrementalMax = whole('PATCHLOOP_OSV_INCREMENTAL_MAX', v, 0, 10_000_000);
  v = set('PATCHLOOP_UBUNTU_ARCHIVE');
  if (v !== undefined) {
    if (v !== 'osv' && v !== 'canonical' && v !== 'smaller') {
      throw bad('PATCHLOOP_UBUNTU_ARCHIVE', 'must be osv, canonical or smaller', v);
    }
    cfg.ubuntuArchive = v;
  }
  v = set('PATCHLOOP_ALPINE_BRANCHES');
  if (v !== undefined)
    cfg.alpineBranches = v === 'discover' ? 'discover' : list('PATCHLOOP_ALPINE_BRANCHES', v);
  v = set('PATCHLOOP_EOL_PRODUCTS');
  if (v !== undefined) cfg.eolProducts = list('PATCHLOOP_EOL_PRODUCTS', v);

  const download: { maxBytes?: number; stallTimeoutMs?: number } = {};
  v = set('PATCHLOOP_FEED_MAX_DOWNLOAD_MB');
  if (v !== undefined)
    download.maxBytes = whole('PATCHLOOP_FEED_MAX_DOWNLOAD_MB', v, 1, 1_048_576) * 1024 * 1024;
  v = set('PATCHLOOP_FEED_STALL_TIMEOUT');
  if (v !== undefined) {
    const ms = parseDuration(v);
    if (ms === null || ms < 1000 || ms > MAX_STALL_MS)
      throw bad('PATCHLOOP_FEED_STALL_TIMEOUT', 'must be a duration from 1s to 30m, like 60s or 5m', v);
    download.stallTimeoutMs = ms;
  }
  return { endpointConfig: cfg, download };
}
