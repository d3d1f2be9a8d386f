/**
 * `dpkg-query -W` output, in two shapes:
 *
 * - `dpkg-query -W -f="$DPKG_QUERY_FORMAT"` (the collector runs this): one
 *   tab-separated line per package with name, version, arch, source name,
 *   source version (dpkg fills both from `Source:` or the binary), the
 *   three-character status and the maintainer. Every field this format uses
 *   exists since dpkg 1.16.2 (Debian 7, Ubuntu 12.04). The same line without
 *   the trailing maintainer (6 fields) is accepted too; vendor is then null.
 * - plain `dpkg-query -W`: `${binary:Package}\t${Version}`, the name with
 *   ":arch" only where dpkg needs it to be unambiguous. This shape is lossy:
 *   it has no source package (so source = binary, which misses every Debian
 *   advisory published for a differently named source package), no state (a
 *   package removed with its configuration files kept is listed as if
 *   installed), and the arch only when qualified. A line with an empty
 *   version (a package dpkg knows but never installed) is skipped.
 *
 * The shape is chosen by the first line's field count (7, 6 or 2); every
 * line must have the same count. Installed-ness from the status
 * abbreviation follows `dpkg-state.ts`, so this parser and `parseDpkgStatus`
 * agree on the same database.
 */
import type { InstalledPackage } from './model.js';
import { dpkgAbbrevInstalled } from './dpkg-state.js';
import { inventoryEmpty, inventoryInvalid, splitLines, tokenProblem } from './parse-common.js';

const SOURCE = 'dpkg-query output';

/**
 * The `-f`/`--showformat` argument for `dpkg-query -W`. dpkg-query itself
 * turns the `\t` and `\n` escapes into a tab and a newline, so pass the string
 * as it is (one argv element, no shell quoting needed with execFile).
 */
export const DPKG_QUERY_FORMAT =
  '${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\t${Maintainer}\\n';

function checked(value: string, label: string, no: number): string {
  const problem = tokenProblem(value);
  if (problem !== null) throw inventoryInvalid(SOURCE, `line ${no}`, `${label} ${problem}`, { line: no });
  return value;
}

/** The installed packages listed by `dpkg-query -W`, in output order. */
export function parseDpkgQuery(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let width: number | null = null;
  for (const { no, text: line } of splitLines(text)) {
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    if (width === null) {
      width = cells.length;
      if (width !== 2 && width !== 6 && width !== 7) {
        throw inventoryInvalid(
          SOURCE,
          `line ${no}`,
          `expected 7 tab-separated fields (DPKG_QUERY_FORMAT), 6, or 2 (plain dpkg-query -W), found ${width}`,
          { line: no },
        );
      }
    } else if (cells.length !== width) {
      throw inventoryInvalid(SOURCE, `line ${no}`, `expected ${width} tab-separated fields like line 1`, {
        line: no,
      });
    }
    const pkg = width === 2 ? plainLine(cells, no) : formattedLine(cells, no);
    if (pkg !== null) packages.push(pkg);
  }
  if (packages.length === 0) throw inventoryEmpty(SOURCE);
  return packages;
}

function plainLine(cells: string[], no: number): InstalledPackage | null {
  const [qualified = '', version = ''] = cells;
  if (version === '') return null;
  const colon = qualified.indexOf(':');
  const name = checked(colon < 0 ? qualified : qualified.slice(0, colon), 'package name', no);
  const arch = colon < 0 ? null : checked(qualified.slice(colon + 1), 'architecture', no);
  checked(version, 'version', no);
  return { name, version, arch, sourceName: name, sourceVersion: version, vendor: null };
}

function formattedLine(cells: string[], no: number): InstalledPackage | null {
  const [name = '', version = '', arch = '', srcName = '', srcVersion = '', abbrev = '', maint = ''] = cells;
  const installed = dpkgAbbrevInstalled(abbrev);
  if (typeof installed === 'string') throw inventoryInvalid(SOURCE, `line ${no}`, installed, { line: no });
  checked(name, 'package name', no);
  if (!installed) return null;
  checked(version, 'version', no);
  return {
    name,
    version,
    arch: arch === '' ? null : checked(arch, 'architecture', no),
    sourceName: srcName === '' ? name : checked(srcName, 'source package', no),
    sourceVersion: srcVersion === '' ? version : checked(srcVersion, 'source version', no),
    vendor: maint.trim() === '' ? null : maint.trim(),
  };
}
