/**
 * `feeds import --server`: the file is sent to the server as it is (streamed,
 * never read whole); a directory is packed into a temporary zip first, entry
 * by entry, so the server imports exactly what an offline import would.
 */
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import type { FeedImportResult } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import type { ProgressFn } from '@patchloop/feeds';
import { Zip, ZipDeflate } from 'fflate';
import { apiRequest, type ServerTarget } from './server-api.js';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Packs a directory into `to` (a zip), one file in memory at a time. */
async function zipDirectory(dir: string, to: string): Promise<void> {
  const out = createWriteStream(to, { mode: 0o600 });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let failed: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) failed = err;
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  for (const file of filesUnder(dir)) {
    const entry = new ZipDeflate(relative(dir, file).split('\\').join('/'), { level: 6 });
    zip.add(entry);
    entry.push(readFileSync(file), true);
  }
  zip.end();
  await finished;
  if (failed) throw failed;
}

/** The file as a stream, its bytes reported as they are read to be sent. */
function sending(file: string, onProgress: ProgressFn | undefined): Readable {
  const input = createReadStream(file);
  if (!onProgress) return input;
  const size = statSync(file).size;
  let sent = 0;
  input.on('data', (chunk) => onProgress('upload', (sent += chunk.length), size));
  return input;
}

export async function uploadFeed(
  target: ServerTarget,
  source: string,
  path: string,
  onProgress?: ProgressFn,
): Promise<FeedImportResult> {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new PatchloopError('PL_FEED_PATH_INVALID', `${path} does not exist`);
  }
  let file = path;
  let temp: string | null = null;
  if (stat.isDirectory()) {
    temp = mkdtempSync(join(tmpdir(), 'pl-feed-'));
    file = join(temp, `${basename(path) || 'feed'}.zip`);
    await zipDirectory(path, file);
  } else if (!stat.isFile()) {
    throw new PatchloopError('PL_FEED_PATH_INVALID', `${path} is not a file or directory`);
  }
  try {
    const name =
      basename(file)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/^[^A-Za-z0-9]+/, '') || 'feed';
    const r = await apiRequest<FeedImportResult>(
      target,
      'POST',
      `/api/v1/feeds/${encodeURIComponent(source)}/import?name=${encodeURIComponent(name)}`,
      {
        text: Readable.toWeb(sending(file, onProgress)) as ReadableStream<Uint8Array>,
        contentType: 'application/octet-stream',
      },
      3_600_000,
    );
    return r.body;
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}
