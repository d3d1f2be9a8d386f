/**
 * Streaming feed input: a file, a directory (recursively), a .zip (read
 * through its central directory with yauzl, one entry at a time), a .tar,
 * .tar.gz or .tar.xz (streamed; xz through the system `xz -dc`), or a .gz.
 * Each accepted file or entry is yielded as one FeedFile and dropped by the
 * caller, so memory holds one entry, never the archive: any archive size
 * works. The per-file limit applies only to what must be held as one string
 * (one entry or one plain file).
 *
 * Problems with one entry (over the limit, bad CRC, not UTF-8) are pushed to
 * `errors` and the entry is skipped. An archive that cannot be read to its end
 * (truncated, corrupt, decompressor failed) throws PL_FEED_ARCHIVE_CORRUPT:
 * the caller then applies nothing from the run.
 */
import { spawn } from 'node:child_process';
import { createReadStream, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, crc32 } from 'node:zlib';
import { extract } from 'tar-stream';
import yauzl from 'yauzl';
import { PatchloopError, type FeedRecordError } from '@patchloop/core';
import {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_INFLATED_BYTES,
  type FeedFile,
  type ReadOptions,
} from './files.js';

type Kind = 'zip' | 'gzip' | 'xz' | 'tar' | 'plain';

function sniff(path: string): Kind {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  // An empty zip (or one starting with its end record).
  if (n >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip';
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (n >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return 'plain';
}

const corrupt = (file: string, e: unknown) =>
  new PatchloopError(
    'PL_FEED_ARCHIVE_CORRUPT',
    `${file}: corrupt or truncated archive: ${(e as Error).message}`,
    { file },
  );

const fatal = new TextDecoder('utf-8', { fatal: true });

function decode(label: string, buf: Buffer, errors: FeedRecordError[]): FeedFile | null {
  try {
    return { name: label, text: fatal.decode(buf) };
  } catch (e) {
    errors.push({
      file: label,
      record: '(file)',
      code: 'PL_FEED_JSON_INVALID',
      reason: (e as Error).message,
    });
    return null;
  }
}

function tooLarge(label: string, size: number | string, max: number): FeedRecordError {
  return {
    file: label,
    record: '(file)',
    code: 'PL_FEED_RECORD_TOO_LARGE',
    reason: `${size} bytes is over the limit of ${max} bytes`,
  };
}

/** What the whole import has inflated and walked so far, against its limits. */
class Budget {
  private inflated = 0;
  private entries = 0;
  constructor(
    private readonly label: string,
    private readonly maxInflated: number,
    private readonly maxEntries: number,
  ) {}

  /** Counts inflated bytes; past the limit the import stops (nothing from it is applied). */
  bytes(n: number): void {
    this.inflated += n;
    if (this.inflated > this.maxInflated) {
      throw new PatchloopError(
        'PL_FEED_ARCHIVE_LIMIT',
        `${this.label}: inflates to more than ${this.maxInflated} bytes in all (a decompression bomb?); nothing from it was applied`,
        { file: this.label },
      );
    }
  }

  entry(): void {
    if (++this.entries > this.maxEntries) {
      throw new PatchloopError(
        'PL_FEED_ARCHIVE_LIMIT',
        `${this.label}: holds more than ${this.maxEntries} entries; nothing from it was applied`,
        { file: this.label },
      );
    }
  }
}

/** Bytes of the current file read so far (the caller adds the files before it). */
type Position = (bytes: number) => void;

/** Counts the bytes read from a file stream into `at`. */
function counted(input: Readable, at: Position): Readable {
  let n = 0;
  input.on('data', (chunk: Buffer) => at((n += chunk.length)));
  return input;
}

/** Reads a stream whole, up to `max` bytes (null past it; the stream is drained). */
async function collect(
  stream: AsyncIterable<Buffer>,
  max: number,
  budget: Budget | null,
  onChunk?: (size: number) => void,
): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of stream) {
    size += chunk.length;
    budget?.bytes(chunk.length);
    onChunk?.(size);
    if (size > max) over = true;
    if (!over) parts.push(chunk);
  }
  return over ? null : Buffer.concat(parts, size);
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: true, decodeStrings: true, strictFileNames: false },
      (e, z) => (e ? rej(e) : res(z)),
    ),
  );
}

