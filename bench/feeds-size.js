// Feeds at production size (#14): `feeds import` of a Debian-sized OSV all.zip (default 40,000
// records, ~72 MB) and, when asked, an Ubuntu-sized one (~420,000 records for ~700 MB), built by
// @patchloop/feeds/testing and cached in .feed-cache/. Each import runs in its own process
// (feeds-size-child.js): import, then the same archive again (all unchanged), peak RSS and JS heap.
//   node bench/feeds-size.js [--debian N] [--ubuntu N] [--backend both|pglite|postgres] [--no-write]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildOsvArchive } from '@patchloop/feeds/testing';
import { createDatabase, startPgCluster } from '@patchloop/test-support/pg';
import { describeMachine } from './machine.js';
import { benchRoot, isMain, standalone, writeSection } from './standalone.js';

const HEADING = '## Feeds at production size';
const log = (s) => process.stderr.write(`feeds-size: ${s}\n`);

function child(root, target, path) {
  const r = spawnSync(process.execPath, [join(root, 'bench/feeds-size-child.js'), target, 'osv', path], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`import child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

export async function runFeedsSizeBench(root, opts = {}) {
  const backends = (opts.backend ?? 'both') === 'both' ? ['pglite', 'postgres'] : [opts.backend];
  const archives = [
    ['Debian', Number(opts.debian ?? 40000)],
    ['Ubuntu', Number(opts.ubuntu ?? 0)],
  ].filter(([, n]) => n > 0);
  const cluster = backends.includes('postgres') ? await startPgCluster() : null;
  const rows = [];
  try {
    for (const [ecosystem, records] of archives) {
      const t = performance.now();
      const a = await buildOsvArchive({ ecosystem, records });
      log(
        `${ecosystem}: ${a.records} records, ${(a.bytes / 1e6).toFixed(1)} MB (${Math.round(performance.now() - t)} ms)`,
      );
      for (const backend of backends) {
        const dir = mkdtempSync(join(tmpdir(), 'pl-feeds-size-'));
        try {
          const target =
            backend === 'pglite'
              ? join(dir, 'data')
              : await createDatabase(cluster.url, `feeds_size_${ecosystem.toLowerCase()}_${Date.now()}`);
          const r = child(root, target, a.path);
          log(`${ecosystem} on ${backend}: ${JSON.stringify(r)}`);
          rows.push({ ecosystem, backend, records: a.records, bytes: a.bytes, ...r });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    cluster?.stop();
  }
  return rows;
}

export function feedsSizeMarkdown(rows) {
  const m = describeMachine();
  const s = (ms) => (ms / 1000).toFixed(1);
  return `${HEADING}

\`node bench/feeds-size.js\` on ${new Date().toISOString().slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}.
\`feeds import osv\` of OSV archives built from the fixture records by \`@patchloop/feeds/testing\` (unique
ids, the same structure; Debian: DSA, DLA and DEBIAN-CVE shapes), each in its own process into a fresh
store: read one zip entry at a time, applied in chunks of 2,000 records in one transaction. "again"
imports the same archive a second time (every record unchanged). RSS is the importing process's peak
(\`process.resourceUsage().maxRSS\`); on PGlite the database runs inside it, and RSS beyond the JS heap is
mostly PGlite's WebAssembly memory (it is ~${rows.find((r) => r.backend === 'pglite')?.rssAfterOpenMiB ?? '?'} MiB right after opening the store).

Before this importer (main at 859254f, whole archive inflated and applied as one batch), the same
40,000-record archive took 114.3 s and peaked at 1,877 MiB RSS on PostgreSQL (measured once on this
machine, 2026-12-07); the issue's report measured 83 s and 3,253 MiB on PGlite for 42,000 records, and
an Ubuntu-sized archive could not be imported at all.

| archive | backend | zip | records stored | import s | again s | peak RSS MiB | peak JS heap MiB |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows
  .map(
    (r) =>
      `| ${r.ecosystem} (${r.records}) | ${r.backend} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.stored} | ${s(r.importMs)} | ${s(r.reimportMs)} | ${r.maxRssMiB} | ${r.heapPeakMiB} |`,
  )
  .join('\n')}
`;
}

/** For bench/run.js: its own section, appended to the BENCHMARKS.md just written. */
export async function recordFeedsSize(root) {
  writeSection(root, feedsSizeMarkdown(await runFeedsSizeBench(root)), HEADING);
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      debian: { type: 'string' },
      ubuntu: { type: 'string' },
      backend: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
  await standalone({
    run: () => runFeedsSizeBench(benchRoot, values),
    markdown: feedsSizeMarkdown,
    heading: HEADING,
    write: !values['no-write'],
  });
}
