/**
 * Runs one process from an argument array (never through a shell), with a
 * time limit and a cap on its output, and collects stdout and stderr.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { PatchloopError } from '@patchloop/core';
import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS } from './runner.js';

export interface Captured {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface CaptureOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** The whole environment of the child. */
  env: NodeJS.ProcessEnv;
  /** Label for messages ("ssh root@host: cat"); defaults to the file name. */
  label?: string;
}

/** The environment commands run with: ours, with the C locale so that output is parseable. */
export function commandEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  for (const name of Object.keys(extra)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new PatchloopError(
        'PL_AGENT_RUNNER_INVALID',
        `invalid environment variable name ${JSON.stringify(name)}`,
      );
    }
  }
  return { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: '', ...extra };
}

/**
 * Runs `file` with `args`. Null when `file` does not exist (ENOENT). A process
 * killed by a signal reports 128 + the signal number, as a shell would. Throws
 * PL_AGENT_COMMAND_FAILED when it runs too long, writes too much, or cannot be
 * started for another reason.
 */
export function spawnCapture(
  file: string,
  args: readonly string[],
  opts: CaptureOptions,
): Promise<Captured | null> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const label = opts.label ?? file;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, [...args], { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: PatchloopError | null = null;
    const fail = (reason: string): void => {
      if (failure !== null) return;
      failure = new PatchloopError('PL_AGENT_COMMAND_FAILED', `${label}: ${reason}`, {
        command: label,
        reason,
      });
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) fail(`output over the limit of ${maxBytes} bytes`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes > maxBytes) fail(`error output over the limit of ${maxBytes} bytes`);
      else err.push(chunk);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') resolvePromise(null);
      else
        reject(
          new PatchloopError('PL_AGENT_COMMAND_FAILED', `${label}: cannot start: ${e.code ?? e.message}`),
        );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure !== null) {
        reject(failure);
        return;
      }
      const signo = signal === null ? 0 : (constants.signals[signal] ?? 0);
      resolvePromise({ code: code ?? 128 + signo, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}
