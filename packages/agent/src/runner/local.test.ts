import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { isPatchloopError } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../collectors/testdata/fake-root.js';
import { localRunner } from './local.js';

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isPatchloopError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('localRunner files', () => {
  const outside = tempDir('outside');
  writeFileSync(join(outside, 'secret'), 'outside the root\n');
  const root = tempDir('root');
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'os-release'), 'ID=debian\n');
  writeFileSync(join(root, 'secret'), 'inside the root\n');
  symlinkSync('/etc/os-release', join(root, 'etc', 'absolute-link'));
  symlinkSync(join(outside, 'secret'), join(root, 'escape-by-absolute-link'));
  symlinkSync('../../../../../../secret', join(root, 'etc', 'escape-by-dots'));
  symlinkSync('loop-b', join(root, 'loop-a'));
  symlinkSync('loop-a', join(root, 'loop-b'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  const runner = localRunner({ root });

  it('reads files inside the root and re-roots links', async () => {
    expect(runner.description).toBe(`local root ${root}`);
    expect((await runner.readFile('/etc/os-release'))?.toString()).toBe('ID=debian\n');
    expect((await runner.readFile('/etc/absolute-link'))?.toString()).toBe('ID=debian\n');
    expect((await runner.readFile('/../../etc/os-release'))?.toString()).toBe('ID=debian\n');
  });

  it('never leaves the root', async () => {
    // The absolute target names a file outside; inside the root that path does not exist.
    expect(await runner.readFile('/escape-by-absolute-link')).toBeNull();
    expect((await runner.readFile('/etc/escape-by-dots'))?.toString()).toBe('inside the root\n');
  });

  it('answers null for missing files and refuses what is not a regular file', async () => {
    expect(await runner.readFile('/etc/missing')).toBeNull();
    expect(await runner.readFile('/etc/os-release/child')).toBeNull();
    expect(await errorCode(runner.readFile('/fifo'))).toBe('PL_AGENT_FILE_UNREADABLE');
    expect(await errorCode(runner.readFile('/etc'))).toBe('PL_AGENT_FILE_UNREADABLE');
    expect(await errorCode(runner.readFile('/loop-a'))).toBe('PL_AGENT_FILE_UNREADABLE');
    expect(await errorCode(runner.readFile('/etc/os-release', 3))).toBe('PL_AGENT_FILE_UNREADABLE');
  });

  it('tells what exists and lists directories', async () => {
    expect(await runner.exists('/etc/os-release')).toBe(true);
    expect(await runner.exists('/fifo')).toBe(true);
    expect(await runner.exists('/nope')).toBe(false);
    expect(await runner.listDir('/etc')).toEqual(['absolute-link', 'escape-by-dots', 'os-release']);
    expect(await runner.listDir('/secret')).toBeNull();
  });

  it('reports commands the root lacks as unavailable', async () => {
    expect(await runner.run('apt-get', ['-s', 'dist-upgrade'])).toBeNull();
    expect(await errorCode(runner.run('../bin/sh', []))).toBe('PL_AGENT_RUNNER_INVALID');
  });
});

describe('localRunner commands on /', () => {
  const runner = localRunner();

  it('runs without a shell, in the C locale', async () => {
    expect(runner.description).toBe('local /');
    const uname = await runner.run('uname', ['-r']);
    expect(uname).toEqual({ code: 0, stdout: `${release()}\n`, stderr: '' });
    const echo = await runner.run('printf', ['%s|', '$(id)', '; ls', '`x`']);
    expect(echo?.stdout).toBe('$(id)|; ls|`x`|');
    const env = await runner.run('sh', ['-c', 'printf "%s %s" "$LC_ALL" "$PL_TEST"'], {
      env: { PL_TEST: 'yes' },
    });
    expect(env?.stdout).toBe('C yes');
  });

  it('gives exit statuses, null for a missing command, and errors for limits', async () => {
    expect((await runner.run('sh', ['-c', 'exit 3']))?.code).toBe(3);
    expect(await runner.run('patchloop-no-such-command', [])).toBeNull();
    expect(await errorCode(runner.run('sleep', ['5'], { timeoutMs: 200 }))).toBe('PL_AGENT_COMMAND_FAILED');
    expect(await errorCode(runner.run('head', ['-c', '100000', '/dev/zero'], { maxBytes: 1000 }))).toBe(
      'PL_AGENT_COMMAND_FAILED',
    );
    expect(await errorCode(runner.run('true', [], { env: { 'BAD NAME': 'x' } }))).toBe(
      'PL_AGENT_RUNNER_INVALID',
    );
  });
});
