/**
 * Policies as code: PUT a YAML or JSON document (validated, versioned,
 * audited), list, read, read the versions, delete, and simulate what a policy
 * would do at an instant. Mounted at /api/v1/policies.
 */
import { getPolicy, listPolicies, listPolicyVersions, type PolicyRecord } from '@patchloop/store';
import {
  PolicyApplied,
  PolicyList,
  PolicyVersions,
  PolicyView,
  SimulateQuery,
  Simulation,
} from '@patchloop/contracts';
import { Type, type Static } from 'typebox';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import type { Api, App } from '../api.js';
import { applyPolicy, simulateByName, type SimulationPage } from '../services/policies.js';
import { PatchloopError } from '@patchloop/core';
import { removePolicy } from '../services/policy-delete.js';

/** core's Simulation in the schema's shape: the same fields, its readonly arrays copied. */
const simulationView = (s: SimulationPage): Static<typeof Simulation> => ({
  ...s,
  totals: { ...s.totals },
  window: { ...s.window },
  hosts: s.hosts.map((h) => ({
    ...h,
    updates: h.updates.map((u) => ({ ...u, advisories: [...u.advisories] })),
    held: h.held.map((x) => ({ ...x })),
  })),
  lost: s.lost.map((l) => ({ ...l })),
});

const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) });

const view = (p: PolicyRecord) => ({
  name: p.name,
  version: p.version,
  // A plain JSON object in the response (the schema's Record), copied from the typed document.
  document: { ...p.document },
  source: p.source,
  updatedBy: p.updatedBy,
  updatedAt: p.updatedAt.toISOString(),
});

/** Policies may be sent as YAML (or any text) as well as JSON: a parser for the whole app, as it always was. */
export function acceptPolicyText(app: App): void {
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string', bodyLimit: 256 * 1024 },
    (_req, body, done) => done(null, body),
  );
}

export function policyRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags: ['policies'], response: { 200: PolicyList } },
    },
    async () => ({ items: (await listPolicies(ctx.db)).map(view) }),
  );

  app.get(
    '/:name',
    {
      config: { access: READ },
      schema: { tags: ['policies'], params: NameParams, response: { 200: PolicyView } },
    },
    async (req) => {
      const p = await getPolicy(ctx.db, req.params.name);
      if (!p) throw new PatchloopError('PL_NOT_FOUND', `no policy ${req.params.name}`);
      return view(p);
    },
  );

  app.put(
    '/:name',
    {
      config: { access: WRITE },
      schema: {
        tags: ['policies'],
        params: NameParams,
        // YAML text or a JSON document; core validates it (PL_POLICY_INVALID with each problem's path).
        body: Type.Union([
          Type.String({ maxLength: 256 * 1024 }),
          Type.Record(Type.String(), Type.Unknown()),
        ]),
        response: { 200: PolicyApplied, 201: PolicyApplied },
      },
    },
    async (req, reply) => {
      const existed = (await getPolicy(ctx.db, req.params.name)) !== null;
      const r = await applyPolicy(ctx, {
        body: req.body,
        name: req.params.name,
        actor: actorOf(req.principal),
      });
      return reply
        .status(existed ? 200 : 201)
        .send({ ...view(r.record), changed: r.changed, warnings: r.warnings });
    },
  );

  app.delete(
    '/:name',
    {
      config: { access: WRITE },
      schema: { tags: ['policies'], params: NameParams, response: { 200: PolicyView } },
    },
    async (req) => view(await removePolicy(ctx, req.params.name, actorOf(req.principal))),
  );

  app.get(
    '/:name/versions',
    {
      config: { access: READ },
      schema: { tags: ['policies'], params: NameParams, response: { 200: PolicyVersions } },
    },
    async (req) => {
      const items = await listPolicyVersions(ctx.db, req.params.name);
      if (items.length === 0) throw new PatchloopError('PL_NOT_FOUND', `no policy ${req.params.name}`);
      return {
        items: items.map((v) => ({
          version: v.version,
          document: v.document && { ...v.document },
          createdBy: v.createdBy,
          createdAt: v.createdAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/:name/simulate',
    {
      config: { access: READ },
      schema: {
        tags: ['policies'],
        params: NameParams,
        querystring: SimulateQuery,
        response: { 200: Simulation },
      },
    },
    async (req) => {
      const at = req.query.at ? new Date(req.query.at) : ctx.now();
      return simulationView(
        await simulateByName(ctx, req.params.name, at, {
          offset: req.query.offset ?? 0,
          limit: req.query.limit ?? 100,
        }),
      );
    },
  );
}
