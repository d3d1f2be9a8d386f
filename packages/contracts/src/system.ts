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
  /** A sync or import of this source running now (in a child process of the server), with its progress. */
  running: Type.Optional(
    Type.Union([
      Type.Object({
        kind: Type.Union([Type.Literal('sync'), Type.Literal('import')]),
        phase: Type.Union([
          Type.Literal('starting'),
          Type.Literal('read'),
          Type.Literal('parse'),
          Type.Literal('store'),
        ]),
        records: Type.Integer(),
        bytes: Type.Integer(),
        started: Type.String(),
      }),
      Type.Null(),
    ]),
  ),
});
export type FeedStatus = Static<typeof FeedStatus>;
export const FeedStatusList = Type.Object({
  items: Type.Array(FeedStatus),
  jobs: Type.Record(Type.String(), Type.Integer()),
});
export type FeedStatusList = Static<typeof FeedStatusList>;
export const Enrollment = Type.Object({
  /** The secret itself only right after a rotation (it is kept hashed), else null. */
  secret: Type.Union([Type.String(), Type.Null()]),
  /** Where the secret is, in words for people (shown once, set by the environment, or kept hashed). */
  secretNote: Type.Optional(Type.String()),
  command: Type.String(),
  /** Installing the agent on another machine: the server's URL, the one-line installer, what is missing. */
  install: Type.Optional(
    Type.Object({
      server: Type.String(),
      command: Type.String(),
      ready: Type.Boolean(),
      /** The .deb and .rpm of the same agent, under /downloads/. */
      files: Type.Array(Type.String()),
      notes: Type.Array(Type.String()),
    }),
  ),
});
export type Enrollment = Static<typeof Enrollment>;
export const RiskSettingsView = Type.Object({
  weights: Type.Record(Type.String(), Type.Unknown()),
  sla: Type.Object({ days: Type.Record(Type.String(), Type.Number()), dueSoonDays: Type.Number() }),
  defaults: Type.Object({ weights: Type.Record(Type.String(), Type.Unknown()), sla: Type.Unknown() }),
});

export type RiskSettingsView = Static<typeof RiskSettingsView>;
/** PUT /api/v1/settings/risk: what changes (absent: kept; null: back to the defaults). */
export const RiskSettingsChange = Type.Object(
  {
    /** Partial weights merged over the defaults (see core/risk); null resets to the defaults. */
    weights: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    /** { days: { P1, P2, P3, P4 }, dueSoonDays }, partial; null resets. */
    sla: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
);
export type RiskSettingsChange = Static<typeof RiskSettingsChange>;

/** The names of the built agent's files (tarball, .deb, .rpm, .sha256): no path, no dot file. */
export const AGENT_DOWNLOAD_NAME = '^patchloop-agent[-_][A-Za-z0-9][A-Za-z0-9._+-]*$';
/** `GET /downloads/:file`: a file of the built agent. */
export const AgentDownloadParams = Type.Object({
  file: Type.String({ pattern: AGENT_DOWNLOAD_NAME, maxLength: 128 }),
});
export type AgentDownloadParams = Static<typeof AgentDownloadParams>;
