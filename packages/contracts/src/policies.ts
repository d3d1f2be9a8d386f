/** Policies as code: a policy document, its versions (the simulation is in api.ts). */
import { Type, type Static } from 'typebox';

export const PolicyView = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  document: Type.Record(Type.String(), Type.Unknown()),
  source: Type.String(),
  updatedBy: Type.String(),
  updatedAt: Type.String(),
});
export const PolicyApplied = Type.Object({ ...PolicyView.properties, changed: Type.Boolean() });
export const PolicyVersions = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      document: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
      createdBy: Type.String(),
      createdAt: Type.String(),
    }),
  ),
});
export type PolicyView = Static<typeof PolicyView>;
export type PolicyVersions = Static<typeof PolicyVersions>;
export const PolicyList = Type.Object({ items: Type.Array(PolicyView) });
export type PolicyList = Static<typeof PolicyList>;
