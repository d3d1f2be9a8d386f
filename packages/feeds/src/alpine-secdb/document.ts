/**
 * Text → secdb document, JSON or YAML. The format is told by the content: a secdb JSON document
 * starts with `{`, a YAML one with `---` or a key; the file name is only used in messages.
 *
 * YAML is read with the failsafe schema, so every scalar stays the string that was written: the
 * version keys `1.10` or `0`, which the YAML core schema would turn into the numbers 1.1 and 0,
 * keep their text. With that schema an empty value reads as '' and `null`/`~` as those strings;
 * where a list or mapping is expected, all of them mean "none" (as JSON null does).
 *
 * Duplicate keys keep the last value, in YAML as in JSON.parse.
 */
import { parseDocument } from 'yaml';

export type Decoded =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

export function decodeSecdb(text: string): Decoded {
  const first = /\S/.exec(text)?.[0];
  if (first === '{' || first === '[') {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (e) {
      return { ok: false, reason: `not valid JSON: ${(e as Error).message}` };
    }
  }
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  const error = doc.errors[0];
  if (error !== undefined) return { ok: false, reason: `not valid YAML: ${error.message}` };
  return { ok: true, value: doc.toJS() as unknown };
}

/** JSON null, or a YAML (failsafe) empty value, `null` or `~`. */
export function isNone(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === 'null' || v === '~';
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