async function* zipEntries(
  path: string,
  label: string,
  options: ReadOptions,
  max: number,
  errors: FeedRecordError[],
  at: Position,
  budget: Budget,
): AsyncGenerator<FeedFile> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (e) {
    throw corrupt(label, e);
  }
  const next = (): Promise<yauzl.Entry | null> =>
    new Promise((res, rej) => {
      const onEntry = (entry: yauzl.Entry) => {
        cleanup();
        res(entry);
      };
      const onEnd = () => {
        cleanup();
        res(null);
      };
      const onError = (e: Error) => {
        cleanup();
        rej(e);
      };
      const cleanup = () => {
        zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      };
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      zip.readEntry();
    });
  let ended = false;
  try {
    for (;;) {
      let entry: yauzl.Entry | null;
      try {
        entry = await next();
      } catch (e) {
        throw corrupt(label, e);
      }
      if (entry === null) {
        ended = true;
        return;
      }
      budget.entry();
      const name = entry.fileName;
      // Where this entry's data lies in the file: inside it, by the share inflated so far.
      const start = entry.relativeOffsetOfLocalHeader;
      const packed = entry.compressedSize;
      at(start);
      if (name.endsWith('/') || !options.accept(name)) continue;
      const what = `${label}!${name}`;
      if (entry.uncompressedSize > max) {
        errors.push(tooLarge(what, entry.uncompressedSize, max));
        continue;
      }
      let data: Buffer | null;
      try {
        const stream = await new Promise<Readable>((res, rej) =>
          zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s))),
        );
        const full = Math.max(1, entry.uncompressedSize);
        data = await collect(stream, max, budget, (n) =>
          at(start + Math.round((packed * Math.min(n, full)) / full)),
        );
      } catch (e) {
        if (e instanceof PatchloopError) throw e;
        // The directory is intact but this entry's data is not: skip it, report it.
        errors.push({
          file: what,
          record: '(file)',
          code: 'PL_FEED_JSON_INVALID',
          reason: `corrupt entry: ${(e as Error).message}`,
        });
        continue;
      }
      if (data === null) {
        errors.push(tooLarge(what, `more than ${max}`, max));
        continue;
      }
      if (crc32(data) >>> 0 !== entry.crc32) {
        errors.push({
          file: what,
          record: '(file)',
          code: 'PL_FEED_JSON_INVALID',
          reason: 'corrupt entry: its CRC-32 does not match the archive directory',
        });
        continue;
      }
      const f = decode(what, data, errors);
      if (f) yield f;
    }
  } finally {
    // yauzl closes the file itself at the end (autoClose).
    if (!ended) zip.close();
  }
}

