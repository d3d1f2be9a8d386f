/**
 * Runs a command for the lab: arguments as an array (never a shell string), output collected, and
 * errors that name the command, its exit and its stderr.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export interface CommandResult {
  /** The exit code, or null when a signal ended the command. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long; default 10 minutes. */
  readonly timeoutMs?: number;
  /** Written to the command's standard input (otherwise it has none). */
  readonly input?: string;
}

/** `cmd args…` as one readable line, for error messages. */
export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** Runs a command to its end and reports how it ended; rejects only when it cannot be started. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end(options.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${commandLine(cmd, args)}: cannot run: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Runs a command that must succeed; the error names the command, its exit and its stderr. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const r = await runCommand(cmd, args, options);
  if (r.code !== 0) {
    const how = r.code === null ? 'was killed' : `exited ${r.code}`;
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-20).join('\n');
    throw new Error(`${commandLine(cmd, args)} ${how}${detail ? `: ${detail}` : ''}`);
  }
  return r;
}

/** Where an executable of this name is on PATH (or in the sbin directories root has), or null. */
export function findCommand(name: string): string | null {
  const path = labHostEnv().PATH ?? '';
  for (const dir of path.split(':')) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** The environment for the host's tools: PATH with the sbin directories (debootstrap, chroot live there). */
export function labHostEnv(): NodeJS.ProcessEnv {
  const path = process.env.PATH ?? '/usr/bin:/bin';
  const dirs = path.split(':');
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(d)) dirs.push(d);
  return { ...process.env, PATH: dirs.join(':'), LC_ALL: 'C' };
}
