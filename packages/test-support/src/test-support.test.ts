import { PatchloopError } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { errorOf, fixturePath, readCsv } from './index.js';

const HEADER = ['left', 'right', 'expected', 'source'];

describe('test support', () => {
  it('errorOf returns the PatchloopError thrown, and fails on anything else', () => {
    const e = new PatchloopError('PL_SCAN_INPUT_INVALID', 'bad input');
    expect(
      errorOf(() => {
        throw e;
      }),
    ).toBe(e);
    expect(
      errorOf(() => {
        throw e;
      }, 'PL_SCAN_INPUT_INVALID'),
    ).toBe(e);
    expect(() => errorOf(() => 1)).toThrow(/nothing was thrown/);
    expect(() =>
      errorOf(() => {
        throw new TypeError('plain');
      }),
    ).toThrow(TypeError);
    expect(() =>
      errorOf(() => {
        throw e;
      }, 'PL_OTHER'),
    ).toThrow(/expected PL_OTHER, got PL_SCAN_INPUT_INVALID/);
  });

  it('finds the shared fixtures and reads their CSV tables verbatim', () => {
    expect(fixturePath('version-compare')).toMatch(/fixtures\/version-compare$/);
    const rows = readCsv('version-compare', 'dpkg', 'dpkg_version_compare.csv');
    expect(rows.length).toBeGreaterThan(100);
    expect(Object.keys(rows[0] ?? {})).toEqual(HEADER);
  });
});
