/**
 * An inventory as CSV (RFC 4180): a header row naming the columns
 * `ecosystem,name,version,arch,source_name,source_version` (any order, plus an
 * optional `vendor`), then one row per installed package. Fields may be
 * quoted ("…", a quote inside doubled), and a quoted field may hold commas and
 * line breaks. LF or CRLF; blank lines are skipped.
 *
 * - ecosystem: `deb`, `rpm` or `apk` (`alpine` is read as `apk`); one per file,
 *   since an inventory has one package manager.
 * - version: as the package manager prints it (dpkg "1:2.36-9", rpm EVR
 *   "1:3.0.7-27.el9", apk "3.1.2-r0").
 * - arch, source_name, source_version, vendor may be empty: no arch, source =
 *   binary. An rpm arch of "(none)" (what rpm prints) is no arch too.
 * - rpm `gpg-pubkey` rows (imported signing keys, not software) are left out,
 *   as in every rpm parser here.
 * - An rpm version without an epoch may still have one (exports often drop
 *   it: the UBI 9 nodejs image's CSV has "dbus 1.12.20-7.el9_1" for epoch 1):
 *   such a package is `epochKnown: false`, as from image manifests and plain
 *   `rpm -qa`, so matching compares version-release on both sides instead of
 *   reading the missing epoch as 0. Write "0:" for a known epoch 0.
 * Errors name the line (of the row's start): a missing header or column, an
 * unknown column, a row with the wrong field count, a broken quote, an
 * unknown or second ecosystem, an empty name or version.
 */
import type { Inventory, InstalledPackage, PackageManager } from './model.js';
import { inventoryEmpty, inventoryInvalid, RPM_GPG_PUBKEY, tokenProblem } from './parse-common.js';

const SOURCE = 'inventory CSV';

export const INVENTORY_CSV_COLUMNS = [
  'ecosystem',
  'name',
  'version',
  'arch',
  'source_name',
  'source_version',
] as const;
const OPTIONAL_COLUMNS = ['vendor'] as const;

const ECOSYSTEMS: Readonly<Record<string, PackageManager>> = {
  deb: 'dpkg',
  rpm: 'rpm',
  apk: 'apk',
  alpine: 'apk',
};

interface CsvRecord {
  /** Line on which the record starts. */
  readonly line: number;
  readonly cells: string[];
}

