/**
 * `patchloop feeds import|sync|status`: vulnerability intelligence into the
 * store (the embedded one in --data-dir, or PostgreSQL).
 */

import { join } from 'node:path';
import { Command, Option } from 'commander';
import {
  FEED_SOURCES,
  parseFeedReleases,
  PatchloopError,
  type AdvisoryTarget,
  type FeedSourceStatus,
} from '@patchloop/core';
import type { ImportSummary, ProgressFn } from '@patchloop/feeds';
import type { Db } from '@patchloop/store';
import type { CliConfig } from '../config.js';
import { apiRequest, serverTarget, type TargetOptions } from '../server-api.js';
import type { Io } from './versions.js';

const serverOption = () => new Option('--server <url>', 'a running Patchloop server instead of the store');
const tokenOption = () => new Option('--token <token>', 'API token for --server (default: PATCHLOOP_TOKEN)');

const MAX_ERRORS_SHOWN = 20;

const releasesOption = () =>
  new Option(
    '--releases <list>',
    'keep only these releases\' advisories: "all", "fleet" (the hosts\' releases) and/or <os>:<version>, comma-separated (default: PATCHLOOP_FEED_RELEASES or all)',
  );

/** The advisory releases an import keeps (null: all), from --releases or PATCHLOOP_FEED_RELEASES. */
async function keptReleases(db: Db, flag: string | undefined): Promise<AdvisoryTarget[] | null> {
  const parsed = parseFeedReleases(flag ?? process.env.PATCHLOOP_FEED_RELEASES);
  if ('problem' in parsed) throw new PatchloopError('PL_USAGE', `--releases: ${parsed.problem}`);
  return (await storeLib()).feedReleaseTargets(db, parsed.value);
}

// The feed and store libraries (PGlite's WebAssembly among them) load only
// when a command runs, so that `--help` and other commands start fast.
const feedsLib = () => import('@patchloop/feeds');
const storeLib = () => import('@patchloop/store');

async function withStore<T>(
  io: Io,
  config: CliConfig,
  dataDir: string | undefined,
  fn: (db: Db) => Promise<T>,
  options: { changesData?: boolean } = {},
): Promise<T> {
  const { cleanAbandonedStaging, openStore, resolveDbConfig, removeScanIndex, writeScanIndex } =
    await storeLib();
  const where = resolveDbConfig({}, { dataDir: dataDir ?? config.dataDir, databaseUrl: config.databaseUrl });
  const db = await openStore(where);
  // The embedded store's scan index is removed before the data changes and
  // written again after, so a scan never reads an index older than the data.
  const indexDir = options.changesData && 'dataDir' in where ? where.dataDir : null;
  try {
    if (options.changesData) {
      // An import killed earlier left staged rows: say what goes.
      for (const a of await cleanAbandonedStaging(db))
        io.stderr.write(
          `removed ${a.rows} staged row(s) of an abandoned ${a.source ?? 'feed'} import (${a.why}${a.owner ? `, ${a.owner}` : ''})\n`,
        );
    }
    if (indexDir !== null) removeScanIndex(indexDir);
    const result = await fn(db);
    if (indexDir !== null) await writeScanIndex(db, indexDir);
    return result;
  } finally {
    await db.close();
  }
}

type SyncOptions = TargetOptions & {
  source?: string;
  mirror?: string;
  url?: string[];
  cveScope?: 'all' | 'named';
  nvdApiKey?: string;
};

/** Every import or sync is a state change: one audit event with its outcome. */
async function auditFeed(db: Db, action: 'feed.import' | 'feed.sync', s: ImportSummary): Promise<void> {
  const { appendAudit } = await storeLib();
  await appendAudit(db, {
    actor: 'cli',
    action,
    target: `feed:${s.source}`,
    after: {
      origin: s.origin,
      status: s.status,
      imported: s.imported,
      skipped: s.skipped,
      unchanged: s.unchanged,
    },
  });
}

/**
 * A progress bar on a terminal (stderr), redrawn at most 10 times a second;
 * nothing otherwise (logs and pipes stay line-based). `done` clears it.
 */
