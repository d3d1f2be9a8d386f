/**
 * Test support: a real sshd on a free loopback port with generated host and
 * client keys, for the agentless (SSH) collection tests. Needs root (sshd's
 * privilege separation) and Debian's openssh-server and openssh-client, which
 * the test runner installs (scripts/run-tests.js).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Why a real sshd cannot run here, or null when it can. */
export function sshdUnavailable(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  if (!existsSync('/usr/bin/ssh')) return 'ssh is not installed (apt-get install openssh-client)';
  if (process.getuid?.() !== 0) return 'not running as root (sshd needs /run/sshd)';
  return null;
}

export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The client's private key. */
  readonly identityFile: string;
  /** A known_hosts file naming this sshd's host key (for strict host key checking). */
  readonly knownHostsFile: string;
  /** What sshd printed so far (for failure messages). */
  log(): string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, sshd: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (sshd.exitCode !== null) throw new Error(`sshd exited ${sshd.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

export async function startSshd(): Promise<Sshd> {
  const why = sshdUnavailable();
  if (why !== null) throw new Error(`cannot start sshd: ${why}`);
  const dir = mkdtempSync(join(tmpdir(), 'patchloop-sshd-'));
  const key = (name: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  key('host_key');
  key('client_key');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      '',
    ].join('\n'),
  );
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  mkdirSync('/run/sshd', { recursive: true });
  let stderr = '';
  const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  sshd.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitForPort(port, sshd, () => stderr);
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    identityFile: join(dir, 'client_key'),
    knownHostsFile: join(dir, 'known_hosts'),
    log: () => stderr,
    stop() {
      sshd.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
