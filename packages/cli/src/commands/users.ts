/**
 * `patchloop users list|reset-password`: the console's users, on the store
 * itself (the embedded one in --data-dir, or PostgreSQL), with no server:
 * the way back in when every admin password is lost. A reset is audited with
 * the actor `cli` and ends the user's sessions.
 */
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { PatchloopError } from '@patchloop/core';
import type { Db } from '@patchloop/store';
import type { CliConfig } from '../config.js';
import type { Io } from './versions.js';

interface StoreOptions {
  dataDir?: string;
}

const dataDirOption = () =>
  new Option(
    '--data-dir <dir>',
    'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)',
  );

async function withStore<T>(config: CliConfig, opts: StoreOptions, fn: (db: Db) => Promise<T>): Promise<T> {
  const store = await import('@patchloop/store');
  const db = await store.openStore(
    store.resolveDbConfig(process.env, {
      dataDir: opts.dataDir ?? config.dataDir,
      databaseUrl: config.databaseUrl,
    }),
  );
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** The first line of stdin (a password piped in), without its line ending. */
async function firstLine(io: Io): Promise<string> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
  try {
    for await (const line of rl) return line;
  } finally {
    rl.close();
  }
  throw new PatchloopError('PL_USAGE', '--password-stdin: nothing on stdin');
}

export function usersCommand(io: Io, config: CliConfig): Command {
  const users = new Command('users').description("the console's users, on the store (no server needed)");

  users
    .command('list')
    .description('users, their roles and whether they are disabled')
    .addOption(dataDirOption())
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: StoreOptions & { format: string }) => {
      const { listUsers } = await import('@patchloop/store');
      const list = await withStore(config, opts, (db) => listUsers(db));
      const items = list.map((u) => ({
        username: u.username,
        role: u.role,
        createdAt: u.createdAt.toISOString(),
        disabledAt: u.disabledAt?.toISOString() ?? null,
      }));
      if (opts.format === 'json') {
        io.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
        return;
      }
      const rows = [
        ['USER', 'ROLE', 'CREATED', 'STATUS'],
        ...items.map((u) => [
          u.username,
          u.role,
          u.createdAt,
          u.disabledAt ? `disabled ${u.disabledAt}` : 'enabled',
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        io.stdout.write(
          `${r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()}\n`,
        );
    });

  users
    .command('reset-password')
    .description(
      "set a user's password (a generated one, printed once, or one read from stdin); the user's sessions end; audited as cli",
    )
    .argument('<user>', 'the user name')
    .option(
      '--password-stdin',
      'read the new password from the first line of stdin instead of generating one',
    )
    .addOption(dataDirOption())
    .action(async (username: string, opts: StoreOptions & { passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await firstLine(io) : undefined;
      const server = await import('@patchloop/server');
      const r = await withStore(config, opts, (db) => {
        const ctx = server.createContext(db, server.loadServerConfig({}));
        return server.resetPassword(ctx, {
          username,
          password,
          actor: 'cli',
          via: 'patchloop users reset-password',
        });
      });
      const note = r.user.disabledAt
        ? ' (the user is disabled: an admin must enable it before it can sign in)'
        : '';
      if (r.generated !== null) {
        io.stdout.write(`password of ${r.user.username}: ${r.generated}\n`);
        io.stderr.write(`shown once; the user's sessions were ended${note}\n`);
      } else {
        io.stdout.write(`password of ${r.user.username} set; the user's sessions were ended${note}\n`);
      }
    });

  return users;
}
