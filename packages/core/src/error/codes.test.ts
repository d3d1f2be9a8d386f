import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@patchloop/test-support';
import {
  ERROR_CODES,
  PatchloopError,
  exitCodeOf,
  httpStatusOf,
  isPatchloopError,
  type ErrorCode,
} from './codes.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('error code registry', () => {
  it('docs/ERRORS.md lists exactly the registered codes, each with its HTTP status and exit code', () => {
    const doc = readFileSync(`${repoRoot}/docs/ERRORS.md`, 'utf8');
    const documented = [...doc.matchAll(/^\| `(PL_[A-Z0-9_]+)` \| (\d+) \| (\d+) \|/gm)]
      .map((m) => `${m[1]} ${m[2]} ${m[3]}`)
      .sort();
    const registered = codes.map((c) => `${c} ${httpStatusOf(c)} ${exitCodeOf(c)}`).sort();
    expect(documented).toEqual(registered);
    // Every row of the table is one of those (none lacks its status or exit code).
    expect(doc.match(/^\| `PL_/gm)?.length).toBe(codes.length);
  });

  it('codes are PL_ and upper snake case', () => {
    for (const code of codes) expect(code).toMatch(/^PL_[A-Z][A-Z0-9_]*$/);
  });

  it('every code has an HTTP error status, an exit code and a meaning', () => {
    for (const code of codes) {
      const { status, exit, meaning } = ERROR_CODES[code];
      expect([code, status >= 400 && status <= 599]).toEqual([code, true]);
      expect([code, exit === 1 || exit === 2]).toEqual([code, true]);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it('server-side faults answer 5xx; faults in the request 4xx', () => {
    const server: ErrorCode[] = [
      'PL_INTERNAL',
      'PL_AUDIT_CONFLICT',
      'PL_AUDIT_EVENT_INVALID',
      'PL_DB_MIGRATION_FAILED',
      'PL_DB_UNAVAILABLE',
      'PL_STORE_DISK_FULL',
      'PL_SERVER_CONFIG_INVALID',
      'PL_JOB_SIGNING_KEY_MISSING',
      'PL_FEED_SYNC_CRASHED',
    ];
    for (const c of server) expect([c, httpStatusOf(c) >= 500]).toEqual([c, true]);
    const client: ErrorCode[] = ['PL_REQUEST_INVALID', 'PL_AUTH_REQUIRED', 'PL_NOT_FOUND', 'PL_CONFLICT'];
    expect(client.map(httpStatusOf)).toEqual([400, 401, 404, 409]);
  });

  it('usage errors exit 2, every other error 1', () => {
    expect(codes.filter((c) => exitCodeOf(c) === 2).sort()).toEqual([
      'PL_FEED_SOURCE_UNKNOWN',
      'PL_OS_SPEC_INVALID',
      'PL_SCAN_INPUT_INVALID',
      'PL_USAGE',
      'PL_VERSION_SCHEME_UNKNOWN',
    ]);
  });

  it('a PatchloopError carries its code and details', () => {
    const e = new PatchloopError('PL_USAGE', 'bad', { arg: 'x' });
    expect(isPatchloopError(e)).toBe(true);
    expect(isPatchloopError(new Error('x'))).toBe(false);
    expect(e).toMatchObject({ code: 'PL_USAGE', message: 'bad', details: { arg: 'x' } });
  });

  it("recognises a PatchloopError made by another copy of core (the scan bundle's store)", () => {
    const other = (code: string) => Object.assign(new Error('bad'), { name: 'PatchloopError', code });
    expect(isPatchloopError(other('PL_DB_CONFIG_INVALID'))).toBe(true);
    expect(isPatchloopError(other('PL_NOT_A_CODE'))).toBe(false);
    expect(isPatchloopError(Object.assign(new Error('bad'), { code: 'PL_USAGE' }))).toBe(false);
    expect(isPatchloopError({ name: 'PatchloopError', code: 'PL_USAGE', message: 'bad' })).toBe(false);
  });
});
