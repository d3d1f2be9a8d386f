/**
 * Ubuntu matching against OSV's own recorded answers: osv-scanner's recorded
 * /v1/querybatch cassettes (scan-results/osv-scanner-cassettes) asked OSV
 * about Ubuntu source packages and versions; osv-ubuntu/ holds the Ubuntu OSV
 * records it answered with (those that could be copied whole). For every
 * query, the ids we report from the records we hold must be the ids OSV
 * reported that we hold — except where the record we hold is not the one OSV
 * answered from: the cassettes were recorded by 2026-08-07 (osv-scanner's
 * commit date), and the copies in osv-ubuntu/ were taken later. A record
 * published after that date cannot be in OSV's answer; a record modified
 * after it may have changed (Ubuntu re-triages releases). Each such case is
 * listed below and checked to be exactly that.
 */
const RECORDED_BY = '2026-08-07T23:59:59Z';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assessHost,
  enrichmentFrom,
  indexAdvisories,
  type Advisory,
  type InstalledPackage,
  type OsIdentity,
} from '@patchloop/core';
import { fixturePath, readCsv, readFixture } from '@patchloop/test-support';
import { parseOsv } from './parse.js';

function loadUbuntuRecords(): Advisory[] {
  const out: Advisory[] = [];
  for (const dir of ['cve', 'usn', 'usn-related']) {
    for (const f of readdirSync(fixturePath('osv-ubuntu', dir))) {
      const r = parseOsv(readFixture('osv-ubuntu', dir, f), join(dir, f));
      expect(r.errors).toEqual([]);
      out.push(...r.records);
    }
  }
  return out;
}

describe('Ubuntu OSV matching against osv-scanner recorded answers', () => {
  it('reports, for every recorded Ubuntu query, exactly the held ids OSV reported', () => {
    const records = loadUbuntuRecords();
    const held = new Set(records.map((r) => r.id));
    const byId = new Map(records.map((r) => [r.id, r]));
    const index = indexAdvisories(records);
    const rows = readCsv('scan-results', 'osv-scanner-cassettes', 'osv_querybatch_os_packages.csv').filter(
      (r) => (r.ecosystem ?? '').startsWith('Ubuntu:'),
    );
    expect(rows.length).toBe(135);
    const mismatches: string[] = [];
    let compared = 0;
    let withHits = 0;
    for (const row of rows) {
      const release = (row.ecosystem ?? '').split(':')[1] as string;
      const os: OsIdentity = { id: 'ubuntu', versionId: release, codename: null, prettyName: null };
      const pkg: InstalledPackage = {
        name: row.package ?? '',
        version: row.version ?? '',
        arch: null,
        sourceName: row.package ?? '',
        sourceVersion: row.version ?? '',
        vendor: null,
      };
      const report = assessHost({
        inventory: { os, manager: 'dpkg', packages: [pkg], kernel: null },
        advisories: index,
        enrichment: enrichmentFrom({}),
        now: new Date('2026-11-23T00:00:00Z'),
      });
      // Records published after the recording could not be in OSV's answer.
      const ours = [...new Set(report.findings.map((f) => f.advisory.id))]
        .filter((id) => (byId.get(id)?.published ?? '') <= RECORDED_BY)
        .sort();
      const theirs = (row.vuln_ids ?? '')
        .split('|')
        .filter((id) => id !== '' && held.has(id))
        .sort();
      compared++;
      if (theirs.length > 0) withHits++;
      const differ = [
        ...ours.filter((id) => !theirs.includes(id)),
        ...theirs.filter((id) => !ours.includes(id)),
      ];
      if (differ.length === 0) continue;
      // Any difference must come from a record modified since the recording.
      const unexplained = differ.filter((id) => (byId.get(id)?.modified ?? '') <= RECORDED_BY);
      mismatches.push(
        `${row.ecosystem} ${row.package} ${row.version}: ${unexplained.length > 0 ? 'UNEXPLAINED ' : ''}differ on ${differ.join(' ')}`,
      );
    }
    expect(compared).toBe(135);
    expect(withHits).toBeGreaterThan(30);
    // The held copies of these three CVE records (modified 2026-08-19 and
    // 2026-08-31) no longer list Ubuntu 22.04 for util-linux or coreutils, so
    // we do not report them there; OSV's older copies did.
    expect(mismatches).toEqual([
      'Ubuntu:22.04 util-linux 1:2.37.2-4ubuntu3.4: differ on UBUNTU-CVE-2026-53612 UBUNTU-CVE-2026-53614',
      'Ubuntu:22.04 coreutils 8.32-4.1ubuntu1.2: differ on UBUNTU-CVE-2026-56391',
      'Ubuntu:22.04 util-linux 2.37.2-4ubuntu3.4: differ on UBUNTU-CVE-2026-53612 UBUNTU-CVE-2026-53614',
    ]);
    for (const id of ['UBUNTU-CVE-2026-53612', 'UBUNTU-CVE-2026-53614', 'UBUNTU-CVE-2026-56391']) {
      expect(byId.get(id)?.affected.some((a) => a.release?.startsWith('22.04'))).toBe(false);
      expect((byId.get(id)?.modified ?? '') > RECORDED_BY).toBe(true);
    }
  });
});
