/** The audit log (mounted at /api/v1/audit): paged, filtered, or exported as CSV. */
import { AuditList, AuditQuery } from '@patchloop/contracts';
import { listAudit } from '@patchloop/store';
import { READ, seesMachineIds } from '../auth/principal.js';
import type { Api } from '../api.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));
const AUDIT_CSV: CsvColumns<{
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  hash: string;
}> = {
  seq: (e) => e.seq,
  at: (e) => e.at,
  actor: (e) => e.actor,
  action: (e) => e.action,
  target: (e) => e.target,
  before: (e) => json(e.before),
  after: (e) => json(e.after),
  hash: (e) => e.hash,
};

export function auditRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: AuditList } },
    },
    async (req, reply) => {
      const q = req.query;
      // Enrollment and deletion events name the machine id: auditors see it hidden.
      const seen = (v: unknown) => (seesMachineIds(req.principal) ? v : hideMachineIds(v));
      const page = async (offset: number, limit: number) => {
        const r = await listAudit(ctx.db, {
          limit,
          offset,
          ...(q.target ? { target: q.target } : {}),
          ...(q.action ? { action: q.action } : {}),
        });
        return {
          total: r.total,
          items: r.items.map((e) => ({
            seq: e.seq,
            at: e.at.toISOString(),
            actor: e.actor,
            action: e.action,
            target: e.target,
            before: seen(e.before),
            after: seen(e.after),
            hash: e.hash,
          })),
        };
      };
      if (q.format === 'csv') return sendCsv(reply, 'audit', AUDIT_CSV, page);
      return page(q.offset ?? 0, q.limit ?? 100);
    },
  );
}

/** An audit record's before/after with every `machineId` value hidden. */
function hideMachineIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hideMachineIds);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, k === 'machineId' && x !== null ? '(hidden)' : hideMachineIds(x)]),
  );
}
