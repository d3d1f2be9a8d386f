import { describe, expect, it } from 'vitest';
import { unsafeValueProblem } from './safe-value.js';

describe('unsafeValueProblem', () => {
  it('finds NUL characters, lone surrogates and unsafe integers, with their path', () => {
    expect(unsafeValueProblem({ a: ['ok', 'x\u0000'] })).toBe('a[1] contains a NUL character');
    expect(unsafeValueProblem({ b: '\uD800' })).toMatch(/^b contains a lone UTF-16 surrogate/);
    expect(unsafeValueProblem({ b: 'x\uDC00y' })).toMatch(/^b contains a lone/);
    expect(unsafeValueProblem({ ['k\u0000']: 1 })).toBe('a key of the request body contains a NUL character');
    expect(unsafeValueProblem({ n: { m: 2 ** 64 } })).toMatch(/^n\.m is an integer beyond/);
    expect(unsafeValueProblem(1e300)).toMatch(/^the request body is an integer beyond/);
    expect(unsafeValueProblem({ x: [Infinity] })).toBe('x[0] is not a finite number');
    expect(unsafeValueProblem({ q: -Infinity }, 'the query string')).toBe('q is not a finite number');
  });

  it('lets ordinary values through', () => {
    expect(
      unsafeValueProblem({ s: 'emoji \uD83D\uDE00', n: [1.5, -3, 2 ** 53 - 1], z: null, t: true }),
    ).toBeNull();
    // Deep nesting costs no stack.
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unsafeValueProblem(deep)).toBeNull();
  });
});
