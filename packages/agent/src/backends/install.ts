/**
 * Runs a backend's refresh and install through a HostRunner: argument
 * vectors only, one time limit for both, failures classified into stable
 * codes. A refresh that fails is logged and the install tried anyway
 * (the lists already on the host may hold the version); the install's own
 * error then tells.
 */
import { isPatchloopError } from '@patchloop/core';
import type { CommandResult, HostRunner } from '../runner/runner.js';
import type { Backend, BackendCommand, InstallOptions, InstallResult, PackageTarget } from './types.js';

/** Output kept per stream in the log: the end, where the errors are. */
const LOG_STREAM_CHARS = 64 * 1024;

function keepEnd(text: string): string {
  return text.length <= LOG_STREAM_CHARS
    ? text
    : `[… ${text.length - LOG_STREAM_CHARS} characters cut …]\n${text.slice(-LOG_STREAM_CHARS)}`;
}

export function formatCommand(c: BackendCommand): string {
  const env = Object.entries(c.env).map(([k, v]) => `${k}=${v} `);
  return `$ ${env.join('')}${[c.command, ...c.args].join(' ')}`;
}

/** One command's block in a task's log. */
export function logBlock(title: string, res: CommandResult | null, note?: string): string {
  const lines = [title];
  if (res !== null) {
    if (res.stdout !== '') lines.push(keepEnd(res.stdout.replace(/\n$/, '')));
    if (res.stderr !== '') lines.push(keepEnd(res.stderr.replace(/\n$/, '')));
    lines.push(`[exit ${res.code}]`);
  }
  if (note !== undefined) lines.push(note);
  return `${lines.join('\n')}\n`;
}

/** Whether an error is the runner's "killed after the time limit". */
export function isTimeout(e: unknown): boolean {
  return (
    isPatchloopError(e) &&
    e.code === 'PL_AGENT_COMMAND_FAILED' &&
    /^timed out/.test(String((e.details as { reason?: unknown }).reason ?? ''))
  );
}

export async function installWith(
  backend: Backend,
  runner: HostRunner,
  packages: readonly PackageTarget[],
  opts: InstallOptions,
  now: () => number = Date.now,
): Promise<InstallResult> {
  const install = backend.installCommand(packages, opts);
  const end = now() + opts.timeoutMs;
  let log = '';
  const run = async (c: BackendCommand) =>
    runner.run(c.command, c.args, { timeoutMs: Math.max(1000, end - now()), env: { ...c.env } });
  if (opts.refresh !== false) {
    const refresh = backend.refreshCommand();
    try {
      const res = await run(refresh);
      const note =
        res === null
          ? `${refresh.command} is not available on ${runner.description}`
          : res.code === 0
            ? undefined
            : 'refreshing the package lists failed: installing from the lists already on the host';
      log += logBlock(formatCommand(refresh), res, note);
      if (res === null) {
        return {
          error: {
            code: 'PL_JOB_INSTALL_FAILED',
            message: `${refresh.command} is not available on ${runner.description}`,
          },
          log,
        };
      }
    } catch (e) {
      if (!isTimeout(e)) throw e;
      log += logBlock(formatCommand(refresh), null, `killed after ${Math.round(opts.timeoutMs / 1000)} s`);
      return {
        error: {
          code: 'PL_JOB_TIMEOUT',
          message: `refreshing the package lists took longer than the job's ${Math.round(opts.timeoutMs / 1000)} s`,
        },
        log,
      };
    }
  }
  let res: CommandResult | null;
  try {
    res = await run(install);
  } catch (e) {
    if (!isTimeout(e)) throw e;
    log += logBlock(formatCommand(install), null, `killed after ${Math.round(opts.timeoutMs / 1000)} s`);
    return {
      error: {
        code: 'PL_JOB_TIMEOUT',
        message: `${install.command} did not finish within the job's ${Math.round(opts.timeoutMs / 1000)} s and was killed`,
      },
      log,
    };
  }
  log += logBlock(formatCommand(install), res);
  if (res === null) {
    return {
      error: {
        code: 'PL_JOB_INSTALL_FAILED',
        message: `${install.command} is not available on ${runner.description}`,
      },
      log,
    };
  }
  if (res.code === 0) return { error: null, log };
  return { error: backend.classifyFailure(res.code, res.stdout, res.stderr, packages), log };
}
