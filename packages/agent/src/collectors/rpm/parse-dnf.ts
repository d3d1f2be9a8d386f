/**
 * dnf's answers about updates (dnf 4 and dnf 5 text output, `-q`):
 *
 * `dnf check-update` (exit 100 when there are updates, 0 when none): one row
 * per update, `name.arch  [epoch:]version-release  repository`; a name too
 * long for its column is printed alone and the rest of the row on the next,
 * indented, line. Rows after "Obsoleting Packages" repeat updates as
 * obsoletes and are not read.
 *
 * `dnf updateinfo list --updates`: one row per (advisory, package):
 * dnf 4: `ADVISORY  LABEL  NEVRA`, LABEL "Critical/Sec." (security, with its
 * severity), "bugfix", "enhancement", "newpackage"; a leading "i" marks
 * installed ones in mixed lists. dnf 5: a `Name Type Severity Package Issued`
 * header, then `ADVISORY TYPE SEVERITY NEVRA DATE TIME`.
 */
import { parseNevra, PatchloopError } from '@patchloop/core';
import type { Nevra } from '@patchloop/core';
import type { Parsed } from '../wire-package.js';

export interface DnfUpdateRow {
  name: string;
  arch: string;
  candidateVersion: string;
  repository: string;
}

export type AdvisoryType = 'security' | 'bugfix' | 'enhancement' | 'newpackage' | 'unknown';

export interface DnfAdvisoryRow {
  advisoryId: string;
  type: AdvisoryType;
  severity: string | null;
  name: string;
  arch: string | null;
  /** [epoch:]version-release of the package the advisory names. */
  evr: string;
}

const EVR = /^(?:\d+:)?[^\s:-]+-[^\s-]+$/;
const INFO_LINE = /^(Last metadata expiration check|Available Upgrades|Upgrades|Security:)/i;

function updateRow(cells: string[]): DnfUpdateRow | null {
  const [nameArch = '', evr = '', repository = ''] = cells;
  const dot = nameArch.lastIndexOf('.');
  if (cells.length !== 3 || dot <= 0 || dot === nameArch.length - 1 || !EVR.test(evr)) return null;
  return { name: nameArch.slice(0, dot), arch: nameArch.slice(dot + 1), candidateVersion: evr, repository };
}

export function parseCheckUpdate(text: string): Parsed<DnfUpdateRow> {
  const items: DnfUpdateRow[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*Obsoleting packages/i.test(line)) break;
    if (line.trim() === '' || INFO_LINE.test(line.trim())) continue;
    let cells = line.trim().split(/\s+/);
    const next = lines[i + 1];
    if (cells.length === 1 && next !== undefined && /^\s/.test(next)) {
      cells = [...cells, ...next.trim().split(/\s+/)];
      i++;
    }
    const row = updateRow(cells);
    if (row === null)
      warnings.push(`dnf check-update line ${i + 1}: not "name.arch version repo": ${line.slice(0, 120)}`);
    else items.push(row);
  }
  return { items, warnings };
}

const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const TYPES: ReadonlySet<string> = new Set(['security', 'bugfix', 'enhancement', 'newpackage', 'unknown']);

function nevraOf(token: string): Nevra | null {
  try {
    const n = parseNevra(token);
    return n.name === null ? null : n;
  } catch (e) {
    if (e instanceof PatchloopError) return null;
    throw e;
  }
}

/** The type and severity a dnf 4 label or dnf 5 type column names. */
function typeOf(label: string): { type: AdvisoryType; severity: string | null } | null {
  const sec = /^(\w+)\/Sec\.$/.exec(label);
  if (sec !== null) return { type: 'security', severity: sec[1] === 'Unknown' ? null : (sec[1] as string) };
  if (label === 'Sec.') return { type: 'security', severity: null };
  const lower = label.toLowerCase();
  return TYPES.has(lower) ? { type: lower as AdvisoryType, severity: null } : null;
}

export function parseUpdateinfoList(text: string): Parsed<DnfAdvisoryRow> {
  const items: DnfAdvisoryRow[] = [];
  const warnings: string[] = [];
  text.split('\n').forEach((raw, i) => {
    let cells = raw.trim().split(/\s+/);
    if (cells[0] === '' || INFO_LINE.test(raw.trim())) return;
    if (cells[0] === 'Name' && cells[1] === 'Type') return; // dnf 5 header
    if (cells[0] === 'i' && cells.length >= 4) cells = cells.slice(1);
    const [id = '', label = '', ...rest] = cells;
    const kind = typeOf(label);
    // dnf 5: TYPE SEVERITY NEVRA DATE TIME, where SEVERITY may be left empty.
    let nevraText = rest[0] ?? '';
    let severity = kind?.severity ?? null;
    if (kind !== null && nevraOf(nevraText) === null && rest.length >= 2) {
      severity = rest[0] === 'None' || rest[0] === 'Unknown' ? null : (rest[0] ?? null);
      nevraText = rest[1] ?? '';
    }
    const nevra = nevraOf(nevraText);
    if (kind === null || !ADVISORY_ID.test(id) || nevra === null || nevra.name === null) {
      warnings.push(
        `dnf updateinfo line ${i + 1}: not "ADVISORY TYPE PACKAGE-NEVRA": ${raw.trim().slice(0, 120)}`,
      );
      return;
    }
    const evr = `${nevra.epoch !== null && nevra.epoch !== 0 ? `${nevra.epoch}:` : ''}${nevra.version}-${nevra.release}`;
    items.push({ advisoryId: id, type: kind.type, severity, name: nevra.name, arch: nevra.arch, evr });
  });
  return { items, warnings };
}
