import { PatchloopError } from '@patchloop/core';

/**
 * The PatchloopError that `fn` throws; anything else thrown fails the test as
 * it is, and nothing thrown fails it too. With `code`, the error must carry it.
 */
export function errorOf(fn: () => unknown, code?: string): PatchloopError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof PatchloopError)) throw e;
    if (code !== undefined && e.code !== code) {
      throw new Error(`expected ${code}, got ${e.code}: ${e.message}`, { cause: e });
    }
    return e;
  }
  throw new Error(`expected a PatchloopError${code ? ` ${code}` : ''}, nothing was thrown`);
}
