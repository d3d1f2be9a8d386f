/**
 * A host reached over SSH with the system `ssh` client (agentless hosts). Each
 * command is one `ssh` process started from an argument array; the remote
 * command line is built with POSIX quoting of every word (shell-quote.ts), so
 * no argument is ever interpreted by the remote shell.
 *
 * `root` names a directory on the remote host under which its files are read
 * (tests use a fake root); commands still run on the remote host itself.
 * Exit status 127 (the shell's "command not found") means the command is not
 * available; 255 is ssh's own failure (connection, authentication) and is an
 * error, never a result.
 */
import { posix } from 'node:path';
import { PatchloopError } from '@patchloop/core';
import { DEFAULT_MAX_FILE_BYTES } from './runner.js';
import type { CommandResult, HostRunner, RunOptions } from './runner.js';
import { shellQuote, shellQuoteArg } from './shell-quote.js';
import { commandEnv, spawnCapture } from './spawn-capture.js';
import type { Captured } from './spawn-capture.js';

export interface SshRunnerOptions {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  identityFile: string;
  /** Directory on the remote host its files are read under; default '/'. */
  root?: string;
  knownHostsFile?: string;
  strictHostKeyChecking?: boolean;
  /** More `-o` options, each "Key=value". */
  extraOptions?: string[];
  /** The ssh client to run; default 'ssh'. */
  sshCommand?: string;
  /** Seconds ssh waits for the connection; default 10. */
  connectTimeoutSeconds?: number;
}

const invalid = (message: string) => new PatchloopError('PL_AGENT_RUNNER_INVALID', message);
const TOKEN = /^[^\s\p{Cc}-][^\s\p{Cc}]*$/u;

/** Reads a file as `cat`, refusing what is not a regular file (a FIFO would block); 3 = missing. */
const READ_SCRIPT =
  'if [ -f "$1" ]; then exec cat -- "$1"; elif [ -e "$1" ]; then echo "not a regular file" >&2; exit 2; else exit 3; fi';
const LIST_SCRIPT = '[ -d "$1" ] || exit 3; cd -- "$1" && exec ls -1A';
const MISSING = 3;

export function sshRunner(options: SshRunnerOptions): HostRunner {
  const { host, user, identityFile } = options;
  const port = options.port ?? 22;
  const root = options.root ?? '/';
  if (!TOKEN.test(host)) throw invalid(`invalid ssh host ${JSON.stringify(host)}`);
  if (!TOKEN.test(user) || user.includes('@')) throw invalid(`invalid ssh user ${JSON.stringify(user)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`invalid ssh port ${port}`);
  if (!root.startsWith('/')) throw invalid(`the root must be an absolute path, not ${JSON.stringify(root)}`);
  const timeout = options.connectTimeoutSeconds ?? 10;
  const sshArgs = [
    '-p',
    String(port),
    '-i',
    identityFile,
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${timeout}`,
  ];
  if (options.knownHostsFile !== undefined)
    sshArgs.push('-o', `UserKnownHostsFile=${options.knownHostsFile}`);
  if (options.strictHostKeyChecking !== undefined) {
    sshArgs.push('-o', `StrictHostKeyChecking=${options.strictHostKeyChecking ? 'yes' : 'no'}`);
  }
  for (const o of options.extraOptions ?? []) {
    if (!/^[A-Za-z]+=/.test(o)) throw invalid(`invalid ssh option ${JSON.stringify(o)} (expected Key=value)`);
    sshArgs.push('-o', o);
  }
  const destination = `${user}@${host}`;
  const description = `ssh ${destination}:${port}${root === '/' ? '' : ` root ${root}`}`;
  const inRoot = (path: string): string => posix.join(root, posix.normalize(`/${path}`));

  /** Runs one remote command line; null when the remote shell says the command does not exist. */
  const exec = async (
    command: string,
    args: readonly string[],
    opts: RunOptions = {},
  ): Promise<Captured | null> => {
    const env = { LC_ALL: 'C', ...opts.env };
    commandEnv(env); // validates the names
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuoteArg(v)}`);
    const remote = [...assignments, shellQuote([command, ...args])].join(' ');
    const res = await spawnCapture(options.sshCommand ?? 'ssh', [...sshArgs, '--', destination, remote], {
      env: commandEnv(),
      label: `${description}: ${command}`,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    });
    if (res === null)
      throw new PatchloopError('PL_AGENT_SSH_FAILED', 'the ssh client is not installed on this machine');
    if (res.code === 255) {
      const reason = res.stderr.toString('utf8').trim() || 'exit status 255';
      throw new PatchloopError('PL_AGENT_SSH_FAILED', `${description}: ${reason}`, { host, port, reason });
    }
    return res.code === 127 ? null : res;
  };
  const text = (res: Captured | null): CommandResult | null =>
    res === null
      ? null
      : { code: res.code, stdout: res.stdout.toString('utf8'), stderr: res.stderr.toString('utf8') };
  const shell = async (script: string, path: string, opts?: RunOptions): Promise<Captured> => {
    const res = await exec('sh', ['-c', script, 'sh', inRoot(path)], opts);
    if (res === null)
      throw new PatchloopError('PL_AGENT_SSH_FAILED', `${description}: no sh on the remote host`);
    return res;
  };

  return {
    description,
    kind: 'ssh',
    root,
    async readFile(path, maxBytes = DEFAULT_MAX_FILE_BYTES) {
      let res: Captured;
      try {
        res = await shell(READ_SCRIPT, path, { maxBytes });
      } catch (e) {
        if (e instanceof PatchloopError && e.code === 'PL_AGENT_COMMAND_FAILED') {
          throw new PatchloopError(
            'PL_AGENT_FILE_UNREADABLE',
            `cannot read ${path} (${description}): ${e.message}`,
          );
        }
        throw e;
      }
      if (res.code === MISSING) return null;
      if (res.code !== 0) {
        const reason = res.stderr.toString('utf8').trim() || `exit status ${res.code}`;
        throw new PatchloopError(
          'PL_AGENT_FILE_UNREADABLE',
          `cannot read ${path} (${description}): ${reason}`,
        );
      }
      return res.stdout;
    },
    async exists(path) {
      const res = await exec('test', ['-e', inRoot(path)]);
      return res !== null && res.code === 0;
    },
    async listDir(path) {
      const res = await shell(LIST_SCRIPT, path);
      if (res.code === MISSING) return null;
      if (res.code !== 0) return null;
      return res.stdout
        .toString('utf8')
        .split('\n')
        .filter((n) => n !== '')
        .sort();
    },
    run: async (command, args, opts) => text(await exec(command, args, opts)),
    runTool: async (command, args, opts) => text(await exec(command, args, opts)),
  };
}
