/** A host's patch catalogue and the fleet's remediations ranked by risk removed. */
import { Type, type Static } from 'typebox';
import { ListFormat, Nullable, Page, Paging } from './common.js';

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
/** One host's part of a remediation: what to install there. */
export const RemediationTarget = Type.Object({
  hostId: Type.Integer(),
  hostname: Type.String(),
  packages: Type.Array(Type.Object({ name: Type.String(), version: Type.String() })),
});
/**
 * One update across the fleet: a source package (its binary packages are
 * updated together, e.g. openssl and libssl3 from source openssl) to a
 * version, closing `findings` open findings on `hosts` hosts.
 */
export const Remediation = Type.Object({
  /** The source package. */
  package: Type.String(),
  toVersion: Type.String(),
  /** The binary packages built from it that the hosts have findings on. */
  binaries: Type.Array(Type.String()),
  hosts: Type.Integer(),
  findings: Type.Integer(),
  riskRemoved: Type.Number(),
  kev: Type.Integer(),
  severity: Nullable(Type.String()),
  advisories: Type.Array(Type.String()),
  summary: Type.String(),
  cumulativeRisk: Type.Number(),
  cumulativeShare: Type.Number(),
  /** Per host, the binary packages and versions to install: only when the list is filtered by `package`. */
  targets: Type.Optional(Type.Array(RemediationTarget)),
});
export type Remediation = Static<typeof Remediation>;
export const RemediationQuery = Type.Object({
  ...Paging(20),
  format: ListFormat,
  package: Type.Optional(
    Type.String({
      maxLength: 256,
      description:
        'Only the remediations of this source package, each with its targets (per host, the binary packages and versions to install: the body of a manual deployment).',
    }),
  ),
});

export const CatalogueList = Type.Object({ items: Type.Array(CatalogueItem), collected: Type.Boolean() });
export type CatalogueList = Static<typeof CatalogueList>;
export const RemediationList = Type.Object({ ...Page(Remediation).properties, totalRisk: Type.Number() });
export type RemediationList = Static<typeof RemediationList>;
