/**
 * `patchloop agent`: enroll with the server and check in on an interval, for
 * this machine, a root on it (--root), or a host over SSH (--ssh, agentless).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { parseDuration, PatchloopError } from '@patchloop/core';
import type { Io } from './versions.js';

interface AgentCliOptions {
  server: string;
  enrollSecret?: string;
  hostToken?: string;
  enrollSecretFile?: string;
  tags?: string;
  root: string;
  stateDir?: string;
  hostname?: string;
  interval?: string;
  once?: boolean;
  allowReboot?: boolean;
  ssh?: string;
  sshKey?: string;
  sshKnownHosts?: string;
}

/**
 * The enrollment secret: from --enroll-secret-file, PATCHLOOP_ENROLL_SECRET, or (with a warning:
 * any user sees a process's arguments in ps) --enroll-secret.
 */
function enrollSecretOf(opts: AgentCliOptions, io: Io): string | undefined {
  if (opts.enrollSecretFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.enrollSecretFile, 'utf8');
    } catch (e) {
      throw new PatchloopError(
        'PL_USAGE',
        `cannot read --enroll-secret-file ${opts.enrollSecretFile}: ${(e as Error).message}`,
      );
    }
    const secret = text.trim();
    if (secret === '')
      throw new PatchloopError('PL_USAGE', `--enroll-secret-file ${opts.enrollSecretFile} is empty`);
    return secret;
  }
  if (opts.enrollSecret !== undefined) {
    io.stderr.write(
      'warning: --enroll-secret puts the secret in the process list (ps) for every user to read; use --enroll-secret-file FILE or PATCHLOOP_ENROLL_SECRET\n',
    );
    return opts.enrollSecret;
  }
  return process.env.PATCHLOOP_ENROLL_SECRET || undefined;
}

const SSH_TARGET = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/;

/**
 * The machine an agent manages: its target (what its state directory belongs to), the default
 * state directory (one per machine), and the hostname to report when the machine names none.
 */
export function managedMachine(
  opts: { root?: string; ssh?: string },
  base = 'patchloop-agent',
): {
  target: string;
  stateDir: string;
  hostname: string | undefined;
} {
  const root = resolve(opts.root ?? '/');
  const slug = (s: string) =>
    `${
      s
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^_+|_+$/g, '')
        .slice(0, 48) || 'root'
    }-${createHash('sha256').update(s).digest('hex').slice(0, 8)}`;
  if (opts.ssh) {
    const m = SSH_TARGET.exec(opts.ssh);
    const target = `ssh:${opts.ssh}${m?.[3] ? '' : ':22'}${root === '/' ? '' : root}`;
    return { target, stateDir: join(base, `ssh-${slug(target.slice(4))}`), hostname: m?.[2] };
  }
  if (root === '/') return { target: 'local:/', stateDir: base, hostname: undefined };
  return {
    target: `root:${root}`,
    stateDir: join(base, `root-${slug(root)}`),
    hostname: basename(root),
  };
}

/** How the command is named and where it keeps its state by default (the installed agent differs). */
export interface AgentCommandSetup {
  readonly name: string;
  readonly stateDir: string;
}

const IN_REPOSITORY: AgentCommandSetup = { name: 'agent', stateDir: './patchloop-agent' };

function interval(text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms === 0)
    throw new PatchloopError('PL_USAGE', `--interval must be a duration like 60s, 5m or 1h, got "${text}"`);
  return ms;
}

