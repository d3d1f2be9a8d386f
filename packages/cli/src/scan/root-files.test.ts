/**
 * Files read under a filesystem root stay inside it: real files, links, FIFOs
 * and directories in a temporary directory (no mocks).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '@patchloop/test-support';
import { existsInRoot, MAX_SYMLINKS, readFileInRoot, resolveInRoot } from './root-files.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pl-root-files-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function link(path: string, target: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  symlinkSync(target, join(root, path));
}

describe('readFileInRoot: links are followed as if the root were /', () => {
  it('re-roots an absolute link: etc/os-release -> /usr/lib/os-release reads the image, not this machine', () => {
    file('usr/lib/os-release', 'ID=almalinux\nVERSION_ID="9.4"\n');
    link('etc/os-release', '/usr/lib/os-release');
    expect(readFileInRoot(root, 'etc/os-release')).toBe('ID=almalinux\nVERSION_ID="9.4"\n');
    expect(resolveInRoot(root, 'etc/os-release')).toMatchObject({
      inRoot: '/usr/lib/os-release',
      path: join(root, 'usr/lib/os-release'),
    });
  });

  it('a dangling absolute link is "not found", even when the host has that file', () => {
    link('etc/os-release', '/usr/lib/os-release');
    expect(readFileInRoot(root, 'etc/os-release')).toBeNull();
    expect(existsInRoot(root, 'etc/os-release')).toBe(false);
    // /dev/zero re-rooted is <root>/dev/zero, which does not exist.
    link('var/lib/dpkg/status', '/dev/zero');
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBeNull();
  });

  it('.. in a relative link never climbs above the root', () => {
    link('var/lib/dpkg/status', '../../../../../../../../etc/passwd');
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBeNull();
    file('etc/passwd', 'root:x:0:0:image:/root:/bin/sh\n');
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBe('root:x:0:0:image:/root:/bin/sh\n');
    expect(resolveInRoot(root, 'var/lib/dpkg/status')?.inRoot).toBe('/etc/passwd');
  });

  it('.. and absolute paths in the requested path stay inside the root too', () => {
    file('etc/passwd', 'image\n');
    expect(readFileInRoot(root, '../../../etc/passwd')).toBe('image\n');
    expect(readFileInRoot(root, '/etc/passwd')).toBe('image\n');
    expect(readFileInRoot(root, 'etc/./../../etc/passwd')).toBe('image\n');
  });

  it('follows links in directories along the way, relative and absolute', () => {
    file('usr/lib/sysimage/dpkg/status', 'Package: a\n');
    link('var/lib', '../usr/lib/sysimage'); // var/lib -> usr/lib/sysimage
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBe('Package: a\n');
    rmSync(join(root, 'var/lib'));
    link('var/lib', '/usr/lib/sysimage');
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBe('Package: a\n');
    expect(resolveInRoot(root, 'var/lib/dpkg/status')?.inRoot).toBe('/usr/lib/sysimage/dpkg/status');
  });

  it('a path through a regular file does not exist', () => {
    file('etc/os-release', 'ID=x\n');
    expect(readFileInRoot(root, 'etc/os-release/more')).toBeNull();
    expect(readFileInRoot(root, 'etc/os-release/..')).toBeNull();
  });

  it('reads the root / itself like any other (this machine)', () => {
    // On Debian /etc/os-release is a relative link to ../usr/lib/os-release.
    expect(readFileInRoot('/', 'etc/os-release')).toBe(readFileSync('/etc/os-release', 'utf8'));
    expect(resolveInRoot('/', '.')?.stats.isDirectory()).toBe(true);
  });
});

describe('readFileInRoot: refusals', () => {
  it('refuses a link loop, and a chain longer than the kernel would follow', () => {
    link('etc/os-release', 'os-release');
    expect(errorOf(() => readFileInRoot(root, 'etc/os-release'), 'PL_SCAN_INPUT_INVALID').message).toBe(
      `cannot read etc/os-release under ${root}: more than ${MAX_SYMLINKS} symbolic links (a link loop?)`,
    );
    link('a', '/b');
    link('b', '/a');
    expect(errorOf(() => existsInRoot(root, 'a/c'), 'PL_SCAN_INPUT_INVALID').message).toMatch(
      /more than 40 symbolic links/,
    );

    file('end', 'ok\n');
    const chain = (n: number) => {
      for (let i = 0; i < n; i++) link(`l${i}`, i === n - 1 ? '/end' : `/l${i + 1}`);
    };
    chain(MAX_SYMLINKS);
    expect(readFileInRoot(root, 'l0')).toBe('ok\n');
    for (let i = 0; i < MAX_SYMLINKS; i++) rmSync(join(root, `l${i}`));
    chain(MAX_SYMLINKS + 1);
    expect(errorOf(() => readFileInRoot(root, 'l0'), 'PL_SCAN_INPUT_INVALID').message).toMatch(
      /more than 40 symbolic links/,
    );
  });

  it('refuses a FIFO without opening it (so it cannot hang), directly or through a link', () => {
    mkdirSync(join(root, 'etc'));
    execFileSync('mkfifo', [join(root, 'etc/fifo')]);
    const started = Date.now();
    expect(errorOf(() => readFileInRoot(root, 'etc/fifo'), 'PL_SCAN_INPUT_INVALID').message).toBe(
      `cannot read etc/fifo under ${root}: it is a FIFO (named pipe), not a regular file`,
    );
    link('etc/os-release', '/etc/fifo');
    expect(errorOf(() => readFileInRoot(root, 'etc/os-release'), 'PL_SCAN_INPUT_INVALID').message).toBe(
      `cannot read etc/os-release under ${root} (/etc/fifo inside it): it is a FIFO (named pipe), not a regular file`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsInRoot(root, 'etc/fifo')).toBe(true);
  });

  it('refuses a directory', () => {
    mkdirSync(join(root, 'var/lib/dpkg/status'), { recursive: true });
    expect(errorOf(() => readFileInRoot(root, 'var/lib/dpkg/status'), 'PL_SCAN_INPUT_INVALID').message).toBe(
      `cannot read var/lib/dpkg/status under ${root}: it is a directory, not a regular file`,
    );
    link('etc/os-release', '/');
    expect(errorOf(() => readFileInRoot(root, 'etc/os-release'), 'PL_SCAN_INPUT_INVALID').message).toMatch(
      /\(\/ inside it\): it is a directory/,
    );
  });

  it('refuses a character device (this machine as the root: /dev/null)', () => {
    expect(errorOf(() => readFileInRoot('/', 'dev/null'), 'PL_SCAN_INPUT_INVALID').message).toBe(
      'cannot read dev/null under /: it is a character device, not a regular file',
    );
  });

  it('refuses a file over the size limit before reading it', () => {
    file('var/lib/dpkg/status', 'x'.repeat(11));
    expect(
      errorOf(() => readFileInRoot(root, 'var/lib/dpkg/status', 10), 'PL_SCAN_INPUT_INVALID').message,
    ).toBe(`cannot read var/lib/dpkg/status under ${root}: 11 bytes is over the limit of 10 bytes`);
    expect(readFileInRoot(root, 'var/lib/dpkg/status', 11)).toBe('x'.repeat(11));
    file('empty', '');
    expect(readFileInRoot(root, 'empty', 0)).toBe('');
  });

  it('reads a file larger than one read chunk whole', () => {
    const text = 'Package: p\n'.repeat(300_000); // 3.3 MB
    file('var/lib/dpkg/status', text);
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBe(text);
    expect(readFileInRoot(root, 'var/lib/dpkg/status')).toBe(
      readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8'),
    );
  });
});
