/**
 * The SSH runner against a real sshd started for the test on a free loopback
 * port, with generated host and client keys. Skipped (with a message) only
 * when sshd or ssh is not installed or we are not root (sshd needs its
 * privilege-separation directory); CI installs openssh-server and -client
 * (scripts/run-tests.js).
 */
import { execFileSync } from 'node:child_process';
import { release } from 'node:os';
import { join } from 'node:path';
import { isPatchloopError } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectHost } from '../collectors/collect.js';
import { debianRoot, tempDir } from '../collectors/testdata/fake-root.js';
import { localRunner } from './local.js';
import { sshRunner } from './ssh.js';
import { sshdUnavailable, startSshd, type Sshd } from '../testing/sshd.js';
import type { SshRunnerOptions } from './ssh.js';

const why = sshdUnavailable();
if (why !== null) console.warn(`SKIPPED: the SSH runner tests need a real sshd: ${why}`);

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isPatchloopError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe.skipIf(why !== null)('sshRunner against a real sshd', () => {
  let sshd: Sshd | null = null;
  let options: SshRunnerOptions;

  beforeAll(async () => {
    sshd = await startSshd();
    options = {
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      identityFile: sshd.identityFile,
      knownHostsFile: '/dev/null',
      strictHostKeyChecking: false,
      extraOptions: ['LogLevel=ERROR'],
    };
  });

  afterAll(() => {
    sshd?.stop();
  });

  it('runs commands with every argument intact, and reports exit statuses', async () => {
    const runner = sshRunner(options);
    expect(runner.description).toBe(`ssh ${options.user}@127.0.0.1:${options.port}`);
    const hostile = ["it's", '$(id)', '`id`', 'a; echo pwned', 'two\nlines', '', '*', '"q"', '\\'];
    const res = await runner.run('printf', ['%s\\0', ...hostile]);
    expect(res?.code).toBe(0);
    expect(res?.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect((await runner.run('uname', ['-r']))?.stdout.trim()).toBe(release());
    expect((await runner.run('sh', ['-c', 'exit 3']))?.code).toBe(3);
    expect((await runner.run('sh', ['-c', 'echo "$LC_ALL $X"'], { env: { X: "a'b" } }))?.stdout).toBe(
      "C a'b\n",
    );
    expect(await runner.run('patchloop-no-such-command', [])).toBeNull();
  });

  it('reads files under its root, never above it', async () => {
    const root = debianRoot();
    const runner = sshRunner({ ...options, root });
    expect((await runner.readFile('/etc/hostname'))?.toString()).toBe('bookworm-host\n');
    expect((await runner.readFile('/../../etc/hostname'))?.toString()).toBe('bookworm-host\n');
    expect(await runner.readFile('/etc/missing')).toBeNull();
    expect(await runner.exists('/var/lib/dpkg/status')).toBe(true);
    expect(await runner.exists('/nope')).toBe(false);
    expect(await runner.listDir('/etc')).toEqual(['hostname', 'machine-id', 'os-release']);
    expect(await runner.listDir('/nope')).toBeNull();
    expect(await errorCode(runner.readFile('/etc'))).toBe('PL_AGENT_FILE_UNREADABLE');
    expect(await errorCode(runner.readFile('/var/lib/dpkg/status', 100))).toBe('PL_AGENT_FILE_UNREADABLE');
  });

  it('collects the same packages over SSH as from the local root', async () => {
    const root = debianRoot();
    const overSsh = await collectHost(sshRunner({ ...options, root }), { updates: false });
    const local = await collectHost(localRunner({ root }), { updates: false });
    expect(overSsh.manager).toBe('dpkg');
    expect(overSsh.packages).toEqual(local.packages);
    expect(overSsh.machineId).toBe(local.machineId);
    expect(overSsh.facts.hostname).toBe('bookworm-host');
    expect(overSsh.facts.os).toEqual(local.facts.os);
    // Over SSH the commands run on the remote host itself: its running kernel is known.
    expect(overSsh.facts.kernel.running).toBe(release());
  });

  it('fails with PL_AGENT_SSH_FAILED when it cannot log in', async () => {
    const other = tempDir('wrong-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(other, 'k')]);
    const runner = sshRunner({ ...options, identityFile: join(other, 'k') });
    expect(await errorCode(runner.run('true', []))).toBe('PL_AGENT_SSH_FAILED');
  });
});

describe('sshRunner options', () => {
  const base: SshRunnerOptions = { host: 'h', user: 'u', identityFile: '/k' };
  it('refuses hosts, users, ports and options that could be read as ssh flags', () => {
    for (const bad of [
      { host: '-oProxyCommand=x' },
      { host: 'a b' },
      { user: '-l' },
      { user: 'a@b' },
      { port: 0 },
      { port: 70000 },
      { root: 'relative' },
      { extraOptions: ['-oProxyCommand=x'] },
    ]) {
      expect(() => sshRunner({ ...base, ...bad })).toThrow(/invalid|absolute/);
    }
    expect(sshRunner({ ...base, root: '/srv/h1' }).description).toBe('ssh u@h:22 root /srv/h1');
  });
});
