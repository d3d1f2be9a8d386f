/** Feed status, the enrollment setting and risk settings. */
import { Type, type Static } from 'typebox';

export const FeedStatus = Type.Object({
  source: Type.String(),
  records: Type.Integer(),
  lastImport: Type.Union([Type.String(), Type.Null()]),
  lastSuccess: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
});
export const FeedStatusList = Type.Object({
  items: Type.Array(FeedStatus),
  jobs: Type.Record(Type.String(), Type.Integer()),
});
export type FeedStatusList = Static<typeof FeedStatusList>;
export const Enrollment = Type.Object({ secret: Type.String(), command: Type.String() });
export type Enrollment = Static<typeof Enrollment>;
export const RiskSettingsView = Type.Object({
  weights: Type.Record(Type.String(), Type.Unknown()),
  sla: Type.Object({ days: Type.Record(Type.String(), Type.Number()), dueSoonDays: Type.Number() }),
  defaults: Type.Object({ weights: Type.Record(Type.String(), Type.Unknown()), sla: Type.Unknown() }),
});

export type RiskSettingsView = Static<typeof RiskSettingsView>;
