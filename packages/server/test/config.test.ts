import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../src/config.js';

describe('server configuration: feed sync of CVE records', () => {
  it('PATCHLOOP_CVE_SCOPE is all (default) or named; anything else is PL_SERVER_CONFIG_INVALID', () => {
    expect(loadServerConfig({}).cveScope).toBe('all');
    expect(loadServerConfig({ PATCHLOOP_CVE_SCOPE: 'named' }).cveScope).toBe('named');
    expect(() => loadServerConfig({ PATCHLOOP_CVE_SCOPE: 'some' })).toThrow(
      expect.objectContaining({
        code: 'PL_SERVER_CONFIG_INVALID',
        message: expect.stringContaining('PATCHLOOP_CVE_SCOPE'),
      }),
    );
  });

  it('PATCHLOOP_NVD_API_KEY turns the NVD API on; a key that cannot be a header is refused', () => {
    expect(loadServerConfig({}).nvdApiKey).toBeUndefined();
    const key = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    expect(loadServerConfig({ PATCHLOOP_NVD_API_KEY: key }).nvdApiKey).toBe(key);
    expect(() => loadServerConfig({ PATCHLOOP_NVD_API_KEY: 'with space in it' })).toThrow(
      expect.objectContaining({ code: 'PL_SERVER_CONFIG_INVALID' }),
    );
  });
});

describe('server configuration: durations', () => {
  it("reads core's one duration grammar, compound units too; anything else is PL_SERVER_CONFIG_INVALID", () => {
    expect(loadServerConfig({ PATCHLOOP_STALE_AFTER: '1h30m' }).staleAfterMs).toBe(90 * 60_000);
    expect(loadServerConfig({ PATCHLOOP_STALE_AFTER: ' 7d ' }).staleAfterMs).toBe(7 * 86_400_000);
    expect(loadServerConfig({ PATCHLOOP_CHECKIN_INTERVAL: '90s' }).checkinIntervalSeconds).toBe(90);
    expect(() => loadServerConfig({ PATCHLOOP_STALE_AFTER: '1.5h' })).toThrow(
      expect.objectContaining({
        code: 'PL_SERVER_CONFIG_INVALID',
        message: expect.stringContaining('PATCHLOOP_STALE_AFTER'),
      }),
    );
  });
});

describe('server configuration: the read memo', () => {
  it('PATCHLOOP_READ_MEMO_MS is milliseconds (default 250) or off; anything else is PL_SERVER_CONFIG_INVALID', () => {
    expect(loadServerConfig({}).readMemoMs).toBe(250);
    expect(loadServerConfig({ PATCHLOOP_READ_MEMO_MS: '0' }).readMemoMs).toBe(0);
    expect(loadServerConfig({ PATCHLOOP_READ_MEMO_MS: 'off' }).readMemoMs).toBe(Number.POSITIVE_INFINITY);
    for (const bad of ['-1', '1.5', '1s', 'on']) {
      expect(() => loadServerConfig({ PATCHLOOP_READ_MEMO_MS: bad })).toThrow(
        expect.objectContaining({
          code: 'PL_SERVER_CONFIG_INVALID',
          message: expect.stringContaining('PATCHLOOP_READ_MEMO_MS'),
        }),
      );
    }
  });
});
