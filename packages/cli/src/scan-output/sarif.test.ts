import { describe, expect, it } from 'vitest';
import type { OsIdentity, Severity } from '@patchloop/core';
import { findingFingerprint, formatSarif, packageDatabasePath, SARIF_SCHEMA, sarifLevel } from './sarif.js';
import { debianReport, finding, report } from './testing.js';
import { UNKNOWN_TOOL_VERSION } from './tool.js';

interface Sarif {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          helpUri?: string;
          help: { text: string; markdown: string };
          defaultConfiguration: { level: string };
          properties: { 'security-severity'?: string; tags: string[] };
        }[];
      };
    };
    invocations: { executionSuccessful: boolean; endTimeUtc: string }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string } };
        logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
      }[];
      partialFingerprints: Record<string, string>;
      properties: Record<string, unknown>;
    }[];
  }[];
}

const parse = (s: string) => JSON.parse(s) as Sarif;

describe('formatSarif', () => {
  const r = debianReport();
  const sarif = parse(formatSarif(r, { toolVersion: '1.2.3' }));
  const run = sarif.runs[0] as Sarif['runs'][number];

  it('is a SARIF 2.1.0 log with one run of the patchloop driver', () => {
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({
      name: 'patchloop',
      version: '1.2.3',
    });
    expect(run.invocations).toEqual([{ executionSuccessful: true, endTimeUtc: r.scannedAt }]);
  });

  it('has one rule per advisory id, sorted, with the required descriptions', () => {
    const rules = run.tool.driver.rules;
    expect(rules.map((x) => x.id)).toEqual(['CVE-2023-0465', 'DLA-3700-1', 'DSA-5103-1']);
    for (const rule of rules) {
      expect(rule.shortDescription.text).not.toBe('');
      expect(rule.fullDescription.text).not.toBe('');
      expect(rule.help.text).not.toBe('');
      expect(rule.properties.tags).toContain('security');
    }
    const dsa = rules[2] as (typeof rules)[number];
    expect(dsa.helpUri).toBe('https://security-tracker.debian.org/tracker/DSA-5103-1');
    expect(dsa.shortDescription.text).toBe('DSA-5103-1 (CVE-2022-0778): openssl');
    expect(rules[0]?.shortDescription.text).toBe('CVE-2023-0465: openssl');
    expect(rules[0]?.helpUri).toBeUndefined();
  });

  it('gives GitHub a security-severity string when the CVSS score is known', () => {
    const [cve, dla, dsa] = run.tool.driver.rules;
    expect(dla?.properties['security-severity']).toBe('9.8');
    expect(dsa?.properties['security-severity']).toBe('7.5');
    expect(cve?.properties).not.toHaveProperty('security-severity');
    expect(dla?.defaultConfiguration.level).toBe('error');
    expect(cve?.defaultConfiguration.level).toBe('note');
  });

  it('has one result per finding, each pointing at its rule', () => {
    expect(run.results).toHaveLength(r.findings.length);
    run.results.forEach((res, i) => {
      const f = r.findings[i];
      expect(res.ruleId).toBe(f?.advisory.id);
      expect(run.tool.driver.rules[res.ruleIndex]?.id).toBe(res.ruleId);
      expect(res.message.text).toBe(f?.explanation);
      expect(res.level).toBe(sarifLevel(f as NonNullable<typeof f>));
    });
  });

  it('locates each result in the package database by a relative path, naming the package by purl', () => {
    for (const res of run.results) {
      expect(res.locations).toHaveLength(1);
      const uri = res.locations[0]?.physicalLocation.artifactLocation.uri as string;
      expect(uri).toBe('var/lib/dpkg/status');
      expect(uri).not.toMatch(/^[a-z][a-z0-9+.-]*:|^\//i);
    }
    expect(run.results[1]?.locations[0]?.logicalLocations).toEqual([
      {
        name: 'libssl1.1',
        fullyQualifiedName: 'pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u2?arch=amd64&distro=debian-10',
        kind: 'module',
      },
    ]);
  });

  it('fingerprints a finding by advisory and package, not by version', () => {
    const a = finding();
    const upgradedButStillAffected = finding({ installedVersion: '1.1.1d-0+deb10u3', explanation: 'other' });
    expect(findingFingerprint(upgradedButStillAffected)).toBe(findingFingerprint(a));
    expect(findingFingerprint(finding({ package: 'openssl' }))).not.toBe(findingFingerprint(a));
    expect(findingFingerprint(finding({ advisory: { id: 'DSA-9999-1' } }))).not.toBe(findingFingerprint(a));
    expect(findingFingerprint(finding({ advisory: { source: 'osv' } }))).not.toBe(findingFingerprint(a));
    expect(findingFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    const prints = run.results.map((res) => res.partialFingerprints['patchloop/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('leaves security-severity and the security tag off a bugfix advisory', () => {
    const out = parse(
      formatSarif(report({ findings: [finding({ advisory: { classification: 'bugfix' } })] })),
    );
    const rule = out.runs[0]?.tool.driver.rules[0];
    expect(rule?.properties).not.toHaveProperty('security-severity');
    expect(rule?.properties.tags).not.toContain('security');
    expect(rule?.properties.tags).toContain('bugfix');
  });

  it('writes a placeholder version when none is given, and valid SARIF with no findings', () => {
    const out = parse(formatSarif(report()));
    expect(out.runs[0]?.tool.driver.version).toBe(UNKNOWN_TOOL_VERSION);
    expect(out.runs[0]?.tool.driver.rules).toEqual([]);
    expect(out.runs[0]?.results).toEqual([]);
  });

  it('is deterministic', () => {
    expect(formatSarif(debianReport(), { toolVersion: '1' })).toBe(
      formatSarif(debianReport(), { toolVersion: '1' }),
    );
    const r2 = debianReport();
    const reordered = {
      scannedAt: r2.scannedAt,
      inventory: r2.inventory,
      findings: r2.findings,
      summary: r2.summary,
      host: { eol: r2.host.eol, matchedAs: r2.host.matchedAs, os: r2.host.os },
    };
    expect(formatSarif(reordered, { toolVersion: '1' })).toBe(formatSarif(r2, { toolVersion: '1' }));
  });
});

describe('sarifLevel', () => {
  it.each<[Severity | null, string]>([
    ['critical', 'error'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'note'],
    ['none', 'note'],
    [null, 'note'],
  ])('%s → %s', (severity, level) => {
    expect(sarifLevel(finding({ severity }))).toBe(level);
  });
});

describe('packageDatabasePath', () => {
  const os = (id: string, versionId: string): OsIdentity => ({
    id,
    versionId,
    codename: null,
    prettyName: null,
  });
  it('names each package manager’s database', () => {
    expect(packageDatabasePath('dpkg', os('ubuntu', '22.04'))).toBe('var/lib/dpkg/status');
    expect(packageDatabasePath('apk', os('alpine', '3.19.1'))).toBe('lib/apk/db/installed');
    expect(packageDatabasePath('rpm', os('almalinux', '9.4'))).toBe('var/lib/rpm/rpmdb.sqlite');
    expect(packageDatabasePath('rpm', os('rocky', '8.9'))).toBe('var/lib/rpm/Packages');
    expect(packageDatabasePath('rpm', os('rhel', '7'))).toBe('var/lib/rpm/Packages');
    expect(packageDatabasePath('rpm', null)).toBe('var/lib/rpm/rpmdb.sqlite');
  });
});
