/**
 * How the agent reaches a host: the files under its root and the commands it
 * can run. The collectors only ever talk to a host through this interface, so
 * the same code reads the machine the agent runs on, a mounted image or chroot
 * (`localRunner({ root })`), or a host reached over SSH (`sshRunner`).
 */

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Killed after this long; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Refused (and killed) when stdout or stderr grows beyond this; default {@link DEFAULT_MAX_OUTPUT_BYTES}. */
  maxBytes?: number;
  /** Added to the environment (which always has LC_ALL=C). */
  env?: Record<string, string>;
}

export interface HostRunner {
  /** For messages: "local /", "local root /srv/h1", "ssh root@127.0.0.1:2222". */
  readonly description: string;
  /** 'local': this machine (maybe a root under it); 'ssh': a remote host. */
  readonly kind: 'local' | 'ssh';
  /** The filesystem root that files are read under ('/' normally). */
  readonly root: string;
  /** A regular file at an absolute path inside the root; null when it does not exist. */
  readFile(path: string, maxBytes?: number): Promise<Buffer | null>;
  /** Whether anything exists at an absolute path inside the root. */
  exists(path: string): Promise<boolean>;
  /** The entry names of a directory inside the root, sorted; null when it is not there. */
  listDir(path: string): Promise<string[] | null>;
  /**
   * Runs a command on the host, "inside" the root: locally under a root other
   * than '/', in a chroot. Null when the command is not available there.
   */
  run(command: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult | null>;
  /**
   * Runs a command of the machine that holds the root, outside the root, for
   * tools given the root as an argument (`rpm --root ROOT --dbpath …`). Same as
   * `run` when the root is '/'. Null when the command is not available.
   */
  runTool(command: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult | null>;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** The largest file read by default: 512 MiB (a big rpm or dpkg database is ~100 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;

/** Whether commands run by `runner` see the running system whose files are read (not an image). */
export function runsOnLiveHost(runner: HostRunner): boolean {
  return runner.root === '/' || runner.kind === 'ssh';
}
