import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { FeedRecordError } from '@patchloop/core';
import { buildOsvArchive, buildOsvTarXz } from '../testing/big-archives.js';
import { tarHeader, ZipWriter } from '../testing/zip-writer.js';
import { streamFeedPath } from './stream.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (p: string) => p.endsWith('.json');

async function readAll(path: string, maxFileBytes?: number) {
  const errors: FeedRecordError[] = [];
  const names: string[] = [];
  for await (const f of streamFeedPath(path, { accept: json, maxFileBytes }, errors)) {
    expect(() => JSON.parse(f.text) as unknown).not.toThrow();
    names.push(f.name);
  }
  return { names, errors };
}

describe('streamFeedPath', () => {
  it('reads every entry of a zip and of a .tar.xz, one at a time, with the same records', async () => {
    const zip = await buildOsvArchive({ ecosystem: 'Debian', records: 300, dir });
    const txz = await buildOsvTarXz({ ecosystem: 'Debian', records: 300, dir });
    const a = await readAll(zip.path);
    const b = await readAll(txz.path);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.names).toHaveLength(300);
    const ids = (names: string[]) => names.map((n) => n.slice(n.lastIndexOf('/') + 1)).sort();
    expect(ids(b.names)).toEqual(ids(a.names.map((n) => n.split('!')[1] as string)));
    expect(a.names.filter((n) => /!DEBIAN-CVE-/.test(n)).length).toBeGreaterThan(100);
    expect(a.names.some((n) => /!DLA-/.test(n)) && a.names.some((n) => /!DSA-/.test(n))).toBe(true);
  });

  it('reports an entry over the limit and reads the rest', async () => {
    const zip = await buildOsvArchive({ ecosystem: 'Ubuntu', records: 20, dir });
    const r = await readAll(zip.path, 4000);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.every((e) => e.code === 'PL_FEED_RECORD_TOO_LARGE')).toBe(true);
    expect(r.names.length + r.errors.length).toBe(20);
  });

  it('throws PL_FEED_ARCHIVE_CORRUPT for a truncated zip and a truncated .tar.xz', async () => {
    for (const built of [
      await buildOsvArchive({ ecosystem: 'Ubuntu', records: 200, dir }),
      await buildOsvTarXz({ ecosystem: 'Ubuntu', records: 200, dir }),
    ]) {
      const cut = join(dir, `cut-${built.path.slice(built.path.lastIndexOf('/') + 1)}`);
      copyFileSync(built.path, cut);
      truncateSync(cut, Math.floor(built.bytes / 2));
      await expect(readAll(cut)).rejects.toMatchObject({ code: 'PL_FEED_ARCHIVE_CORRUPT' });
    }
  });

  it('gunzips a .gz file and refuses one that inflates past the limit', async () => {
    const gz = join(dir, 'one.json.gz');
    writeFileSync(gz, gzipSync(JSON.stringify({ id: 'X', pad: 'a'.repeat(10_000) })));
    expect((await readAll(gz)).names).toEqual(['one.json.gz']);
    const r = await readAll(gz, 1000);
    expect(r.names).toEqual([]);
    expect(r.errors[0]?.code).toBe('PL_FEED_RECORD_TOO_LARGE');
  });

  it('refuses a decompression bomb: too much inflated in all, or too many entries (PL_FEED_ARCHIVE_LIMIT)', async () => {
    // 40 entries of 4 MiB of one repeated record each: every entry under the per-file
    // limit, the zip ~1 MB, 160 MiB inflated in all.
    const rec = `${JSON.stringify({ id: 'X-1', modified: '2024-01-01T00:00:00Z', details: 'a'.repeat(60) })}\n`;
    const entry = Buffer.from(rec.repeat(Math.ceil((4 << 20) / rec.length)));
    const bombPath = join(dir, 'bomb.zip');
    const bomb = new ZipWriter(bombPath);
    for (let i = 0; i < 40; i++) bomb.add(`r-${i}.json`, entry);
    expect(bomb.close()).toBeLessThan(2 << 20);
    const read = (path: string, o: { maxInflatedBytes?: number; maxEntries?: number }) =>
      (async () => {
        for await (const f of streamFeedPath(path, { accept: json, ...o }, [])) void f;
      })();
    await expect(read(bombPath, { maxInflatedBytes: 64 << 20 })).rejects.toMatchObject({
      code: 'PL_FEED_ARCHIVE_LIMIT',
    });
    // Under a limit it fits, the same archive reads through.
    await expect(read(bombPath, { maxInflatedBytes: 256 << 20 })).resolves.toBeUndefined();

    // Entries that are skipped still count: a .tar.gz of 5,000 tiny non-JSON entries.
    const parts: Buffer[] = [];
    for (let i = 0; i < 5000; i++) parts.push(tarHeader(`junk/${i}.bin`, 0));
    parts.push(Buffer.alloc(1024));
    const tgz = join(dir, 'many.tar.gz');
    writeFileSync(tgz, gzipSync(Buffer.concat(parts)));
    await expect(read(tgz, { maxEntries: 1000 })).rejects.toMatchObject({ code: 'PL_FEED_ARCHIVE_LIMIT' });
    await expect(read(tgz, { maxEntries: 10_000 })).resolves.toBeUndefined();
  });
});
