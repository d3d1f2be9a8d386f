/**
 * `patchloop keys`: the Ed25519 key the server signs agents' jobs with.
 * `generate --out FILE` makes a key file (mode 0600; on PostgreSQL give every
 * replica the same one as PATCHLOOP_JOB_SIGNING_KEY_FILE); `status` and
 * `rotate` talk to a running server (admin token; a rotation is audited).
 */
import { Command, Option } from 'commander';
import type { JobSigningRotateResponse, JobSigningStatus } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import { apiRequest, serverTarget, type ServerTarget } from '../server-api.js';
import type { Io } from './versions.js';

function target(opts: { server?: string; token?: string }): ServerTarget {
  const t = serverTarget(opts, process.env);
  if (t === null) throw new PatchloopError('PL_USAGE', 'give --server URL (and --token or PATCHLOOP_TOKEN)');
  return t;
}

const serverOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('--server <url>', 'the Patchloop server').makeOptionMandatory())
    .addOption(new Option('--token <token>', 'an admin API token (default: PATCHLOOP_TOKEN)'));

export function keysCommand(io: Io): Command {
  const keys = new Command('keys').description(
    'the key the server signs jobs with (agents refuse unsigned jobs)',
  );
  const w = (s: string) => io.stdout.write(`${s}\n`);

  keys
    .command('generate')
    .description('create a job signing key file (Ed25519, PEM, mode 0600); never overwrites one')
    .requiredOption('--out <file>', 'where to write the key')
    .action(async (opts: { out: string }) => {
      const { generateKeyFile } = await import('@patchloop/server');
      const k = generateKeyFile(opts.out);
      w(`wrote ${opts.out} (key id ${k.keyId})`);
      w(`  public key: ${k.publicKey}`);
      w(
        '  give every server replica this file: PATCHLOOP_JOB_SIGNING_KEY_FILE (or _NEXT_KEY_FILE to rotate to it)',
      );
    });

  serverOptions(
    keys
      .command('status')
      .description('the key jobs are signed with, the next key held, the rotations so far'),
  ).action(async (opts: { server?: string; token?: string }) => {
    const r = await apiRequest<JobSigningStatus>(target(opts), 'GET', '/api/v1/job-signing');
    w(`signing key: ${r.body.signingKey.keyId}`);
    w(`next key:    ${r.body.nextKey?.keyId ?? '(none)'}`);
    for (const s of r.body.rotations) w(`rotated ${s.fromKeyId} → ${s.toKeyId} at ${s.issuedAt}`);
  });

  serverOptions(
    keys
      .command('rotate')
      .description(
        'hand job signing over to the next key: the current key signs a statement agents follow at check-in',
      ),
  ).action(async (opts: { server?: string; token?: string }) => {
    const r = await apiRequest<JobSigningRotateResponse>(target(opts), 'POST', '/api/v1/job-signing/rotate');
    w(`rotated ${r.body.statement.fromKeyId} → ${r.body.statement.toKeyId}`);
    w(`  jobs handed out and signed again with the new key: ${r.body.resigned}`);
  });
  return keys;
}