export function agentCommand(
  io: Io,
  setExit: (code: number) => void,
  setup: AgentCommandSetup = IN_REPOSITORY,
): Command {
  return new Command(setup.name)
    .description('enroll this machine (or a root, or a host over SSH) and check in with the server')
    .addOption(
      new Option('--server <url>', 'the Patchloop server, e.g. http://127.0.0.1:8080')
        .env('PATCHLOOP_SERVER')
        .makeOptionMandatory(),
    )
    .option(
      '--enroll-secret-file <file>',
      'a file holding the enrollment secret (first run; or PATCHLOOP_ENROLL_SECRET)',
    )
    .option('--enroll-secret <secret>', 'the enrollment secret itself: visible to every user in ps; avoid')
    .addOption(
      new Option(
        '--host-token <token>',
        'a one-time enrollment token an admin issued for this host, to enroll it again after its agent lost its credential',
      ).env('PATCHLOOP_HOST_TOKEN'),
    )
    .option('--tags <a,b>', 'tags for this host, applied at enrollment')
    .addOption(
      new Option('--root <dir>', 'filesystem root of the host (a chroot or mounted image)').default('/'),
    )
    .addOption(
      new Option(
        '--state-dir <dir>',
        `where the credential and the last inventory are kept (default: ${setup.stateDir} for this machine, ${setup.stateDir}/<machine> for --root or --ssh: one per managed machine)`,
      ),
    )
    .option(
      '--hostname <name>',
      'the hostname to report when the machine names none (a root without /etc/hostname)',
    )
    .option('--interval <duration>', 'check-in interval like 60s or 5m (default: what the server asks for)')
    .option('--once', 'check in once and exit')
    .option(
      '--allow-reboot',
      'reboot this machine after a job when its policy says so (never for --root or --ssh)',
    )
    .option('--ssh <user@host[:port]>', 'collect from this host over SSH instead (agentless)')
    .option('--ssh-key <file>', 'private key for --ssh')
    .option('--ssh-known-hosts <file>', "known_hosts file for --ssh (default: ssh's own)")
    .action(async (opts: AgentCliOptions) => {
      const { Agent, localRunner, sshRunner } = await import('@patchloop/agent');
      const tags = opts.tags
        ? opts.tags
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== '')
        : [];
      let runner;
      const machine = managedMachine(opts, setup.stateDir);
      if (opts.ssh) {
        const m = SSH_TARGET.exec(opts.ssh);
        if (!m) throw new PatchloopError('PL_USAGE', `--ssh must be user@host[:port], got ${opts.ssh}`);
        if (!opts.sshKey) throw new PatchloopError('PL_USAGE', '--ssh needs --ssh-key');
        runner = sshRunner({
          user: m[1] as string,
          host: m[2] as string,
          port: m[3] ? Number(m[3]) : 22,
          identityFile: opts.sshKey,
          root: opts.root,
          ...(opts.sshKnownHosts ? { knownHostsFile: opts.sshKnownHosts, strictHostKeyChecking: true } : {}),
        });
      } else {
        runner = localRunner({ root: opts.root });
      }
      const agent = new Agent({
        server: opts.server,
        enrollSecret: enrollSecretOf(opts, io),
        hostToken: opts.hostToken,
        tags,
        runner,
        stateDir: opts.stateDir ?? machine.stateDir,
        target: machine.target,
        fallbackHostname: opts.hostname ?? machine.hostname,
        intervalMs: opts.interval ? interval(opts.interval) : undefined,
        transport: opts.ssh ? 'ssh' : 'agent',
        allowReboot: opts.allowReboot === true,
        log: (line) => io.stderr.write(`${new Date().toISOString()} ${line}\n`),
      });
      if (opts.once) {
        let r;
        try {
          r = await agent.checkinOnce();
        } catch (e) {
          if (e instanceof PatchloopError) throw e;
          const code = (e as { code?: unknown }).code;
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          io.stderr.write(
            `error ${typeof code === 'string' ? code : 'PL_AGENT_CHECKIN_FAILED'}: check-in to ${opts.server} failed: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}\n`,
          );
          setExit(1);
          return;
        }
        for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
        io.stdout.write(
          `checked in as host ${r.hostId} (${r.sent}), server holds ${r.acknowledged ?? 'nothing'}\n`,
        );
        setExit(0);
        return;
      }
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await agent.run(abort.signal);
      // Retired: the loop ended for good. Exit 0, so that a service manager does not start it again.
      if (agent.stopped) io.stderr.write(`error ${agent.stopped.code}: ${agent.stopped.message}\n`);
    });
}