export async function progressBar(
  io: Io,
  label: string,
  totalBytes = 0,
): Promise<{ report: ProgressFn | undefined; done: () => void }> {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (!tty) return { report: undefined, done: () => undefined };
  const { formatProgress, trackProgress } = await feedsLib();
  let shown = false;
  const t = trackProgress({
    totalBytes,
    intervalMs: 100,
    emit: (s) => {
      shown = true;
      io.stderr.write(`\r\x1b[K${formatProgress(label, s)}`);
    },
  });
  return {
    report: t.report,
    done: () => {
      t.flush();
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

/** What an import says, offline (ImportSummary) or from the server (FeedImportResult). */
interface Outcome {
  readonly source: string;
  readonly status: string;
  readonly imported: number;
  readonly skipped: number;
  readonly unchanged: number;
  /** Advisories of releases not kept (--releases). */
  readonly filtered?: number;
  readonly errors: readonly {
    file: string;
    record: string;
    code: string;
    reason: string;
    warning?: boolean;
  }[];
}

function report(io: Io, s: Outcome): void {
  const what =
    s.status === 'unchanged'
      ? 'unchanged since the last sync'
      : `imported ${s.imported}, skipped ${s.skipped}, unchanged ${s.unchanged}${s.filtered ? `, ${s.filtered} of releases not kept` : ''}`;
  io.stdout.write(`${s.source}: ${what}${s.status === 'failed' ? ' (failed: nothing changed)' : ''}\n`);
  for (const e of s.errors.slice(0, MAX_ERRORS_SHOWN)) {
    io.stderr.write(`  ${e.warning ? 'warning' : 'skipped'} ${e.file} ${e.record}: ${e.code}: ${e.reason}\n`);
  }
  if (s.errors.length > MAX_ERRORS_SHOWN)
    io.stderr.write(`  … and ${s.errors.length - MAX_ERRORS_SHOWN} more\n`);
}

function worstExit(codes: number[]): number {
  return codes.includes(1) ? 1 : codes.includes(3) ? 3 : 0;
}

function formatStatusTable(rows: FeedSourceStatus[]): string {
  const head = ['SOURCE', 'RECORDS', 'LAST IMPORT', 'STATUS', 'LAST ERROR'];
  const body = rows.map((r) => [
    r.source,
    String(r.records),
    r.lastImport ?? '-',
    r.lastStatus ?? 'never',
    r.lastError ? `${r.lastErrorCode}: ${r.lastError}`.slice(0, 80) : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  return (
    [head, ...body]
      .map((cols) =>
        cols
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function feedsCommand(io: Io, config: CliConfig, setExit: (code: number) => void): Command {
  const feeds = new Command('feeds').description('import, sync and inspect vulnerability intelligence feeds');
  const dataDir = () =>
    new Option(
      '--data-dir <dir>',
      'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)',
    );

  feeds
    .command('import')
    .description(
      `import a feed from a file, directory or archive (sources: ${FEED_SOURCES.join(', ')}); exit 0 all imported, 3 some records skipped, 1 nothing usable`,
    )
    .argument('<source>', 'feed source')
    .argument('<path>', 'file, directory, .zip, .gz or JSON Lines')
    .addOption(dataDir())
    .addOption(serverOption())
    .addOption(tokenOption())
    .addOption(new Option('--format <format>', 'summary format').choices(['text', 'json']).default('text'))
    .addOption(releasesOption())
    .addOption(
      new Option(
        '--allow-shrink',
        'take a KEV or EPSS catalogue much smaller than the one in use (refused otherwise as cut short: PL_FEED_CATALOGUE_SHRANK)',
      ),
    )
    .action(
      async (
        sourceName: string,
        path: string,
        opts: TargetOptions & { format: string; releases?: string; allowShrink?: boolean },
      ) => {
        const target = serverTarget(opts, process.env);
        if (target) {
          if (opts.releases || opts.allowShrink)
            throw new PatchloopError(
              'PL_USAGE',
              '--server imports the way the server is configured: --releases and --allow-shrink are for the store',
            );
          const { uploadFeed } = await import('../feed-upload.js');
          const bar = await progressBar(io, sourceName);
          const r = await uploadFeed(target, sourceName, path, bar.report).finally(bar.done);
          if (opts.format === 'json') io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
          else report(io, r);
          setExit(r.exitCode);
          return;
        }
        const { assertSource, importFeed, sizeOf } = await feedsLib();
        const { createFeedStore } = await storeLib();
        const source = assertSource(sourceName);
        const summary = await withStore(
          io,
          config,
          opts.dataDir,
          async (db) => {
            const bar = await progressBar(io, source, sizeOf(path));
            const s = await importFeed(source, path, createFeedStore(db), {
              onProgress: bar.report,
              releases: await keptReleases(db, opts.releases),
              allowShrink: opts.allowShrink === true,
            }).finally(bar.done);
            await auditFeed(db, 'feed.import', s);
            return s;
          },
          { changesData: true },
        );
        if (opts.format === 'json') io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else report(io, summary);
        setExit(summary.exitCode);
      },
    );

  feeds
    .command('sync')
    .description(
      'download feeds from where they are published (ETag/If-Modified-Since, retries), or read them from a mirror directory',
    )
    .addOption(new Option('--source <source>', 'only this source (default: all)'))
    .addOption(
      new Option(
        '--mirror <dir>',
        'read DIR/<source>/… instead of downloading (default: PATCHLOOP_FEED_MIRROR)',
      ),
    )
    .addOption(
      new Option('--url <url...>', 'download these URLs instead of the official ones (needs --source)'),
    )
    .addOption(
      new Option(
        '--cve-scope <scope>',
        'CVE records to store: all, or only those named by stored advisories (default: PATCHLOOP_CVE_SCOPE, else all)',
      ).choices(['all', 'named']),
    )
    .addOption(
      new Option(
        '--nvd-api-key <key>',
        "also take NVD's own CVSS from the NVD API 2.0 (default: PATCHLOOP_NVD_API_KEY; prefer the variable, arguments show in ps)",
      ),
    )
    .addOption(dataDir())
    .addOption(serverOption())
    .addOption(tokenOption())
    .addOption(releasesOption())
    .action(async (opts: SyncOptions & { releases?: string }) => {
      const target = serverTarget(opts, process.env);
      if (target) {
        if (opts.source || opts.mirror || opts.url || opts.cveScope || opts.nvdApiKey || opts.releases) {
          throw new PatchloopError(
            'PL_USAGE',
            '--server syncs every source the way the server is configured: --source, --mirror, --url, --cve-scope, --nvd-api-key and --releases are for the store',
          );
        }
        const r = await apiRequest<{ queued: boolean; jobId: number | null }>(
          target,
          'POST',
          '/api/v1/feeds/sync',
        );
        io.stdout.write(
          r.body.queued
            ? `feed sync queued on the server (job ${r.body.jobId}); follow it with: patchloop feeds status --server ${target.server}\n`
            : `a feed sync is already queued on the server; follow it with: patchloop feeds status --server ${target.server}\n`,
        );
        return;
      }
      const { assertSource, sizeOf, syncFeed } = await feedsLib();
      const { createFeedStore } = await storeLib();
      const sources = opts.source ? [assertSource(opts.source)] : [...FEED_SOURCES];
      if (opts.url && !opts.source) {
        throw new PatchloopError('PL_USAGE', '--url needs --source');
      }
      const codes = await withStore(
        io,
        config,
        opts.dataDir,
        async (db) => {
          const sink = createFeedStore(db);
          const out: number[] = [];
          const mirror = opts.mirror ?? config.feedMirror;
          const releases = await keptReleases(db, opts.releases);
          const nvdApiKey = opts.nvdApiKey ?? config.nvdApiKey;
          for (const source of sources) {
            const bar = await progressBar(io, source, mirror ? sizeOf(join(mirror, source)) : 0);
            const s = await syncFeed(source, {
              sink,
              mirror,
              urls: opts.url,
              ...config.feedSync,
              releases,
              onProgress: bar.report,
              cveScope: opts.cveScope ?? config.cveScope,
              ...(nvdApiKey ? { nvd: { apiKey: nvdApiKey } } : {}),
            }).finally(bar.done);
            report(io, s);
            await auditFeed(db, 'feed.sync', s);
            out.push(s.exitCode);
          }
          return out;
        },
        { changesData: true },
      );
      setExit(worstExit(codes));
    });

  feeds
    .command('status')
    .description('records per source, last import and its result')
    .addOption(dataDir())
    .addOption(serverOption())
    .addOption(tokenOption())
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: TargetOptions & { format: string }) => {
      const target = serverTarget(opts, process.env);
      const rows = target
        ? (await apiRequest<{ items: FeedSourceStatus[] }>(target, 'GET', '/api/v1/feeds')).body.items
        : await withStore(io, config, opts.dataDir, async (db) =>
            (await storeLib()).createFeedStore(db).status(),
          );
      io.stdout.write(
        opts.format === 'json' ? `${JSON.stringify({ sources: rows }, null, 2)}\n` : formatStatusTable(rows),
      );
    });

  return feeds;
}
