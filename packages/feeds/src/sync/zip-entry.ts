/**
 * Streams one entry of a zip file on disk into another file, without reading
 * the archive into memory: cvelistV5's daily baseline is a zip holding one
 * zip (`cves.zip`), which sync unpacks to disk and hands to the import path.
 * Reads the central directory (zip64 too), then inflates the entry's bytes
 * as a stream.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { PatchloopError } from '@patchloop/core';

export interface ZipEntryInfo {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const bad = (path: string, why: string) =>
  new PatchloopError('PL_FEED_DOWNLOAD_INVALID', `${path}: not a usable zip archive (${why})`);

/** The entries listed in a zip file's central directory. */
export async function listZipEntries(path: string): Promise<ZipEntryInfo[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw bad(path, 'no end of central directory');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const loc = eocd - 20;
    if (loc >= 0 && tail.readUInt32LE(loc) === 0x07064b50) {
      const z64 = Buffer.alloc(56);
      await fh.read(z64, 0, 56, Number(tail.readBigUInt64LE(loc + 8)));
      if (z64.readUInt32LE(0) !== 0x06064b50) throw bad(path, 'broken zip64 record');
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw bad(path, 'truncated');
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const out: ZipEntryInfo[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw bad(path, 'broken central directory');
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let compressedSize = cd.readUInt32LE(p + 20);
      let entrySize = cd.readUInt32LE(p + 24);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extra field: the 64-bit values, in this order, for the fields set to 0xffffffff.
      let x = p + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = cd.readUInt16LE(x);
        const len = cd.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          const next = () => {
            const v = Number(cd.readBigUInt64LE(q));
            q += 8;
            return v;
          };
          if (entrySize === 0xffffffff) entrySize = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
        }
        x += 4 + len;
      }
      out.push({
        name,
        method: cd.readUInt16LE(p + 10),
        compressedSize,
        size: entrySize,
        localHeaderOffset,
      });
      p = xEnd + commentLen;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Writes one entry's content to `dest`, inflating as it streams. */
export async function extractZipEntry(path: string, entry: ZipEntryInfo, dest: string): Promise<void> {
  const fh = await open(path, 'r');
  let start: number;
  try {
    const head = Buffer.alloc(30);
    await fh.read(head, 0, 30, entry.localHeaderOffset);
    if (head.readUInt32LE(0) !== 0x04034b50) throw bad(path, `no local header for ${entry.name}`);
    start = entry.localHeaderOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  if (entry.method !== 0 && entry.method !== 8) throw bad(path, `compression method ${entry.method}`);
  const input = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  try {
    if (entry.method === 0) await pipeline(input, createWriteStream(dest));
    else await pipeline(input, createInflateRaw(), createWriteStream(dest));
  } catch (e) {
    throw bad(path, `${entry.name}: ${(e as Error).message}`);
  }
}
