/**
 * `patchloop audit verify`: checks the hash-chained audit log in the store
 * (the embedded one in --data-dir, or PostgreSQL) and prints the head hash,
 * which operators record outside the database and pass back as
 * --expect-head: only such an anchor catches a rewrite of the whole chain.
 */
import { Command, Option } from 'commander';
import { PatchloopError } from '@patchloop/core';
import type { AuditVerification } from '@patchloop/store';
import type { CliConfig } from '../config.js';
import type { Io } from './versions.js';

const HASH = /^[0-9a-f]{64}$/;

function formatText(v: AuditVerification): string {
  const head = v.head ? `head ${v.head.hash}` : 'no head';
  if (v.ok) return `audit log: ${v.events} events, chain intact, ${head}\n`;
  const lines = v.problems.map((p) => `seq ${p.seq}: ${p.code}: ${p.message}\n`);
  if (v.problemsOmitted > 0) lines.push(`… and ${v.problemsOmitted} more problems\n`);
  const count = v.problems.length + v.problemsOmitted;
  lines.push(
    `audit log: ${v.events} events, TAMPERED (${count} problem${count === 1 ? '' : 's'}), ${head}\n`,
  );
  return lines.join('');
}

export function auditCommand(io: Io, config: CliConfig, setExit: (code: number) => void): Command {
  const audit = new Command('audit').description('the hash-chained audit log of every state change');

  audit
    .command('verify')
    .description('check the audit log hash chain; exit 0 intact, 1 tampered')
    .addOption(
      new Option(
        '--data-dir <dir>',
        'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)',
      ),
    )
    .addOption(
      new Option(
        '--expect-head <hash>',
        'a head hash recorded earlier, outside the database: the chain must still contain it',
      ),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { dataDir?: string; expectHead?: string; format: string }) => {
      const expectHead = opts.expectHead?.trim().toLowerCase();
      if (expectHead !== undefined && !HASH.test(expectHead)) {
        throw new PatchloopError('PL_USAGE', '--expect-head must be a SHA-256 hash (64 hex digits)');
      }
      // The store (PGlite's WebAssembly) loads only when the command runs.
      const { openStore, resolveDbConfig, verifyAudit } = await import('@patchloop/store');
      const where = resolveDbConfig(
        {},
        { dataDir: opts.dataDir ?? config.dataDir, databaseUrl: config.databaseUrl },
      );
      // Read-only: never creates or migrates a store.
      const db = await openStore(where, { readOnly: true });
      let result: AuditVerification;
      try {
        result = await verifyAudit(db, expectHead === undefined ? {} : { expectHead });
      } finally {
        await db.close();
      }
      io.stdout.write(opts.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatText(result));
      setExit(result.ok ? 0 : 1);
    });

  return audit;
}
