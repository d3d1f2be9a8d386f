import { describe, expect, it } from 'vitest';
import { isObject, jsonErrorLine, jsonSyntaxError, withoutBom } from './json.js';

/** The error JSON.parse throws for `text`. */
function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error('parsed');
}

describe('isObject', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null) as object, true],
    [null, false],
    [[], false],
    ['{}', false],
    [1, false],
    [undefined, false],
  ])('%j → %s', (v, expected) => {
    expect(isObject(v)).toBe(expected);
  });
});

it('withoutBom drops one leading byte order mark and nothing else', () => {
  expect(withoutBom('\ufeff{"a":1}')).toBe('{"a":1}');
  expect(withoutBom('\ufeff\ufeffx')).toBe('\ufeffx');
  expect(withoutBom('x\ufeff')).toBe('x\ufeff');
  expect(withoutBom('')).toBe('');
});

describe('jsonErrorLine', () => {
  it.each([
    ['{"a": 1,\n"b": 2', 2], // end of input
    ['{\n"a" 1}', 2], // "at position"
    ['[1,\n]', 2], // unexpected token, short text quoted whole
    ['{\n  "aaaaaaaaaaaaaaaa": 1,\n  "b": tru,\n  "cccccccccccccccccc": 2\n}', 3], // quoted with "..." either side
    ['{"a": x,\n "bbbbbbbbbbbbbbbbbbbbbbbbbbbb": 1}', 1], // cut after only
    ['{\n "bbbbbbbbbbbbbbbbbbbbbbbbbbbb": 1,\n "a": x}', 3], // cut before only
  ])('%j → line %i', (text, line) => {
    expect(jsonErrorLine(text, parseError(text))).toBe(line);
  });

  it('gives null for a message it cannot place', () => {
    expect(jsonErrorLine('x', new Error('something else'))).toBeNull();
  });
});

describe('jsonSyntaxError', () => {
  const e = new SyntaxError('Unexpected end of JSON input');

  it('names the record by id, else by line, else #0, and is never a warning', () => {
    expect(jsonSyntaxError('a.json', e, 12, 'CVE-2024-1')).toEqual({
      file: 'a.json',
      record: 'CVE-2024-1',
      code: 'PL_FEED_JSON_INVALID',
      reason: 'invalid JSON at line 12: Unexpected end of JSON input',
    });
    expect(jsonSyntaxError('a.json', e, 12, undefined).record).toBe('line 12');
    expect(jsonSyntaxError('a.json', 'odd', null, undefined)).toEqual({
      file: 'a.json',
      record: '#0',
      code: 'PL_FEED_JSON_INVALID',
      reason: 'invalid JSON: odd',
    });
  });
});
