/** A host's patch catalogue and the fleet's remediations ranked by risk removed. */
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

export const CatalogueItem = Type.Object({
  package: Type.String(),
  arch: Type.String(),
  installedVersion: Nullable(Type.String()),
  candidateVersion: Type.String(),
  repository: Nullable(Type.String()),
  class: Type.String(),
  closes: Type.Array(Type.String()),
  severity: Nullable(Type.String()),
  kev: Type.Boolean(),
  releaseDate: Nullable(Type.String()),
});
export const Remediation = Type.Object({
  package: Type.String(),
  toVersion: Type.String(),
  hosts: Type.Integer(),
  findings: Type.Integer(),
  riskRemoved: Type.Number(),
  kev: Type.Integer(),
  severity: Nullable(Type.String()),
  advisories: Type.Array(Type.String()),
  summary: Type.String(),
  cumulativeRisk: Type.Number(),
  cumulativeShare: Type.Number(),
});
export const RemediationQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })),
});

export const CatalogueList = Type.Object({ items: Type.Array(CatalogueItem), collected: Type.Boolean() });
export type CatalogueList = Static<typeof CatalogueList>;
export const RemediationList = Type.Object({
  items: Type.Array(Remediation),
  total: Type.Integer(),
  totalRisk: Type.Number(),
});
export type RemediationList = Static<typeof RemediationList>;
