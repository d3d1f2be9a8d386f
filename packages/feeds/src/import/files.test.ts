import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import type { FeedRecordError } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandBuffer, type ReadOptions } from './files.js';
import { IMPORTERS } from './sources.js';
import { streamFeedPath } from './stream.js';

async function readFeedPath(path: string, options: ReadOptions, errors: FeedRecordError[]) {
  const out = [];
  for await (const f of streamFeedPath(path, options, errors)) out.push(f);
  return out;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all = { accept: () => true };

describe('reading feed input', () => {
  it('reads a directory recursively, choosing files by their path inside it', async () => {
    const data = join(dir, 'tracker-data');
    mkdirSync(join(data, 'DSA'), { recursive: true });
    mkdirSync(join(data, 'DLA'), { recursive: true });
    writeFileSync(join(data, 'DSA', 'list'), 'dsa');
    writeFileSync(join(data, 'DLA', 'list'), 'dla');
    writeFileSync(join(data, 'README'), 'x');
    const errors: FeedRecordError[] = [];
    expect(await readFeedPath(data, { accept: IMPORTERS['debian-dsa'].accept }, errors)).toEqual([
      { name: 'DSA/list', text: 'dsa' },
    ]);
    expect(await readFeedPath(data, { accept: IMPORTERS['debian-dla'].accept }, errors)).toEqual([
      { name: 'DLA/list', text: 'dla' },
    ]);
    expect(errors).toEqual([]);
  });

  it('unzips the entries a source wants and gunzips .gz', () => {
    const zip = zipSync({
      'a.json': Buffer.from('{"a":1}'),
      'b.txt': Buffer.from('x'),
      'c/d.json': Buffer.from('[]'),
    });
    const errors: FeedRecordError[] = [];
    expect(expandBuffer('all.zip', zip, IMPORTERS.osv, errors)).toEqual([
      { name: 'all.zip!a.json', text: '{"a":1}' },
      { name: 'all.zip!c/d.json', text: '[]' },
    ]);
    expect(expandBuffer('x.csv.gz', gzipSync('cve,epss,percentile\n'), all, errors)).toEqual([
      { name: 'x.csv.gz', text: 'cve,epss,percentile\n' },
    ]);
    expect(errors).toEqual([]);
  });

  it('reports an oversize file, archive entry or decompression, and a corrupt archive', async () => {
    const errors: FeedRecordError[] = [];
    const big = join(dir, 'big.json');
    writeFileSync(big, 'x'.repeat(2000));
    expect(await readFeedPath(big, { ...all, maxFileBytes: 1000 }, errors)).toEqual([]);
    expect(
      expandBuffer('bomb.gz', gzipSync(Buffer.alloc(1_000_000)), { ...all, maxFileBytes: 1000 }, errors),
    ).toEqual([]);
    expect(
      expandBuffer(
        'all.zip',
        zipSync({ 'a.json': Buffer.alloc(5000) }),
        { ...all, maxFileBytes: 1000 },
        errors,
      ),
    ).toEqual([]);
    const zip = zipSync({ 'a.json': Buffer.from('{"a":1}') });
    expect(expandBuffer('cut.zip', zip.subarray(0, zip.length - 30), all, errors)).toEqual([]);
    expect(errors.map((e) => [e.file, e.code])).toEqual([
      ['big.json', 'PL_FEED_RECORD_TOO_LARGE'],
      ['bomb.gz', 'PL_FEED_RECORD_TOO_LARGE'],
      ['all.zip!a.json', 'PL_FEED_RECORD_TOO_LARGE'],
      ['cut.zip', 'PL_FEED_JSON_INVALID'],
    ]);
    expect(errors[1]?.reason).toBe('decompresses to more than the limit of 1000 bytes');
  });

  it('names a missing path with PL_FEED_PATH_INVALID', async () => {
    await expect(readFeedPath(join(dir, 'nope'), all, [])).rejects.toThrowError(
      /PL_FEED_PATH_INVALID|no such file/,
    );
  });
});
