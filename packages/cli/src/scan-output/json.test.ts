import { describe, expect, it } from 'vitest';
import type { Finding } from '@patchloop/core';
import { formatJson } from './json.js';
import { debianReport, finding, report } from './testing.js';

/** The same object with its keys (at every depth) in reverse order. */
function reversed<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversed) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversed(x)]),
    ) as T;
  }
  return v;
}

describe('formatJson', () => {
  it('has exactly host, summary, findings and scannedAt, and no inventory', () => {
    const r = debianReport();
    const out = formatJson(r);
    const doc = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['host', 'summary', 'findings', 'scannedAt']);
    expect(Object.keys(doc.host as object)).toEqual(['os', 'matchedAs', 'eol']);
    expect(out).not.toContain('inventory');
    expect(out).not.toContain(r.inventory.kernel as string);
    expect(doc.scannedAt).toBe('2024-05-01T12:00:00.000Z');
  });

  it('keeps every field of every finding, with the required names', () => {
    const r = debianReport();
    const doc = JSON.parse(formatJson(r)) as { findings: Finding[] };
    expect(doc.findings).toEqual(r.findings);
    const keys = Object.keys(doc.findings[0] as object);
    for (const k of [
      'package',
      'sourcePackage',
      'installedVersion',
      'fixedVersion',
      'status',
      'advisory',
      'severity',
    ]) {
      expect(keys).toContain(k);
    }
    for (const k of ['cvss', 'kev', 'epss', 'explanation', 'release']) expect(keys).toContain(k);
    expect(Object.keys((doc.findings[0] as Finding).advisory)).toEqual(
      expect.arrayContaining(['id', 'aliases', 'source', 'url']),
    );
  });

  it('writes nulls, not missing keys, for what is unknown', () => {
    const doc = JSON.parse(
      formatJson(report({ os: null, matchedAs: null, findings: [finding({ cvss: null, kev: null })] })),
    );
    expect(doc.host.os).toBeNull();
    expect(doc.host.matchedAs).toBeNull();
    expect(doc.findings[0].cvss).toBeNull();
    expect(doc.findings[0].kev).toBeNull();
    expect('fixedVersion' in doc.findings[0]).toBe(true);
  });

  it('is pretty-printed with two spaces and ends with one newline', () => {
    const out = formatJson(debianReport());
    expect(out.startsWith('{\n  "host": {\n    "os": {\n      "id": "debian"')).toBe(true);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });

  it('writes the severity counts in severity order', () => {
    const doc = JSON.parse(formatJson(debianReport()));
    expect(Object.keys(doc.summary.bySeverity)).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'none',
      'unknown',
    ]);
    expect(doc.summary).toMatchObject({
      packages: 3,
      findings: 4,
      fixable: 3,
      unfixed: 1,
      kev: 1,
      thirdParty: 0,
    });
  });

  it('gives the same bytes whatever order the report’s keys were built in', () => {
    const r = debianReport();
    expect(formatJson(reversed(r))).toBe(formatJson(r));
  });
});
