/**
 * Test support: a HostRunner for a pretend dpkg host. Its dpkg status is
 * made from a map of installed versions; `apt-get install` installs what its
 * "repositories" hold (or prints apt's real "not found" error); `sh -c`
 * answers per phase; every command is recorded.
 */
import { PatchloopError } from '@patchloop/core';
import type { CommandResult, HostRunner, RunOptions } from '../../runner/runner.js';

export interface RecordedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export class FakeHost implements HostRunner {
  readonly description: string;
  readonly commands: RecordedCommand[] = [];
  readonly files = new Map<string, string>();
  /** Exit status and output of `sh -c` per PATCHLOOP_PHASE ('pre-check', 'post-check'). */
  readonly scripts = new Map<string, CommandResult>();
  /** Runs instead of the normal install (to fail, hang, or install something else). */
  onInstall: ((specs: string[]) => Promise<CommandResult> | CommandResult) | null = null;

  constructor(
    readonly installed: Map<string, string>,
    readonly available: Map<string, readonly string[]>,
    readonly root = '/srv/roots/fake',
    readonly kind: 'local' | 'ssh' = 'local',
  ) {
    this.description = `fake ${kind} ${root}`;
  }

  /** The commands run, as "cmd arg arg" lines. */
  get lines(): string[] {
    return this.commands.map((c) => [c.command, ...c.args].join(' '));
  }

  private status(): string {
    return [...this.installed]
      .map(([name, version]) =>
        [
          `Package: ${name}`,
          'Status: install ok installed',
          'Architecture: amd64',
          `Version: ${version}`,
          '',
        ].join('\n'),
      )
      .join('\n');
  }

  async readFile(path: string): Promise<Buffer | null> {
    if (path === '/var/lib/dpkg/status') return Buffer.from(this.status());
    const f = this.files.get(path);
    return f === undefined ? null : Buffer.from(f);
  }

  async exists(path: string): Promise<boolean> {
    return path === '/var/lib/dpkg/status' || this.files.has(path);
  }

  async listDir(): Promise<string[] | null> {
    return null;
  }

  async run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult | null> {
    this.commands.push({ command, args: [...args], env: { ...(opts.env ?? {}) } });
    const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
    if (command === 'apt-get' && args.includes('update')) return ok();
    if (command === 'apt-get' && args.includes('install')) {
      const specs = args.slice(args.indexOf('--') + 1);
      if (this.onInstall) return this.onInstall(specs);
      for (const spec of specs) {
        const [name = '', version = ''] = spec.split('=');
        if (!(this.available.get(name) ?? []).includes(version)) {
          return {
            code: 100,
            stdout: 'Reading package lists...\nBuilding dependency tree...\n',
            stderr: `E: Version '${version}' for '${name}' was not found\n`,
          };
        }
      }
      for (const spec of specs) {
        const [name = '', version = ''] = spec.split('=');
        this.installed.set(name, version);
      }
      return ok(specs.map((s) => `Setting up ${s.replace('=', ' (')}) ...`).join('\n'));
    }
    if (command === 'sh') return this.scripts.get(opts.env?.PATCHLOOP_PHASE ?? '') ?? ok();
    if (command === 'shutdown') return ok();
    if (command === 'uname') return null;
    return null;
  }

  async runTool(): Promise<CommandResult | null> {
    return null;
  }
}

/** What the runner throws when a command outlives its time limit. */
export function timeoutError(ms: number): PatchloopError {
  return new PatchloopError('PL_AGENT_COMMAND_FAILED', `apt-get: timed out after ${ms} ms`, {
    command: 'apt-get',
    reason: `timed out after ${ms} ms`,
  });
}
