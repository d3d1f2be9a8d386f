/**
 * A feed file uploaded through the API: streamed to a temporary file (never
 * held in memory), imported like `patchloop feeds import` does on the store
 * but in a child process (jobs/feed-child.ts: its own heap cap, off the
 * server's event loop), audited, and followed by a re-assessment when
 * anything changed.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FeedImportResult } from '@patchloop/contracts';
import type { FeedSource } from '@patchloop/core';
import {
  appendAudit,
  lastImportId,
  queueAssessImport,
  feedReleaseTargets,
  removeScanIndex,
  writeScanIndex,
} from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';
import { diskFullError, isDiskFull, storeDisk } from '../errors.js';
import { crashError, runInChild } from '../jobs/feed-child.js';

export interface Upload {
  readonly path: string;
  remove(): void;
}

/** Writes the body to `<temp dir>/<name>`, refusing more than `limit` bytes. */
export async function receiveUpload(
  body: NodeJS.ReadableStream,
  name: string,
  limit: number,
): Promise<Upload> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-upload-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const path = join(dir, name);
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit)
        done(
          new PatchloopError(
            'PL_PAYLOAD_TOO_LARGE',
            `the feed file is larger than ${limit} bytes (PATCHLOOP_UPLOAD_LIMIT_MB)`,
          ),
        );
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, cap, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    remove();
    if (e instanceof PatchloopError) throw e;
    throw new PatchloopError('PL_REQUEST_INVALID', `the upload broke off: ${(e as Error).message}`);
  }
  return { path, remove };
}

const MAX_PROBLEMS = 100;

/**
 * Writes the scan index again after an import. It only spares `patchloop scan` a start of the
 * database (a scan without one reads the store), so failing to write it (a full disk) is logged
 * and never fails the import, nor hides why the import failed.
 */
export async function refreshScanIndex(ctx: ServerContext): Promise<void> {
  if (!ctx.dataDir) return;
  try {
    await writeScanIndex(ctx.db, ctx.dataDir);
  } catch (e) {
    ctx.log?.warn({ err: (e as Error).message }, 'cannot write the scan index; scans read the store');
  }
}

/** The upload's body received to a temporary file, imported, and the file removed whatever happens. */
export async function importFeedBody(
  ctx: ServerContext,
  source: FeedSource,
  upload: { readonly body: NodeJS.ReadableStream; readonly name: string },
  actor: string,
): Promise<FeedImportResult> {
  const received = await receiveUpload(upload.body, upload.name, ctx.config.uploadLimitBytes);
  try {
    return await importFeedUpload(ctx, source, received.path, actor);
  } finally {
    received.remove();
  }
}

export async function importFeedUpload(
  ctx: ServerContext,
  source: FeedSource,
  path: string,
  actor: string,
): Promise<FeedImportResult> {
  if (ctx.dataDir) removeScanIndex(ctx.dataDir);
  let out;
  // The import run of this upload is after this one.
  const before = await lastImportId(ctx.db);
  try {
    const releases = await feedReleaseTargets(ctx.db, ctx.config.feedReleases);
    out = await runInChild(ctx, { kind: 'import', source, path, releases });
  } finally {
    await refreshScanIndex(ctx);
  }
  const s = out.results[0];
  if (out.crashed || !s) {
    const e = crashError(out.crashed ?? { source, message: 'the import process ended without a result' });
    await appendAudit(ctx.db, {
      actor,
      action: 'feed.import',
      target: `feed:${source}`,
      after: { origin: 'upload', status: 'failed', error: e.message },
      at: ctx.now(),
    });
    // The child died of a full disk (its store writes failed): said as such, not as a crash.
    if (isDiskFull(out.crashed?.message)) throw diskFullError(storeDisk(ctx.db));
    throw new PatchloopError(e.code, e.message);
  }
  const now = ctx.now();
  await appendAudit(ctx.db, {
    actor,
    action: 'feed.import',
    target: `feed:${s.source}`,
    after: {
      origin: 'upload',
      status: s.status,
      imported: s.imported,
      skipped: s.skipped,
      unchanged: s.unchanged,
    },
    at: now,
  });
  // Only the hosts the imported changes concern are re-assessed.
  if (s.imported > 0 && (await queueAssessImport(ctx.db, before, now)) !== null) ctx.wakeJobs();
  return {
    source: s.source,
    status: s.status,
    imported: s.imported,
    skipped: s.skipped,
    unchanged: s.unchanged,
    exitCode: s.exitCode,
    errors: s.errors.slice(0, MAX_PROBLEMS).map((e) => ({
      file: e.file,
      record: e.record,
      code: e.code,
      reason: e.reason,
      warning: e.warning === true,
    })),
  };
}
