/**
 * The lab's apt repository: a flat repository (Packages, Packages.gz and an unsigned Release, made
 * with `dpkg-scanpackages --multiversion`, so every version of a package stays installable) served
 * by a static HTTP server on 127.0.0.1. Roots name it with `[trusted=yes]` (sourcesLine).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runOk } from './exec.js';

export interface AptRepo {
  /** The repository's base URL (`http://127.0.0.1:PORT/`). */
  readonly url: string;
  /** The directory served (the .deb files and the indexes). */
  readonly dir: string;
  /** Adds packages and re-indexes (roots see them after their next `apt-get update`). */
  add(debs: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** The sources.list line for the lab repository at `url`. */
export function sourcesLine(url: string): string {
  return `deb [trusted=yes] ${url.endsWith('/') ? url : `${url}/`} ./`;
}

/** Starts a repository holding `debs` (copied into its own directory). */
export async function startAptRepo(debs: readonly string[]): Promise<AptRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'patchloop-lab-repo-'));
  try {
    await addDebs(dir, debs);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const server = createServer((req, res) => {
    serve(dir, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}/`,
    dir,
    add: (more) => addDebs(dir, more),
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function addDebs(dir: string, debs: readonly string[]): Promise<void> {
  for (const deb of debs) {
    if (!deb.endsWith('.deb')) throw new Error(`${deb} is not a .deb file`);
    await copyFile(deb, join(dir, basename(deb)));
  }
  await index(dir);
}

/** Writes Packages, Packages.gz and Release (each replaced atomically, Release last). */
async function index(dir: string): Promise<void> {
  const { stdout } = await runOk('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: dir });
  const files: [string, Buffer][] = [
    ['Packages', Buffer.from(stdout)],
    ['Packages.gz', gzipSync(stdout)],
  ];
  const sums = (algo: string) =>
    files.map(([name, data]) => ` ${createHash(algo).update(data).digest('hex')} ${data.length} ${name}`);
  const release = [
    'Origin: Patchloop lab',
    'Label: Patchloop lab',
    `Date: ${new Date().toUTCString()}`,
    'MD5Sum:',
    ...sums('md5'),
    'SHA256:',
    ...sums('sha256'),
    '',
  ].join('\n');
  for (const [name, data] of [...files, ['Release', Buffer.from(release)] as [string, Buffer]]) {
    const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, data);
    await rename(tmp, join(dir, name));
  }
}

const TYPES: Readonly<Record<string, string>> = {
  '.deb': 'application/vnd.debian.binary-package',
  '.gz': 'application/gzip',
};

async function serve(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
    res.end('method not allowed\n');
    return;
  }
  let path: string;
  try {
    path = posix.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://lab').pathname));
  } catch {
    path = '';
  }
  const name = path.replace(/^\/+/, '');
  // Only the files of the directory itself: no subdirectories, no dot files (partial indexes).
  const st =
    name && !name.includes('/') && !name.startsWith('.')
      ? await stat(join(dir, name)).catch(() => null)
      : null;
  if (st === null || !st.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  const ext = /\.[a-z]+$/.exec(name)?.[0] ?? '';
  res.writeHead(200, {
    'Content-Type': TYPES[ext] ?? 'text/plain',
    'Content-Length': st.size,
    'Last-Modified': st.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(join(dir, name)).on('error', reject).on('end', resolve).pipe(res);
  });
}