/** The system `xz -dc` over the file (fed through stdin, counted) as a stream; its failure becomes the stream's error. */
function xzStream(path: string, at: Position): Readable {
  const child = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = child.stdout;
  const input = counted(createReadStream(path), at);
  input.on('error', (e) => out.destroy(e));
  // xz stopping early (it failed, or the reader stopped) closes its stdin: not an error of its own.
  child.stdin.on('error', () => undefined);
  input.pipe(child.stdin);
  out.on('close', () => input.destroy());
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 2000) stderr += d;
  });
  child.on('error', (e) => out.destroy(new Error(`cannot run xz (install xz-utils): ${e.message}`)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      out.destroy(new Error(`xz -dc failed (${code ?? signal}): ${stderr.trim()}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return out;
}

async function* tarEntries(
  input: Readable,
  label: string,
  options: ReadOptions,
  max: number,
  errors: FeedRecordError[],
  budget: Budget,
): AsyncGenerator<FeedFile> {
  const tar = extract();
  input.on('error', (e) => tar.destroy(e));
  input.pipe(tar);
  let ended = false;
  try {
    for await (const entry of tar) {
      budget.entry();
      const name = entry.header.name.replace(/^\.\//, '');
      const what = `${label}!${name}`;
      // A tar is read through: an entry that is skipped is still inflated (and counted).
      if (entry.header.type !== 'file' || !options.accept(name)) {
        await collect(entry as AsyncIterable<Buffer>, 0, budget);
        continue;
      }
      if ((entry.header.size ?? 0) > max) {
        errors.push(tooLarge(what, entry.header.size ?? 0, max));
        await collect(entry as AsyncIterable<Buffer>, 0, budget);
        continue;
      }
      const data = await collect(entry as AsyncIterable<Buffer>, max, budget);
      if (data === null) {
        errors.push(tooLarge(what, `more than ${max}`, max));
        continue;
      }
      const f = decode(what, data, errors);
      if (f) yield f;
    }
    ended = true;
  } catch (e) {
    if (e instanceof PatchloopError) throw e;
    throw corrupt(label, e);
  } finally {
    if (!ended) {
      input.destroy();
      tar.destroy();
    }
  }
}

async function* gzipFile(
  path: string,
  label: string,
  options: ReadOptions,
  max: number,
  errors: FeedRecordError[],
  at: Position,
  budget: Budget,
): AsyncGenerator<FeedFile> {
  const gunzip = counted(createReadStream(path), at).pipe(createGunzip());
  if (/\.(tar\.gz|tgz)$/i.test(path)) {
    yield* tarEntries(gunzip, label, options, max, errors, budget);
    return;
  }
  let data: Buffer | null;
  try {
    // The limit applies while inflating: a small gzip bomb cannot exhaust memory.
    data = await collect(gunzip, max, budget);
  } catch (e) {
    if (e instanceof PatchloopError) throw e;
    throw corrupt(label, e);
  }
  if (data === null) {
    errors.push({
      file: label,
      record: '(file)',
      code: 'PL_FEED_RECORD_TOO_LARGE',
      reason: `decompresses to more than the limit of ${max} bytes`,
    });
    return;
  }
  const f = decode(label, data, errors);
  if (f) yield f;
}

/** One file on disk: plain, or an archive expanded entry by entry. */
async function* oneFile(
  path: string,
  label: string,
  options: ReadOptions,
  errors: FeedRecordError[],
  at: Position,
  budget: Budget,
): AsyncGenerator<FeedFile> {
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const kind = sniff(path);
  if (kind === 'zip') yield* zipEntries(path, label, options, max, errors, at, budget);
  else if (kind === 'gzip') yield* gzipFile(path, label, options, max, errors, at, budget);
  else if (kind === 'xz') yield* tarEntries(xzStream(path, at), label, options, max, errors, budget);
  else if (kind === 'tar')
    yield* tarEntries(counted(createReadStream(path), at), label, options, max, errors, budget);
  else {
    const size = statSync(path).size;
    if (size > max) {
      errors.push(tooLarge(label, size, max));
      return;
    }
    const data = await collect(createReadStream(path), max, null, at);
    const f = data === null ? null : decode(label, data, errors);
    if (f) yield f;
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

const ARCHIVE = /\.(zip|gz|tgz|tar|xz)$/i;

/** Streams a file, directory or archive path as feed files, one at a time. */
export async function* streamFeedPath(
  path: string,
  options: ReadOptions,
  errors: FeedRecordError[],
): AsyncGenerator<FeedFile> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new PatchloopError('PL_FEED_PATH_INVALID', `no such file or directory: ${path}`, { path });
  }
  const report = options.onBytes;
  const budget = new Budget(
    basename(path),
    options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
    options.maxEntries ?? DEFAULT_MAX_ENTRIES,
  );
  if (st.isDirectory()) {
    // Positions count every file under the directory, in walk order (sizeOf's total).
    let base = 0;
    for (const f of walk(path)) {
      const rel = relative(path, f).split(sep).join('/');
      const at: Position = report ? (n) => report(base + n) : () => undefined;
      if (options.accept(rel) || ARCHIVE.test(rel)) yield* oneFile(f, rel, options, errors, at, budget);
      base += statSync(f).size;
      report?.(base);
    }
    return;
  }
  if (!st.isFile())
    throw new PatchloopError('PL_FEED_PATH_INVALID', `not a file or directory: ${path}`, { path });
  yield* oneFile(path, basename(path), options, errors, report ?? (() => undefined), budget);
  report?.(st.size);
}
