/**
 * Test support: a real server (store on PGlite or PostgreSQL, migrations,
 * bootstrap, routes) driven through inject(), with fixed credentials per
 * role and a job worker the test drains by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEED_SOURCES, type FeedSource } from '@patchloop/core';
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, openStore, type Db } from '@patchloop/store';
import { fixturePath } from '@patchloop/test-support';
import { ENROLL_SECRET } from '@patchloop/test-support/agent-protocol';
import { createDatabase } from '@patchloop/test-support/pg';
import type { LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { build, type BuildOptions } from '../src/app.js';
import { bootstrap } from '../src/auth/bootstrap.js';
import { loadServerConfig, type ServerConfig } from '../src/config.js';
import { createContext, type ServerContext } from '../src/context.js';
import { startWorker, type Worker } from '../src/jobs/worker.js';
import type { App } from '../src/api.js';
import { generateKeyFile } from '../src/signing/keys.js';

export { fixturePath, readFixture, repoRoot } from '@patchloop/test-support';
export { ENROLL_SECRET };

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Harness {
  readonly app: App;
  readonly ctx: ServerContext;
  readonly db: Db;
  readonly worker: Worker;
  /** Bearer tokens per role. */
  readonly tokens: { admin: string; operator: string; auditor: string };
  auth(role: 'admin' | 'operator' | 'auditor'): { authorization: string };
  /** PUT /api/v1/policies/<name> with a YAML document, as an operator unless `role` says otherwise. */
  putPolicy(
    name: string,
    yaml: string,
    role?: 'admin' | 'operator' | 'auditor',
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export type BackendName = 'pglite' | 'postgres';
export const BACKEND_NAMES: BackendName[] = ['pglite', 'postgres'];
let counter = 0;

export async function startHarness(
  backend: BackendName,
  opts: { config?: Partial<ServerConfig>; now?: () => Date; onRoute?: BuildOptions['onRoute'] } = {},
): Promise<Harness> {
  let db: Db;
  let cleanup = async () => {};
  let databaseUrl: string | null = null;
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'pl-server-'));
    db = await openStore({ dataDir: dir });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const url = await createDatabase(inject('pgUrl'), `s_${process.pid}_${Date.now()}_${counter++}`);
    db = await openStore({ databaseUrl: url });
    databaseUrl = url;
  }
  // The job signing key, outside the database as on a real server.
  const keyDir = mkdtempSync(join(tmpdir(), 'pl-keys-'));
  generateKeyFile(join(keyDir, 'job-signing.key'));
  const config = loadServerConfig(
    {
      PATCHLOOP_JOB_SIGNING_KEY_FILE: join(keyDir, 'job-signing.key'),
      PATCHLOOP_ADMIN_TOKEN: ADMIN_TOKEN,
      PATCHLOOP_ENROLL_SECRET: ENROLL_SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    },
    opts.config,
  );
  // On PostgreSQL a feed sync's child process connects to the same database.
  const ctx = createContext(db, config, { now: opts.now, databaseUrl });
  await bootstrap(ctx);
  const app = await build(ctx, {
    logger: process.env.PATCHLOOP_TEST_LOG ? { level: 'error' } : false,
    ...(opts.onRoute ? { onRoute: opts.onRoute } : {}),
  });
  const worker = startWorker(ctx, { autoStart: false });
  const tokens = { admin: ADMIN_TOKEN, operator: '', auditor: '' };
  for (const role of ['operator', 'auditor'] as const) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { name: `test-${role}`, role },
    });
    if (r.statusCode !== 201) throw new Error(`token for ${role}: ${r.statusCode} ${r.body}`);
    tokens[role] = (r.json() as { token: string }).token;
  }
  return {
    app,
    ctx,
    db,
    worker,
    tokens,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    putPolicy: (name, yaml, role = 'operator') =>
      app.inject({
        method: 'PUT',
        url: `/api/v1/policies/${name}`,
        headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/yaml' },
        payload: yaml,
      }),
    async close() {
      await worker.stop();
      await app.close();
      await db.close();
      await cleanup();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** Imports fixture feeds into the harness's store, as `patchloop feeds import` would. */
export async function importFixtureFeeds(db: Db, feeds: readonly [FeedSource, string][]): Promise<void> {
  for (const [source, path] of feeds) {
    if (!FEED_SOURCES.includes(source)) throw new Error(`unknown source ${source}`);
    const s = await importFeed(source, fixturePath(path), createFeedStore(db));
    if (s.exitCode === 1) throw new Error(`import ${source} ${path} failed`);
  }
}

/** An exception requested by the operator and approved by the admin through the API; its id. */
export async function approvedException(h: Harness, payload: Record<string, unknown>): Promise<number> {
  const requested = await h.app.inject({
    method: 'POST',
    url: '/api/v1/exceptions',
    headers: h.auth('operator'),
    payload,
  });
  if (requested.statusCode !== 201)
    throw new Error(`exception request: ${requested.statusCode} ${requested.body}`);
  const id = (requested.json() as { id: number }).id;
  const approved = await h.app.inject({
    method: 'POST',
    url: `/api/v1/exceptions/${id}/approve`,
    headers: h.auth('admin'),
    payload: {},
  });
  if (approved.statusCode !== 200)
    throw new Error(`exception approval: ${approved.statusCode} ${approved.body}`);
  return id;
}

/** An empty feed mirror directory: feed-sync jobs run without touching the network. */
export function tempFeedMirror(): string {
  return mkdtempSync(join(tmpdir(), 'pl-mirror-'));
}
