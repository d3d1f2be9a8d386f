import { describe, expect, it } from 'vitest';
import { jsonErrorLine } from './json-error.js';

/** The line JSON.parse's error points at. */
function lineOf(text: string): number | null {
  try {
    JSON.parse(text);
  } catch (e) {
    return jsonErrorLine(text, e);
  }
  throw new Error('parsed');
}

describe('jsonErrorLine', () => {
  it.each([
    ['{"a": 1,\n"b": 2', 2], // end of input
    ['{\n"a" 1}', 2], // "at position"
    ['[1,\n]', 2], // unexpected token, short text quoted whole
    ['{\n  "aaaaaaaaaaaaaaaa": 1,\n  "b": tru,\n  "cccccccccccccccccc": 2\n}', 3], // quoted with "..." either side
    ['{"a": x,\n "bbbbbbbbbbbbbbbbbbbbbbbbbbbb": 1}', 1], // cut after only
    ['{\n "bbbbbbbbbbbbbbbbbbbbbbbbbbbb": 1,\n "a": x}', 3], // cut before only
  ])('%j → line %i', (text, line) => {
    expect(lineOf(text)).toBe(line);
  });

  it('gives null for a message it cannot place', () => {
    expect(jsonErrorLine('x', new Error('something else'))).toBeNull();
  });
});
