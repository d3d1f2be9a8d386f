/**
 * apk's database of installed packages, `/lib/apk/db/installed`: one stanza
 * per package, `K:value` lines with a one-letter key, stanzas separated by a
 * blank line (LF or CRLF). Used here: `P` name, `V` version, `A` arch, `o`
 * origin (the aports package it was built from: the source package, which
 * Alpine's secdb names), `m` maintainer (vendor). A stanza's other lines (files
 * `F`/`R`, checksums, dependencies, …) are skipped, as is any key apk adds
 * later. A subpackage always has its origin's version, so the source version
 * is the package's.
 *
 * Errors (naming the line): a line that is not `K:value`, a stanza without
 * `P` or `V`, or one where `P`/`V` repeats (two packages run together).
 */
import type { InstalledPackage } from './model.js';
import { inventoryEmpty, inventoryInvalid, splitLines, tokenProblem } from './parse-common.js';

const SOURCE = 'apk installed database';
const LINE = /^([A-Za-z]):(.*)$/;
const SINGLE = new Set(['P', 'V', 'A', 'o', 'm']);

interface Draft {
  line: number;
  values: Map<string, { value: string; line: number }>;
}

/** The installed packages of an apk database, in database order. */
export function parseApkInstalled(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let draft: Draft | null = null;
  const flush = (): void => {
    if (draft !== null) packages.push(finish(draft));
    draft = null;
  };
  for (const { no, text: line } of splitLines(text)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    const m = LINE.exec(line);
    if (m === null) throw inventoryInvalid(SOURCE, `line ${no}`, 'expected "K:value"', { line: no });
    draft ??= { line: no, values: new Map() };
    const key = m[1] as string;
    if (!SINGLE.has(key)) continue;
    if (draft.values.has(key)) {
      throw inventoryInvalid(
        SOURCE,
        `line ${no}`,
        `"${key}:" repeated in the stanza starting at line ${draft.line} (missing blank line between packages?)`,
        { line: no },
      );
    }
    draft.values.set(key, { value: m[2] as string, line: no });
  }
  flush();
  if (packages.length === 0) throw inventoryEmpty(SOURCE);
  return packages;
}

function finish(d: Draft): InstalledPackage {
  const required = (key: string, label: string): string => {
    const f = d.values.get(key);
    if (f === undefined) {
      throw inventoryInvalid(SOURCE, `line ${d.line}`, `stanza has no ${key}: (${label}) line`, {
        line: d.line,
      });
    }
    const problem = tokenProblem(f.value);
    if (problem !== null)
      throw inventoryInvalid(SOURCE, `line ${f.line}`, `${label} ${problem}`, { line: f.line });
    return f.value;
  };
  const optional = (key: string): string | null => {
    const value = d.values.get(key)?.value.trim() ?? '';
    return value === '' ? null : value;
  };
  const name = required('P', 'package name');
  const version = required('V', 'version');
  const origin = optional('o');
  if (origin !== null && tokenProblem(origin) !== null) {
    const line = d.values.get('o')?.line ?? d.line;
    throw inventoryInvalid(SOURCE, `line ${line}`, `origin ${tokenProblem(origin)}`, { line });
  }
  return {
    name,
    version,
    arch: optional('A'),
    sourceName: origin ?? name,
    sourceVersion: version,
    vendor: optional('m'),
  };
}
