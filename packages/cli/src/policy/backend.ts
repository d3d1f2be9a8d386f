/**
 * Where `patchloop policy` reads and writes policies: the store itself
 * (offline: the embedded store in --data-dir, or PostgreSQL), or a running
 * server's REST API (--server URL --token T). Both answer in the API's shapes.
 */
import { PatchloopError, type Simulation } from '@patchloop/core';
import type { PolicyRecord } from '@patchloop/store';
import type { CliConfig } from '../config.js';
import { apiRequest, serverTarget, type ServerTarget } from '../server-api.js';

/** A policy as `GET /api/v1/policies/:name` shows it. */
export interface PolicyView {
  readonly name: string;
  readonly version: number;
  readonly document: Record<string, unknown>;
  readonly source: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface PolicyVersionView {
  readonly version: number;
  /** null for the version that deleted the policy. */
  readonly document: Record<string, unknown> | null;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface Applied {
  readonly name: string;
  readonly version: number;
  readonly created: boolean;
  readonly changed: boolean;
  /** Such as: the policy governs no host, other policies take precedence. */
  readonly warnings: readonly string[];
}

/** A policy file to apply: its text, and whether it is JSON (else YAML). */
export interface PolicyInput {
  readonly name: string;
  readonly text: string;
  readonly json: boolean;
}

export interface PolicyBackend {
  apply(input: PolicyInput): Promise<Applied>;
  list(): Promise<PolicyView[]>;
  show(name: string): Promise<PolicyView>;
  versions(name: string): Promise<PolicyVersionView[]>;
  simulate(name: string, at: Date | undefined): Promise<Simulation>;
  close(): Promise<void>;
}

export interface BackendOptions {
  readonly dataDir?: string | undefined;
  readonly server?: string | undefined;
  readonly token?: string | undefined;
}

async function offline(config: CliConfig, dataDir: string | undefined, readOnly: boolean) {
  // The store (PGlite's WebAssembly) and the server's services load only when a command runs.
  const store = await import('@patchloop/store');
  const server = await import('@patchloop/server');
  const db = await store.openStore(
    store.resolveDbConfig({}, { dataDir: dataDir ?? config.dataDir, databaseUrl: config.databaseUrl }),
    { readOnly },
  );
  const ctx = server.createContext(db, server.loadServerConfig({}));
  const view = (p: PolicyRecord): PolicyView => ({
    name: p.name,
    version: p.version,
    document: { ...p.document },
    source: p.source,
    updatedBy: p.updatedBy,
    updatedAt: p.updatedAt.toISOString(),
  });
  const notFound = (name: string) => new PatchloopError('PL_NOT_FOUND', `no policy ${name}`);
  const backend: PolicyBackend = {
    apply: async (input) => {
      const existed = (await store.getPolicy(db, input.name)) !== null;
      // JSON is applied as the decoded document, as the API receives it, so
      // the stored source is the same offline and through the server.
      const body = input.json ? (JSON.parse(input.text) as object) : input.text;
      const r = await server.applyPolicy(ctx, { body, name: input.name, actor: 'cli' });
      return {
        name: r.record.name,
        version: r.record.version,
        created: !existed,
        changed: r.changed,
        warnings: r.warnings,
      };
    },
    list: async () => (await store.listPolicies(db)).map(view),
    show: async (name) => {
      const p = await store.getPolicy(db, name);
      if (!p) throw notFound(name);
      return view(p);
    },
    versions: async (name) => {
      const items = await store.listPolicyVersions(db, name);
      if (items.length === 0) throw notFound(name);
      return items.map((v) => ({
        version: v.version,
        document: v.document && { ...v.document },
        createdBy: v.createdBy,
        createdAt: v.createdAt.toISOString(),
      }));
    },
    simulate: (name, at) => server.simulateByName(ctx, name, at ?? ctx.now()),
    close: () => db.close(),
  };
  return backend;
}

function remote(target: ServerTarget): PolicyBackend {
  const path = (name: string) => `/api/v1/policies/${encodeURIComponent(name)}`;
  return {
    async apply(input) {
      const r = await apiRequest<PolicyView & { changed: boolean; warnings?: string[] }>(
        target,
        'PUT',
        path(input.name),
        {
          text: input.text,
          contentType: input.json ? 'application/json' : 'application/yaml',
        },
      );
      return {
        name: r.body.name,
        version: r.body.version,
        created: r.status === 201,
        changed: r.body.changed,
        warnings: r.body.warnings ?? [],
      };
    },
    list: async () =>
      (await apiRequest<{ items: PolicyView[] }>(target, 'GET', '/api/v1/policies')).body.items,
    show: async (name) => (await apiRequest<PolicyView>(target, 'GET', path(name))).body,
    versions: async (name) =>
      (await apiRequest<{ items: PolicyVersionView[] }>(target, 'GET', `${path(name)}/versions`)).body.items,
    // The API answers a page of hosts at a time: every page, at one instant (the first answer's).
    async simulate(name, at) {
      const get = async (when: string | undefined, offset: number) =>
        (
          await apiRequest<Simulation & { total: number }>(
            target,
            'GET',
            `${path(name)}/simulate?limit=1000&offset=${offset}${when ? `&at=${encodeURIComponent(when)}` : ''}`,
          )
        ).body;
      const first = await get(at?.toISOString(), 0);
      const hosts = [...first.hosts];
      while (hosts.length < first.total) {
        const next = await get(first.at, hosts.length);
        if (next.hosts.length === 0) break;
        hosts.push(...next.hosts);
      }
      return { ...first, hosts };
    },
    close: async () => {},
  };
}

/**
 * The backend the options name: --server (with --token or PATCHLOOP_TOKEN)
 * or else the store. `readOnly` opens an existing store without migrating it.
 */
export async function openBackend(
  config: CliConfig,
  opts: BackendOptions,
  env: Readonly<Record<string, string | undefined>>,
  readOnly: boolean,
): Promise<PolicyBackend> {
  const target = serverTarget(opts, env);
  if (target) return remote(target);
  return offline(config, opts.dataDir, readOnly);
}