/** RFC 4180 records; throws PL_INVENTORY_INVALID for a broken quote. */
export function readCsvRecords(text: string, source = SOURCE): CsvRecord[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  /** Whether the current cell, and any cell of the current record, was quoted. */
  let quoted = false;
  let recordQuoted = false;
  let line = 1;
  let start = 1;
  const bad = (at: number, reason: string) => inventoryInvalid(source, `line ${at}`, reason, { line: at });
  const endCell = (): void => {
    cells.push(cell);
    cell = '';
    quoted = false;
  };
  const endRecord = (): void => {
    endCell();
    const blank = cells.length === 1 && cells[0] === '' && !recordQuoted;
    if (!blank) records.push({ line: start, cells });
    cells = [];
    recordQuoted = false;
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (c === ',') {
      endCell();
      i++;
    } else if (c === '\n' || (c === '\r' && body[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
      line++;
      start = line;
    } else if (quoted) {
      throw bad(line, 'text after a closing quote (expected "," or end of line)');
    } else if (c === '"') {
      if (cell !== '') {
        throw bad(line, 'a quote inside an unquoted field (quote the whole field)');
      }
      const opened = line;
      i++;
      for (;;) {
        const q = body[i];
        if (q === undefined) {
          throw bad(opened, 'quoted field is not closed');
        }
        i++;
        if (q === '"') {
          if (body[i] !== '"') break;
          i++;
        } else if (q === '\n') {
          line++;
        }
        cell += q;
      }
      quoted = true;
      recordQuoted = true;
    } else {
      cell += c;
      i++;
    }
  }
  if (cells.length > 0 || cell !== '' || recordQuoted) endRecord();
  return records;
}

type Column = (typeof INVENTORY_CSV_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const KNOWN: ReadonlySet<string> = new Set<string>([...INVENTORY_CSV_COLUMNS, ...OPTIONAL_COLUMNS]);

/** An rpm version that names its epoch ("1:1.12.20-7.el9_1", "0:28-7.el9"). */
const RPM_EPOCH = /^\d{1,10}:/;

/** An inventory CSV as an `Inventory` (no OS, no kernel: the CSV has neither). */
export function parseInventoryCsv(text: string): Inventory {
  const records = readCsvRecords(text);
  const header = records.shift();
  if (header === undefined) throw inventoryEmpty(SOURCE);
  const index = new Map<Column, number>();
  header.cells.forEach((raw, i) => {
    const name = raw.trim();
    if (!KNOWN.has(name)) {
      throw inventoryInvalid(
        SOURCE,
        `line ${header.line}`,
        `unknown column ${JSON.stringify(raw)} in the header (expected ${INVENTORY_CSV_COLUMNS.join(',')}[,vendor])`,
        { line: header.line },
      );
    }
    if (index.has(name as Column)) {
      throw inventoryInvalid(SOURCE, `line ${header.line}`, `column ${name} appears twice`, {
        line: header.line,
      });
    }
    index.set(name as Column, i);
  });
  const missing = INVENTORY_CSV_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw inventoryInvalid(SOURCE, `line ${header.line}`, `header lacks ${missing.join(', ')}`, {
      line: header.line,
    });
  }

  let manager: PackageManager | null = null;
  let managerLine = 0;
  const packages: InstalledPackage[] = [];
  for (const { line, cells } of records) {
    if (cells.length !== header.cells.length) {
      throw inventoryInvalid(
        SOURCE,
        `line ${line}`,
        `expected ${header.cells.length} fields like the header, found ${cells.length}`,
        { line },
      );
    }
    const get = (c: Column): string => {
      const i = index.get(c);
      return i === undefined ? '' : (cells[i] ?? '');
    };
    const token = (c: Column): string => {
      const problem = tokenProblem(get(c));
      if (problem !== null) throw inventoryInvalid(SOURCE, `line ${line}`, `${c} ${problem}`, { line });
      return get(c);
    };
    const optionalToken = (c: Column): string | null => (get(c) === '' ? null : token(c));

    const eco = get('ecosystem').trim();
    const rowManager = ECOSYSTEMS[eco];
    if (rowManager === undefined) {
      throw inventoryInvalid(
        SOURCE,
        `line ${line}`,
        `unknown ecosystem ${JSON.stringify(eco)} (expected deb, rpm or apk)`,
        { line },
      );
    }
    if (manager === null) {
      manager = rowManager;
      managerLine = line;
    } else if (rowManager !== manager) {
      throw inventoryInvalid(
        SOURCE,
        `line ${line}`,
        `ecosystem ${eco} differs from line ${managerLine}'s: one inventory has one package manager`,
        { line },
      );
    }
    const name = token('name');
    if (manager === 'rpm' && name === RPM_GPG_PUBKEY) continue;
    const version = token('version');
    const arch = get('arch') === '(none)' ? null : optionalToken('arch');
    const vendor = get('vendor').trim();
    const epochKnown = manager !== 'rpm' || RPM_EPOCH.test(version);
    packages.push({
      name,
      version,
      arch,
      sourceName: optionalToken('source_name') ?? name,
      sourceVersion: optionalToken('source_version') ?? version,
      vendor: vendor === '' ? null : vendor,
      ...(epochKnown ? {} : { epochKnown: false }),
    });
  }
  if (manager === null || packages.length === 0) throw inventoryEmpty(SOURCE);
  return { os: null, manager, packages, kernel: null };
}
