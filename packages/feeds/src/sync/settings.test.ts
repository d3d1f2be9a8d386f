import { describe, expect, it } from 'vitest';
import { OFFICIAL_BASES } from './endpoints.js';
import { syncSettingsFromEnv } from './settings.js';

describe('syncSettingsFromEnv', () => {
  it('keeps every default when nothing is set', () => {
    expect(syncSettingsFromEnv({})).toEqual({ endpointConfig: {}, download: {} });
  });

  it('replaces the publishers named and keeps the others official', () => {
    const s = syncSettingsFromEnv({
      PATCHLOOP_FEED_URL_OSV: 'http://127.0.0.1:9000/osv-mirror',
      PATCHLOOP_FEED_URL_KEV: 'https://proxy.example/kev.json',
    });
    expect(s.endpointConfig.bases).toEqual({
      ...OFFICIAL_BASES,
      osv: 'http://127.0.0.1:9000/osv-mirror',
      kev: 'https://proxy.example/kev.json',
    });
  });

  it('reads lists, numbers and the download limits', () => {
    const s = syncSettingsFromEnv({
      PATCHLOOP_OSV_ECOSYSTEMS: 'Debian, Ubuntu',
      PATCHLOOP_OSV_INCREMENTAL_MAX: '200',
      PATCHLOOP_UBUNTU_ARCHIVE: 'canonical',
      PATCHLOOP_ALPINE_BRANCHES: 'v3.22,edge',
      PATCHLOOP_EOL_PRODUCTS: 'debian',
      PATCHLOOP_FEED_MAX_DOWNLOAD_MB: '8192',
      PATCHLOOP_FEED_STALL_TIMEOUT: '2m',
    });
    expect(s.endpointConfig).toEqual({
      osvEcosystems: ['Debian', 'Ubuntu'],
      osvIncrementalMax: 200,
      ubuntuArchive: 'canonical',
      alpineBranches: ['v3.22', 'edge'],
      eolProducts: ['debian'],
    });
    expect(s.download).toEqual({ maxBytes: 8192 * 1024 * 1024, stallTimeoutMs: 120_000 });
    // The one duration grammar (core's), bounded: 1s to 30m.
    expect(syncSettingsFromEnv({ PATCHLOOP_FEED_STALL_TIMEOUT: '1m30s' }).download.stallTimeoutMs).toBe(
      90_000,
    );
    expect(syncSettingsFromEnv({ PATCHLOOP_ALPINE_BRANCHES: 'discover' }).endpointConfig.alpineBranches).toBe(
      'discover',
    );
  });

  it.each([
    ['PATCHLOOP_FEED_URL_OSV', 'ftp://mirror/osv', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_FEED_URL_EPSS', 'not a url', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_OSV_ECOSYSTEMS', ' , ', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_OSV_ECOSYSTEMS', 'Debian,Ubuntu:22.04:LTS', 'PL_FEED_ECOSYSTEM_INVALID'],
    ['PATCHLOOP_OSV_INCREMENTAL_MAX', '-1', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_UBUNTU_ARCHIVE', 'biggest', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_FEED_MAX_DOWNLOAD_MB', '0', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_FEED_STALL_TIMEOUT', '1h', 'PL_FEED_CONFIG_INVALID'],
    ['PATCHLOOP_FEED_STALL_TIMEOUT', '500ms', 'PL_FEED_CONFIG_INVALID'],
  ])('refuses %s=%j with %s, naming the variable', (name, value, code) => {
    let err: unknown;
    try {
      syncSettingsFromEnv({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toContain(name);
  });
});
