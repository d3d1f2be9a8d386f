/**
 * `/var/lib/dpkg/status`: deb822 stanzas ("Field: value" lines, continuation
 * lines starting with a space or tab, stanzas separated by one or more blank
 * lines; LF or CRLF). Field names are case-insensitive, as in deb822.
 *
 * Per stanza:
 * - `Package` is required in every stanza; `Version` in every installed one.
 * - `Status` decides whether the package is installed (see `dpkg-state.ts`:
 *   the state word, not the want word). A stanza without `Status` counts as
 *   installed: distroless images keep one such stanza per installed package in
 *   `/var/lib/dpkg/status.d/`. Feed dpkg's `available` file here and its
 *   stanzas would be taken as installed too; that file is not an inventory.
 * - `Source: name (version)` gives the source package and its version (after a
 *   binNMU the binary is "1.0-1+b1", the source "1.0-1"); `Source: name` alone
 *   means the source version is the binary version; no `Source` means the
 *   source package has the binary's name.
 * - `Architecture` → arch; `Maintainer` → vendor.
 * A stanza missing what it needs, a line that is neither a field, a
 * continuation, a comment nor blank, a repeated field, or a malformed
 * `Status` or `Source` is an error naming the line. No installed package at
 * all is PL_INVENTORY_EMPTY.
 */
import type { InstalledPackage } from './model.js';
import { dpkgStatusInstalled } from './dpkg-state.js';
import { inventoryEmpty, inventoryInvalid, splitLines, tokenProblem } from './parse-common.js';

const SOURCE = 'dpkg status';

interface Field {
  readonly value: string;
  readonly line: number;
}

interface Stanza {
  /** Line number of the stanza's first field. */
  readonly line: number;
  /** Fields by lower-case name. */
  readonly fields: ReadonlyMap<string, Field>;
}

const FIELD = /^([^\s:]+):(.*)$/;

/** The deb822 stanzas of `text`, with line numbers. */
function readStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, { value: string; line: number }>();
  let start = 0;
  let last: { value: string; line: number } | null = null;
  const flush = (): void => {
    if (fields.size > 0) stanzas.push({ line: start, fields });
    fields = new Map();
    last = null;
  };
  for (const { no, text: line } of splitLines(text)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    const first = line[0];
    if (first === ' ' || first === '\t') {
      if (last === null) throw inventoryInvalid(SOURCE, `line ${no}`, 'continuation line outside a field');
      last.value += `\n${line}`;
      continue;
    }
    if (first === '#') continue;
    const m = FIELD.exec(line);
    if (m === null) throw inventoryInvalid(SOURCE, `line ${no}`, 'expected "Field: value"', { line: no });
    const name = (m[1] as string).toLowerCase();
    if (fields.has(name)) {
      throw inventoryInvalid(SOURCE, `line ${no}`, `field ${m[1]} repeated in one stanza`, { line: no });
    }
    if (fields.size === 0) start = no;
    last = { value: m[2] as string, line: no };
    fields.set(name, last);
  }
  flush();
  return stanzas;
}

const SOURCE_FIELD = /^(\S+)(?:\s+\((\S+)\))?$/;

function token(stanza: Stanza, field: string, label: string, pkg?: string): string {
  const f = stanza.fields.get(field);
  const of = pkg === undefined ? 'stanza' : `package ${JSON.stringify(pkg)}`;
  if (f === undefined) {
    throw inventoryInvalid(SOURCE, `line ${stanza.line}`, `${of} has no ${label} field`, {
      line: stanza.line,
    });
  }
  const value = f.value.trim();
  const problem = tokenProblem(value);
  if (problem !== null) {
    throw inventoryInvalid(SOURCE, `line ${f.line}`, `${label} ${problem}`, { line: f.line });
  }
  return value;
}

function optional(stanza: Stanza, field: string): string | null {
  const value = stanza.fields.get(field)?.value.trim() ?? '';
  return value === '' ? null : value;
}

/** The installed packages of a dpkg status file, in file order. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of readStanzas(text)) {
    const name = token(stanza, 'package', 'Package');
    const status = stanza.fields.get('status');
    if (status !== undefined) {
      const installed = dpkgStatusInstalled(status.value);
      if (typeof installed === 'string') {
        throw inventoryInvalid(SOURCE, `line ${status.line}`, installed, { line: status.line });
      }
      if (!installed) continue;
    }
    const version = token(stanza, 'version', 'Version', name);
    let sourceName = name;
    let sourceVersion = version;
    const source = stanza.fields.get('source');
    if (source !== undefined) {
      const m = SOURCE_FIELD.exec(source.value.trim());
      if (m === null) {
        throw inventoryInvalid(
          SOURCE,
          `line ${source.line}`,
          `Source ${JSON.stringify(source.value.trim())} is not "name" or "name (version)"`,
          { line: source.line },
        );
      }
      sourceName = m[1] as string;
      sourceVersion = m[2] ?? version;
    }
    packages.push({
      name,
      version,
      arch: optional(stanza, 'architecture'),
      sourceName,
      sourceVersion,
      vendor: optional(stanza, 'maintainer'),
    });
  }
  if (packages.length === 0) throw inventoryEmpty(SOURCE);
  return packages;
}
