/**
 * `patchloop policy apply|list|show|simulate`: policies as code, against the
 * store (offline: --data-dir or PATCHLOOP_DATABASE_URL) or a running server
 * (--server URL --token T, or PATCHLOOP_TOKEN).
 */
import { Command, Option } from 'commander';
import { isPatchloopError, PatchloopError, type Simulation } from '@patchloop/core';
import type { CliConfig } from '../config.js';
import {
  openBackend,
  type BackendOptions,
  type PolicyBackend,
  type PolicyVersionView,
  type PolicyView,
} from '../policy/backend.js';
import { expandPolicyFiles, formatProblems, readPolicyFile } from '../policy/files.js';
import { addTargetOptions, SERVER_UNREACHABLE, type TargetOptions } from '../server-api.js';
import type { Io } from './versions.js';

/** Failures that no other file would escape: stop applying and report once. */
const FATAL = new Set<string>([
  'PL_AUTH_REQUIRED',
  'PL_AUTH_FORBIDDEN',
  'PL_DB_CONFIG_INVALID',
  'PL_DB_MIGRATION_FAILED',
  SERVER_UNREACHABLE,
]);

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-](\d{2}):(\d{2})))?$/;

/**
 * An ISO 8601 instant: a date and time with Z or an offset (RFC 3339, as the
 * API takes it; seconds optional), or a date alone (UTC midnight).
 */
export function parseInstant(text: string): Date {
  const bad = () =>
    new PatchloopError(
      'PL_USAGE',
      `--at must be an ISO 8601 time with a time zone (2026-06-06T02:30:00+02:00, …Z) or a date, got "${text}"`,
    );
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim())) {
      throw new PatchloopError(
        'PL_USAGE',
        `--at needs a time zone: add Z or an offset such as +02:00 to "${text}"`,
      );
    }
    throw bad();
  }
  const [, y, mo, d, h, mi, s, , oh, om] = m.map((v) => (v === undefined ? undefined : Number(v)));
  const daysInMonth = new Date(Date.UTC(y as number, mo as number, 0)).getUTCDate();
  if (
    (mo as number) < 1 ||
    (mo as number) > 12 ||
    (d as number) < 1 ||
    (d as number) > daysInMonth ||
    (h ?? 0) > 23 ||
    (mi ?? 0) > 59 ||
    (s ?? 0) > 59 ||
    (oh ?? 0) > 23 ||
    (om ?? 0) > 59
  ) {
    throw bad();
  }
  const at = new Date(h === undefined ? `${text.trim()}T00:00:00Z` : text.trim().toUpperCase());
  if (Number.isNaN(at.getTime())) throw bad();
  return at;
}

const targetOptions = addTargetOptions;

const backendOptions = (o: TargetOptions): BackendOptions => ({
  dataDir: o.dataDir,
  server: o.server,
  token: o.token,
});

