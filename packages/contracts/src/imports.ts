/**
 * What the CLI's offline commands send to a running server instead of opening
 * its store: an offline host's inventory file, a feed file or archive.
 */
import { Type, type Static } from 'typebox';
import { Tag } from './common.js';

/** The largest inventory file the API takes (a dpkg status of a big host is a few MiB). */
export const HOST_IMPORT_MAX_BYTES = 64 * 1024 * 1024;

export const HostImportRequest = Type.Object(
  {
    hostname: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    /** `ID:VERSION` such as `debian:12`; required unless the inventory names its OS. */
    os: Type.Optional(Type.String({ pattern: '^[a-z0-9._-]+:[A-Za-z0-9._-]+$', maxLength: 64 })),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
    format: Type.Enum(['dpkg-status', 'rpm-qa', 'rpm-manifest', 'apk-installed', 'inventory'] as const),
    /** The file's text, as the CLI's `--dpkg-status` … `--inventory` options read it. */
    content: Type.String({ maxLength: HOST_IMPORT_MAX_BYTES }),
  },
  { additionalProperties: false },
);
export type HostImportRequest = Static<typeof HostImportRequest>;

export const HostImportResult = Type.Object({
  hostId: Type.Integer(),
  hostname: Type.String(),
  packages: Type.Integer(),
  findings: Type.Integer(),
});
export type HostImportResult = Static<typeof HostImportResult>;

export const FeedImportParams = Type.Object({ source: Type.String({ pattern: '^[a-z0-9-]{1,32}$' }) });
export const FeedImportQuery = Type.Object(
  {
    /** The uploaded file's name (its extension says .zip, .gz, .json, .jsonl, …). */
    name: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  },
  { additionalProperties: false },
);

export const FeedImportProblem = Type.Object({
  file: Type.String(),
  record: Type.String(),
  code: Type.String(),
  reason: Type.String(),
  warning: Type.Boolean(),
});

export const FeedImportResult = Type.Object({
  source: Type.String(),
  status: Type.String(),
  imported: Type.Integer(),
  skipped: Type.Integer(),
  unchanged: Type.Integer(),
  /** 0 all imported, 3 some records skipped, 1 nothing usable (nothing changed): as the CLI's exit code. */
  exitCode: Type.Integer(),
  /** The first problems (at most 100). */
  errors: Type.Array(FeedImportProblem),
});
export type FeedImportResult = Static<typeof FeedImportResult>;
