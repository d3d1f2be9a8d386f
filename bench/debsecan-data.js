// The debsecan benchmark's inputs (bench/debsecan.js): the host's dpkg status file from the
// normalized inventory, and the advisories in debsecan's own data format.
import { deflateSync } from 'node:zlib';
import { readCsvRecords } from '@patchloop/core';

const RELEASES = new Set(['buster', '10']); // how the lists spell the release Patchloop matches for debian:10

/** The Debian 10 image inventory as a dpkg status file (one installed stanza per package). */
export function statusFromCsv(csvText) {
  const [head, ...rows] = readCsvRecords(csvText).map((r) => r.cells);
  const col = Object.fromEntries(head.map((c, i) => [c.trim(), i]));
  return rows
    .filter((r) => r.length === head.length)
    .map((r) =>
      [
        `Package: ${r[col.name]}`,
        'Status: install ok installed',
        `Architecture: ${r[col.arch]}`,
        `Source: ${r[col.source_name]} (${r[col.source_version]})`,
        `Version: ${r[col.version]}`,
        'Description: synthesized from inventories/normalized/debian-buster.csv',
        '',
      ].join('\n'),
    )
    .join('\n');
}

/**
 * The DSA/DLA lists' entries for the suite in debsecan's format. The lists
 * give only each release's fixed version (no unstable version), so the
 * suite's fixed version goes in the "unstable version" field: debsecan then
 * reports a source version lower than it, the test Patchloop applies. An
 * entry without a fixed version (<unfixed>, <end-of-life>) has an empty one:
 * every version is affected, for both. <not-affected> entries are left out.
 */
export function debsecanData(advisories) {
  const names = [];
  const lines = [];
  for (const a of advisories) {
    const entries = a.affected.filter((e) => RELEASES.has(e.release ?? '') && e.status !== 'not-affected');
    if (entries.length === 0) continue;
    const vnum = names.length;
    const cves = a.aliases.filter((x) => x.startsWith('CVE-'));
    names.push(`${a.id},,${a.summary.replaceAll('\n', ' ')}${cves.length ? ` (${cves.join(' ')})` : ''}`);
    for (const e of entries) {
      const fixed = e.fixedVersion ?? '';
      // flags: S = source package, ' ' = no urgency, '?' = remote unknown, F = fix available.
      lines.push(`${e.package},${vnum},S ?${fixed ? 'F' : ' '},${fixed},`);
    }
  }
  const text = `VERSION 1\n${names.join('\n')}\n\n${lines.join('\n')}\n\n\n`;
  return {
    body: deflateSync(Buffer.from(text, 'utf8')),
    vulnerabilities: names.length,
    entries: lines.length,
  };
}
