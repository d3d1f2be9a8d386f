// Chunked feed sessions (#14): staging tables + one short final transaction, against one
// transaction held across all chunks, on both backends, for a Debian-sized OSV archive
// (default 40,000 records): first import, unchanged re-import, the longest wait of a `SELECT 1`
// issued every 50 ms meanwhile, and how long the final (finish) transaction holds the store.
//   node bench/feeds-staging.js [--records N] [--backend both|pglite|postgres] [--mode staged|held]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildOsvArchive } from '@patchloop/feeds/testing';
import { createDatabase, startPgCluster } from '@patchloop/test-support/pg';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { records: { type: 'string' }, backend: { type: 'string' }, mode: { type: 'string' } },
});
const backends = (values.backend ?? 'both') === 'both' ? ['pglite', 'postgres'] : [values.backend];
const a = await buildOsvArchive({ ecosystem: 'Debian', records: Number(values.records ?? 40000) });
const cluster = backends.includes('postgres') ? await startPgCluster() : null;
const rows = [];
try {
  for (const backend of backends)
    for (const mode of values.mode ? [values.mode] : ['staged', 'held']) {
      const dir = mkdtempSync(join(tmpdir(), 'pl-feeds-staging-'));
      try {
        const target =
          backend === 'pglite'
            ? join(dir, 'data')
            : await createDatabase(cluster.url, `staging_${mode}_${Date.now()}`);
        const r = spawnSync(
          process.execPath,
          [join(root, 'bench/feeds-staging-child.js'), target, mode, a.path],
          {
            encoding: 'utf8',
            maxBuffer: 1 << 24,
          },
        );
        if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
        const row = { backend, ...JSON.parse(r.stdout.trim().split('\n').at(-1)) };
        process.stderr.write(`${JSON.stringify(row)}\n`);
        rows.push(row);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
} finally {
  cluster?.stop();
}
const s = (ms) => (ms / 1000).toFixed(1);
console.log(`| backend | session | import s | longest SELECT 1 wait ms | final tx ms | again s | again: longest wait ms | again: final tx ms |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows
  .map(
    (r) =>
      `| ${r.backend} | ${r.mode} | ${s(r.first.ms)} | ${r.first.maxSelect1WaitMs} | ${r.first.lastTxMs} | ${s(r.again.ms)} | ${r.again.maxSelect1WaitMs} | ${r.again.lastTxMs} |`,
  )
  .join('\n')}`);
