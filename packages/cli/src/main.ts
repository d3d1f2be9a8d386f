/**
 * The patchloop command line: assembles the subcommands and maps errors to
 * exit codes (0 ok, 1 failed or invalid input, 2 usage error).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { agentCommand } from './commands/agent.js';
import { auditCommand } from './commands/audit.js';
import { feedsCommand } from './commands/feeds.js';
import { hostsCommand } from './commands/hosts.js';
import { keysCommand } from './commands/keys.js';
import { policyCommand } from './commands/policy.js';
import { scanCommand } from './commands/scan.js';
import { upCommand } from './commands/up.js';
import { workerCommand } from './commands/worker.js';
import { usersCommand } from './commands/users.js';
import { loadConfig } from './config.js';
import { versionsCommand, type Io } from './commands/versions.js';
import { runProgram } from './run-program.js';

export { EXIT, runProgram } from './run-program.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const version = packageVersion();
  const program = new Command('patchloop')
    .description(
      'Patchloop: self-hosted patch management (inventory, vulnerabilities, policy, deployment, compliance)',
    )
    .version(version, '-V, --version', 'print the Patchloop version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(versionsCommand(io, setExit));
  const config = loadConfig(process.env);
  program.addCommand(upCommand(io, config, version));
  program.addCommand(upCommand(io, config, version, 'server'));
  program.addCommand(workerCommand(io, config));
  program.addCommand(agentCommand(io, setExit));
  program.addCommand(hostsCommand(io, config));
  program.addCommand(feedsCommand(io, config, setExit));
  program.addCommand(scanCommand(io, config, setExit, version));
  program.addCommand(auditCommand(io, config, setExit));
  program.addCommand(policyCommand(io, config, setExit));
  program.addCommand(usersCommand(io, config));
  program.addCommand(keysCommand(io));
  // Subcommands inherit output and exit handling.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

export async function main(
  argv: string[],
  io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  return runProgram((setExit) => buildProgram(io, setExit), argv, io);
}
