/**
 * `patchloop-agent`: the agent alone, the entry point of the self-contained
 * agent that machines other than the server install (packaging/build-agent.js
 * bundles this file into one JavaScript file shipped with a Node runtime).
 * It is `patchloop agent` with the installed layout's defaults: the state in
 * /var/lib/patchloop-agent and the server from PATCHLOOP_SERVER, which the
 * systemd unit reads from /etc/patchloop-agent.env.
 */
import { AGENT_VERSION } from '@patchloop/agent';
import { agentCommand } from './commands/agent.js';
import type { Io } from './commands/versions.js';
import { runProgram } from './run-program.js';

export const INSTALLED_STATE_DIR = '/var/lib/patchloop-agent';

export function agentMain(
  argv: string[],
  io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  return runProgram(
    (setExit) =>
      agentCommand(io, setExit, { name: 'patchloop-agent', stateDir: INSTALLED_STATE_DIR })
        .version(AGENT_VERSION, '-V, --version', 'print the agent version')
        .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
        .exitOverride()
        .showHelpAfterError('(run with --help for usage)'),
    argv,
    io,
  );
}
