/**
 * `feeds import --server` reports upload progress (bytes sent of the file's
 * size) while the file streams to a real HTTP server on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatProgress, trackProgress } from '@patchloop/feeds';
import { uploadFeed } from '../src/feed-upload.js';

it('reports the bytes sent against the file size, up to all of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-upload-'));
  const file = join(dir, 'all.zip');
  const size = 5 * 2 ** 20 + 123;
  writeFileSync(file, randomBytes(size));
  let received = 0;
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ source: 'osv', status: 'ok', exitCode: 0, imported: 0, errors: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const events: [string, number, number][] = [];
    const lines: string[] = [];
    const bar = trackProgress({ intervalMs: 0, emit: (s) => lines.push(formatProgress('osv', s)) });
    await uploadFeed({ server: base, token: 't' }, 'osv', file, (phase, done, total) => {
      events.push([phase, done, total]);
      bar.report(phase, done, total);
    });
    expect(received).toBe(size);
    expect(events.length).toBeGreaterThan(3);
    expect(events.every(([p, , t]) => p === 'upload' && t === size)).toBe(true);
    const sent = events.map(([, d]) => d);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(sent.at(-1)).toBe(size);
    expect(lines.at(-1)).toBe('osv: uploading [########################] 100% 5.0/5.0 MiB');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
