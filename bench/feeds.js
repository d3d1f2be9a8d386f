// Feed import time and peak memory for each fixture set, on the embedded
// store (PGlite) and on PostgreSQL (a throwaway cluster). Each import runs in
// its own process into a fresh, empty store, then once more (unchanged).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, startPgCluster } from '@patchloop/test-support/pg';

export const FEED_SETS = [
  ['kev', 'kev/known_exploited_vulnerabilities.json', 'CISA KEV (1,404)'],
  ['epss', 'epss/epss_scores-2026-08-16.csv', 'EPSS (360,142 CVEs)'],
  ['osv', 'osv-almalinux/almalinux9', 'AlmaLinux 9 OSV (1,783)'],
  ['osv', 'osv-ubuntu', 'Ubuntu OSV (178)'],
  ['debian-dsa', 'debian-security-tracker/DSA-list.txt', 'Debian DSA list (5,406)'],
  ['debian-dla', 'debian-security-tracker/DLA-list.txt', 'Debian DLA list (3,534)'],
  ['alpine-secdb', 'alpine-secdb', 'Alpine secdb v3.3–v3.11'],
  ['cve', 'cve-records/vulnrichment-cve5-sample.jsonl', 'CVE JSON 5 (5,308)'],
  ['endoflife', 'endoflife/json', 'endoflife.date (17 products)'],
];

function runChild(root, target, source, path) {
  const out = execFileSync(
    process.execPath,
    [join(root, 'bench', 'feed-import-child.js'), target, source, path],
    {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

export async function runFeedBench(root, fixtures) {
  const results = [];
  const tmp = mkdtempSync(join(tmpdir(), 'pl-bench-'));
  const cluster = await startPgCluster();
  try {
    let n = 0;
    for (const [source, rel, label] of FEED_SETS) {
      const path = join(fixtures, rel);
      const pglite = runChild(root, join(tmp, `pglite-${n}`), source, path);
      const pg = runChild(root, await createDatabase(cluster.url, `bench_${n}`), source, path);
      n++;
      results.push({ source, label, pglite, pg });
      console.log(
        `${label.padEnd(32)} PGlite ${pglite.importMs} ms (${pglite.maxRssMiB} MiB)  PostgreSQL ${pg.importMs} ms (${pg.maxRssMiB} MiB)`,
      );
    }
  } finally {
    cluster.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

export function feedBenchMarkdown(results) {
  const row = (r) =>
    `| ${r.label} | ${r.pglite.first.imported} | ${r.pglite.importMs} | ${r.pglite.reimportMs} | ${r.pglite.maxRssMiB} | ${r.pg.importMs} | ${r.pg.reimportMs} | ${r.pg.maxRssMiB} |`;
  const epss = results.find((r) => r.source === 'epss');
  const alma = results.find((r) => r.label.startsWith('AlmaLinux'));
  const verdict = (r, ms) =>
    `${Math.max(r.pglite.importMs, r.pg.importMs) <= ms ? 'met' : '**not met**'} (PGlite ${(r.pglite.importMs / 1000).toFixed(1)} s, PostgreSQL ${(r.pg.importMs / 1000).toFixed(1)} s)`;
  return `## Feed import

\`patchloop feeds import\` of each fixture set from \`../shared/fixtures\` into a fresh, empty store, in its
own process (parse + one transaction), then the same import again (everything unchanged). Peak RSS is
the importing Node.js process (for PostgreSQL the server's own memory is not included). PostgreSQL is a
throwaway local cluster (fsync off, as in the tests).

| fixture set | records imported | PGlite ms | PGlite re-import ms | PGlite peak RSS MiB | PostgreSQL ms | PostgreSQL re-import ms | PostgreSQL peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${results.map(row).join('\n')}

Aims: the full EPSS file in under 10 s — ${epss ? verdict(epss, 10_000) : 'not run'}; all 1,783 AlmaLinux 9 OSV
records in under 5 s — ${alma ? verdict(alma, 5_000) : 'not run'}.
`;
}