async function withBackend<T>(
  config: CliConfig,
  opts: TargetOptions,
  readOnly: boolean,
  fn: (b: PolicyBackend) => Promise<T>,
): Promise<T> {
  const backend = await openBackend(config, backendOptions(opts), process.env, readOnly);
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [head, ...rows]
    .map(
      (cols) =>
        cols
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function descriptionOf(p: PolicyView): string {
  const d = p.document.description;
  return typeof d === 'string' ? d : '';
}

export function formatPolicyList(items: readonly PolicyView[]): string {
  if (items.length === 0) return 'no policies\n';
  return table(
    ['NAME', 'VERSION', 'UPDATED', 'BY', 'DESCRIPTION'],
    items.map((p) => [p.name, String(p.version), p.updatedAt, p.updatedBy, descriptionOf(p)]),
  );
}

export function formatVersions(name: string, items: readonly PolicyVersionView[]): string {
  return (
    `policy ${name}: ${items.length} version${items.length === 1 ? '' : 's'}\n` +
    table(
      ['VERSION', 'CREATED', 'BY', 'CHANGE'],
      items.map((v, i) => [
        String(v.version),
        v.createdAt,
        v.createdBy,
        v.document === null
          ? 'deleted'
          : (items[i + 1] ?? null) === null
            ? 'created'
            : items[i + 1]?.document === null
              ? 'created again'
              : 'updated',
      ]),
    )
  );
}

function windowLine(w: Simulation['window']): string {
  const next = w.next === null ? 'no next opening' : `next opening ${w.next}`;
  if (w.open) {
    if (w.start === null) return `window: open (no maintenance window)${w.next ? `; ${next}` : ''}`;
    return `window: open from ${w.start} to ${w.end ?? '?'}; ${next}`;
  }
  return `window: closed; ${next}`;
}

/** A readable summary: the window, then one block per host with its updates and held fixes. */
export function formatSimulation(s: Simulation): string {
  const lines = [
    `policy ${s.policy} at ${s.at}: ${s.hosts.length} host${s.hosts.length === 1 ? '' : 's'}`,
    windowLine(s.window),
  ];
  if (s.hosts.length === 0) lines.push('', 'no host is governed by this policy');
  // Hosts sharing a hostname (cloned VMs, localhost) are told apart by their id.
  const count = new Map<string, number>();
  for (const h of s.hosts) count.set(h.hostname, (count.get(h.hostname) ?? 0) + 1);
  const name = (h: Simulation['hosts'][number]) =>
    (count.get(h.hostname) ?? 0) > 1 ? `${h.hostname} (host ${h.hostId})` : h.hostname;
  const hw = Math.max(0, ...s.hosts.map((h) => name(h).length));
  const rw = Math.max(0, ...s.hosts.map((h) => h.ring.length));
  for (const h of s.hosts) {
    lines.push('', `${name(h).padEnd(hw)}  ${h.ring.padEnd(rw)}  ${h.action}`);
    if (h.notDeployable) lines.push(`  not deployable: ${h.notDeployable}`);
    if (h.updates.length > 0) {
      lines.push(
        `  updates (${h.updates.length})${h.notDeployable ? ', needed but never deployed here' : ''}:`,
      );
    }
    for (const u of h.updates) {
      const adv = u.advisories.length > 0 ? ` (${u.advisories.join(', ')})` : '';
      lines.push(`    ${u.package} → ${u.toVersion}${adv}`);
    }
    if (h.held.length > 0) lines.push(`  held (${h.held.length}):`);
    for (const x of h.held) {
      const detail = x.detail !== '' ? ` (${x.detail})` : '';
      lines.push(`    ${x.package}${x.advisory === null ? '' : ` ${x.advisory}`}: ${x.reason}${detail}`);
    }
  }
  const lost = s.lost ?? [];
  if (lost.length > 0) {
    lines.push(
      '',
      `lost to other policies (${lost.length}): selected by ${s.policy}, governed by a policy that takes precedence`,
    );
    const rows = lost.map((l) => [l.hostname, l.to, `${l.toLevel} over ${l.level}`]);
    lines.push(
      ...table(['HOST', 'GOVERNED BY', 'PRECEDENCE'], rows)
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines.join('\n') + '\n';
}

export function policyCommand(io: Io, config: CliConfig, setExit: (code: number) => void): Command {
  const policy = new Command('policy').description(
    'policies as code: apply YAML or JSON documents, list them, show their versions, simulate them',
  );

  targetOptions(
    policy
      .command('apply')
      .description(
        'validate and apply policy files (a new version when the document changed; every change audited); exit 1 if any failed',
      )
      .addOption(
        new Option(
          '-f, --file <path>',
          'a .yaml, .yml or .json policy file, or a directory of them (repeatable)',
        )
          .argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v])
          .makeOptionMandatory(),
      ),
  ).action(async (opts: TargetOptions & { file: string[] }) => {
    const files = expandPolicyFiles(opts.file);
    let failed = false;
    await withBackend(config, opts, false, async (backend) => {
      for (const file of files) {
        try {
          const input = readPolicyFile(file);
          const r = await backend.apply(input);
          const what = r.created
            ? `created version ${r.version}`
            : r.changed
              ? `updated to version ${r.version}`
              : `unchanged (version ${r.version})`;
          io.stdout.write(`policy ${r.name}: ${what}\n`);
          for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
        } catch (e) {
          if (!isPatchloopError(e) || FATAL.has(e.code)) throw e;
          failed = true;
          if (e.code === 'PL_POLICY_INVALID') io.stderr.write(formatProblems(file, e));
          const message = (e.message.split('\n')[0] ?? '').replace(/:$/, '');
          io.stderr.write(`error ${e.code}: ${file}: ${message}\n`);
        }
      }
    });
    setExit(failed ? 1 : 0);
  });

  targetOptions(
    policy
      .command('list')
      .description('the policies and their current versions')
      .addOption(
        new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
      ),
  ).action(async (opts: TargetOptions & { format: string }) => {
    const items = await withBackend(config, opts, true, (b) => b.list());
    io.stdout.write(opts.format === 'json' ? json({ items }) : formatPolicyList(items));
  });

  targetOptions(
    policy
      .command('show')
      .description('a policy as applied (its source), or with --versions every version of it')
      .argument('<name>', 'the policy name')
      .option('--versions', 'list every version (newest first), deletions included')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (name: string, opts: TargetOptions & { versions?: boolean; format: string }) => {
    if (opts.versions) {
      const items = await withBackend(config, opts, true, (b) => b.versions(name));
      io.stdout.write(opts.format === 'json' ? json({ items }) : formatVersions(name, items));
      return;
    }
    const p = await withBackend(config, opts, true, (b) => b.show(name));
    if (opts.format === 'json') {
      io.stdout.write(json(p));
      return;
    }
    const source = p.source.endsWith('\n') ? p.source : `${p.source}\n`;
    io.stdout.write(
      `policy ${p.name}: version ${p.version}, updated ${p.updatedAt} by ${p.updatedBy}\n\n${source}`,
    );
  });

  targetOptions(
    policy
      .command('simulate')
      .description('what the policy would do at an instant, host by host (deterministic)')
      .argument('<name>', 'the policy name')
      .option('--at <time>', 'ISO 8601 time with a zone, e.g. 2026-06-06T02:30:00+02:00 (default: now)')
      .addOption(
        new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
      ),
  ).action(async (name: string, opts: TargetOptions & { at?: string; format: string }) => {
    const at = opts.at === undefined ? undefined : parseInstant(opts.at);
    const sim = await withBackend(config, opts, true, (b) => b.simulate(name, at));
    io.stdout.write(opts.format === 'json' ? json(sim) : formatSimulation(sim));
  });

  return policy;
}
