/** Test support: enrichment (KEV, CVE records) for chosen CVEs, from the real feeds' fixtures. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, readFixture } from './harness.js';

/** Enrichment for two CVEs the Debian advisories name: a KEV entry and a CVE record, taken from the real feeds and re-keyed. */
export function enrichmentFiles(kevCve: string, scoredCve: string): { kev: string; cve: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-enrich-'));
  const catalog = JSON.parse(readFixture('kev/known_exploited_vulnerabilities.json')) as {
    vulnerabilities: { cveID: string }[];
  };
  const entry = catalog.vulnerabilities[0];
  if (!entry) throw new Error('empty KEV catalog');
  writeFileSync(
    join(dir, 'kev.json'),
    JSON.stringify({ ...catalog, count: 1, vulnerabilities: [{ ...entry, cveID: kevCve }] }),
  );
  const line = readFileSync(fixturePath('cve-records/vulnrichment-cve5-sample.jsonl'), 'utf8')
    .split('\n')
    .find((l) => l.includes('"baseSeverity":"CRITICAL"') && l.includes('"state":"PUBLISHED"'));
  if (!line) throw new Error('no critical CVE record in the sample');
  const id = (JSON.parse(line) as { cveMetadata: { cveId: string } }).cveMetadata.cveId;
  writeFileSync(join(dir, 'cve.jsonl'), `${line.split(id).join(scoredCve)}\n`);
  return { kev: join(dir, 'kev.json'), cve: join(dir, 'cve.jsonl') };
}
