/**
 * Feed files in memory: one downloaded buffer expanded (a .zip's entries, a
 * .gz). Paths on disk, of any size, are read by stream.ts one entry at a
 * time instead.
 */
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import type { FeedRecordError } from '@patchloop/core';

/**
 * Default limit for one input file (or archive entry), decompressed: well
 * below the longest string V8 can hold (about 512 Mi characters).
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface FeedFile {
  /** Path of the file, or archive path + '!' + entry name. */
  readonly name: string;
  readonly text: string;
}

/**
 * What one import may inflate in all (every entry of every archive, read or
 * skipped) and how many archive entries it may walk: a small archive that
 * inflates to terabytes or holds millions of entries (a zip bomb) is refused
 * with PL_FEED_ARCHIVE_LIMIT. The largest real feed, OSV's Ubuntu, inflates
 * to ~6 GB in ~420,000 entries.
 */
export const DEFAULT_MAX_INFLATED_BYTES = 32 * 1024 * 1024 * 1024;
export const DEFAULT_MAX_ENTRIES = 4_000_000;

export interface ReadOptions {
  maxFileBytes?: number;
  /** Bytes inflated from all archives of one import (default DEFAULT_MAX_INFLATED_BYTES). */
  maxInflatedBytes?: number | undefined;
  /** Archive entries walked in one import (default DEFAULT_MAX_ENTRIES). */
  maxEntries?: number | undefined;
  /**
   * Which files the source wants, by path inside the directory or archive
   * ("DSA/list", "v3.11/main.json"); others are ignored.
   */
  accept: (path: string) => boolean;
  /** Called as the input is read: bytes of the path (all its files) read so far. */
  onBytes?: ((position: number) => void) | undefined;
}

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

const decoder = new TextDecoder('utf-8');

/**
 * Turns one buffer (a downloaded or read file) into feed files: unzips
 * archives, gunzips .gz, enforces the size limit. Problems with one file or
 * entry are reported in `errors`; a corrupt archive is reported whole.
 */
export function expandBuffer(
  name: string,
  buf: Uint8Array,
  options: ReadOptions,
  errors: FeedRecordError[],
): FeedFile[] {
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const tooLarge = (what: string, size: number) =>
    errors.push({
      file: what,
      record: '(file)',
      code: 'PL_FEED_RECORD_TOO_LARGE',
      reason: `${size} bytes is over the limit of ${max} bytes`,
    });
  const decode = (what: string, data: Uint8Array): FeedFile[] => {
    try {
      return [{ name: what, text: decoder.decode(data) }];
    } catch (e) {
      errors.push({
        file: what,
        record: '(file)',
        code: 'PL_FEED_RECORD_TOO_LARGE',
        reason: (e as Error).message,
      });
      return [];
    }
  };
  try {
    if (isZip(buf)) {
      const out: FeedFile[] = [];
      const entries = unzipSync(buf, {
        filter: (f) => {
          if (!options.accept(f.name)) return false;
          if (f.originalSize > max) {
            tooLarge(`${name}!${f.name}`, f.originalSize);
            return false;
          }
          return true;
        },
      });
      for (const entry of Object.keys(entries).sort(byCodePoint)) {
        out.push(...decode(`${name}!${entry}`, entries[entry] as Uint8Array));
      }
      return out;
    }
    if (isGzip(buf)) {
      // The limit applies while inflating: a small gzip bomb cannot exhaust memory.
      return decode(name, gunzipSync(buf, { maxOutputLength: max }));
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      errors.push({
        file: name,
        record: '(file)',
        code: 'PL_FEED_RECORD_TOO_LARGE',
        reason: `decompresses to more than the limit of ${max} bytes`,
      });
      return [];
    }
    errors.push({
      file: name,
      record: '(file)',
      code: 'PL_FEED_JSON_INVALID',
      reason: `corrupt or truncated archive: ${(e as Error).message}`,
    });
    return [];
  }
  if (buf.length > max) {
    tooLarge(name, buf.length);
    return [];
  }
  return decode(name, buf);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
