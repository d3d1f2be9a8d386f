/**
 * Finds the shared public fixtures (../shared/fixtures from the repository
 * root, or PATCHLOOP_FIXTURES) and reads their CSV tables. Tests read the data
 * in place; it is never copied into the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file is packages/test-support/{src,dist}/. */
export const repoRoot = resolve(here, '../../..');

export function fixturesDir(): string {
  const dir = process.env.PATCHLOOP_FIXTURES ?? join(repoRoot, '..', 'shared', 'fixtures');
  if (!existsSync(dir)) {
    throw new Error(`shared fixtures not found at ${dir}: clone next to ../shared or set PATCHLOOP_FIXTURES`);
  }
  return dir;
}

export function fixturePath(...parts: string[]): string {
  return join(fixturesDir(), ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

/**
 * Parses the simple CSV used by the version tables: comma separated, no quoted
 * fields, header row first. Fields are kept verbatim (an empty field is '').
 */
export function readCsv(...parts: string[]): Record<string, string>[] {
  const lines = readFixture(...parts).split('\n');
  const header = (lines.shift() ?? '').split(',');
  const rows: Record<string, string>[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new Error(`${parts.join('/')}: expected ${header.length} fields in ${JSON.stringify(line)}`);
    }
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    rows.push(row);
  }
  return rows;
}

export function expectedOrdering(s: string): -1 | 0 | 1 {
  const n = Number(s);
  if (n !== -1 && n !== 0 && n !== 1) throw new Error(`bad expected ordering ${s}`);
  return n;
}
