/**
 * The machine the agent runs on, or a filesystem root on it (a mounted image,
 * a chroot). Files are read inside the root without ever leaving it. Commands
 * run without a shell; under a root other than '/', only as `chroot ROOT cmd`
 * when we are root and the root has the command — otherwise the command is
 * "not available" and the collectors fall back to reading files.
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PatchloopError } from '@patchloop/core';
import { readFileInRoot, resolveInRoot } from './root-path.js';
import { DEFAULT_MAX_FILE_BYTES } from './runner.js';
import type { CommandResult, HostRunner, RunOptions } from './runner.js';
import { commandEnv, spawnCapture } from './spawn-capture.js';

export interface LocalRunnerOptions {
  /** The filesystem root; default '/'. */
  root?: string;
}

/** Where a command is looked for inside a root, in order. */
const COMMAND_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

async function runHere(
  command: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<CommandResult | null> {
  const res = await spawnCapture(command, args, {
    env: commandEnv(opts.env),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
  });
  if (res === null) return null;
  return { code: res.code, stdout: res.stdout.toString('utf8'), stderr: res.stderr.toString('utf8') };
}

function checkCommand(command: string): void {
  if (command === '' || command.includes('/') || command.startsWith('-')) {
    throw new PatchloopError('PL_AGENT_RUNNER_INVALID', `invalid command name ${JSON.stringify(command)}`);
  }
}

export function localRunner(options: LocalRunnerOptions = {}): HostRunner {
  const root = resolve(options.root ?? '/');
  const isRoot = root === '/';
  /** The command's path inside the root (not following its last link: busybox applets are links). */
  const commandInRoot = async (command: string): Promise<string | null> => {
    for (const dir of COMMAND_DIRS) {
      const found = await resolveInRoot(root, `${dir}/${command}`);
      if (found !== null && found.stats.isFile()) return `${dir}/${command}`;
    }
    return null;
  };
  return {
    description: isRoot ? 'local /' : `local root ${root}`,
    kind: 'local',
    root,
    readFile: (path, maxBytes = DEFAULT_MAX_FILE_BYTES) => readFileInRoot(root, path, maxBytes),
    exists: async (path) => (await resolveInRoot(root, path)) !== null,
    async listDir(path) {
      const found = await resolveInRoot(root, path);
      if (found === null || !found.stats.isDirectory()) return null;
      return (await readdir(found.path)).sort();
    },
    async run(command, args, opts) {
      checkCommand(command);
      if (isRoot) return runHere(command, args, opts);
      if (process.getuid?.() !== 0) return null;
      const inRoot = await commandInRoot(command);
      if (inRoot === null) return null;
      const res = await runHere('chroot', [root, inRoot, ...args], opts);
      // 127: chroot could not find the command after all.
      return res === null || res.code === 127 ? null : res;
    },
    runTool(command, args, opts) {
      checkCommand(command);
      return runHere(command, args, opts);
    },
  };
}
