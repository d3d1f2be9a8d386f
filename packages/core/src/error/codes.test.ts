import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@patchloop/test-support';
import { ERROR_CODES, PatchloopError, isPatchloopError } from './codes.js';

describe('error code registry', () => {
  it('docs/ERRORS.md lists exactly the registered codes', () => {
    const doc = readFileSync(`${repoRoot}/docs/ERRORS.md`, 'utf8');
    const documented = [...doc.matchAll(/^\| `(PL_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('codes are PL_ and upper snake case', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^PL_[A-Z][A-Z0-9_]*$/);
  });

  it('a PatchloopError carries its code and details', () => {
    const e = new PatchloopError('PL_USAGE', 'bad', { arg: 'x' });
    expect(isPatchloopError(e)).toBe(true);
    expect(isPatchloopError(new Error('x'))).toBe(false);
    expect(e).toMatchObject({ code: 'PL_USAGE', message: 'bad', details: { arg: 'x' } });
  });
});
