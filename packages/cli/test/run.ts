import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../bin/patchloop.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real patchloop binary in a child process. */
export function patchloop(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
