/**
 * The agent protocol: enrollment and check-in. Agents only ever connect out
 * (HTTP(S) to the server), so hosts behind NAT or at home work.
 *
 * Inventory travels in full the first time, then as a diff against the hash
 * the server last acknowledged; an unchanged inventory is sent as its hash
 * alone and costs the server one comparison.
 */
import { Type, type Static } from 'typebox';
import { JobSigningKey, KeyRotationStatement } from './agent-jobs.js';

export const PACKAGE_MANAGERS = ['dpkg', 'rpm', 'apk'] as const;
export const PackageManager = Type.Enum(PACKAGE_MANAGERS);
export type PackageManager = Static<typeof PackageManager>;

const Name = Type.String({ minLength: 1, maxLength: 256 });
const Version = Type.String({ minLength: 1, maxLength: 256 });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** One installed package, as core's InstalledPackage. */
export const WirePackage = Type.Object(
  {
    name: Name,
    version: Version,
    arch: Type.String({ maxLength: 64 }),
    sourceName: Name,
    sourceVersion: Version,
    vendor: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    epochKnown: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type WirePackage = Static<typeof WirePackage>;

export const UPDATE_CLASSIFICATIONS = ['security', 'bugfix', 'enhancement'] as const;

/** An update the package manager offers for an installed package. */
export const WireUpdate = Type.Object(
  {
    name: Name,
    arch: Type.String({ maxLength: 64 }),
    installedVersion: Type.Union([Version, Type.Null()]),
    candidateVersion: Version,
    /** Repository, pocket or suite it comes from (e.g. "bookworm-security"), when known. */
    repository: Type.Union([Type.String({ maxLength: 512 }), Type.Null()]),
    /** True when it comes from a security pocket or updateinfo says security. */
    security: Type.Boolean(),
    /** Advisory ids named by the package manager (dnf updateinfo), if any. */
    advisoryIds: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 256 }),
    classification: Type.Union([Type.Enum(UPDATE_CLASSIFICATIONS), Type.Null()]),
  },
  { additionalProperties: false },
);
export type WireUpdate = Static<typeof WireUpdate>;

/** Facts about the host, sent with every check-in (small). */
export const HostFacts = Type.Object(
  {
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    os: Type.Object(
      {
        id: Type.String({ minLength: 1, maxLength: 64 }),
        versionId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
        codename: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
        prettyName: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    arch: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    kernel: Type.Object(
      {
        running: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
        newestInstalled: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    reboot: Type.Object(
      {
        required: Type.Boolean(),
        /** Why: "kernel", "reboot-required-file", "needs-restarting", … */
        reasons: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 64 }),
        /** Packages that asked for it (/var/run/reboot-required.pkgs), when known. */
        packages: Type.Array(Name, { maxItems: 1024 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type HostFacts = Static<typeof HostFacts>;

/** Hard limits the server enforces (the agent checks them before sending). */
export const INVENTORY_LIMITS = { maxPackages: 50_000, maxUpdates: 20_000, maxBodyBytes: 32 * 1024 * 1024 };

export const FullInventory = Type.Object(
  {
    kind: Type.Literal('full'),
    hash: Sha256,
    manager: PackageManager,
    packages: Type.Array(WirePackage, { maxItems: INVENTORY_LIMITS.maxPackages }),
    /** null when updates could not be collected (no apt lists, offline mirror, fake root…). */
    updates: Type.Union([Type.Array(WireUpdate, { maxItems: INVENTORY_LIMITS.maxUpdates }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type FullInventory = Static<typeof FullInventory>;

export const DiffInventory = Type.Object(
  {
    kind: Type.Literal('diff'),
    /** The hash the server acknowledged last; the diff applies to that state. */
    base: Sha256,
    hash: Sha256,
    manager: PackageManager,
    /** New packages and packages whose version (or other field) changed: whole entries. */
    added: Type.Array(WirePackage, { maxItems: INVENTORY_LIMITS.maxPackages }),
    /** Packages gone, by name and arch. */
    removed: Type.Array(Type.Object({ name: Name, arch: Type.String({ maxLength: 64 }) }), {
      maxItems: INVENTORY_LIMITS.maxPackages,
    }),
    updates: Type.Union([Type.Array(WireUpdate, { maxItems: INVENTORY_LIMITS.maxUpdates }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type DiffInventory = Static<typeof DiffInventory>;

export const SameInventory = Type.Object(
  { kind: Type.Literal('same'), hash: Sha256 },
  { additionalProperties: false },
);
export type SameInventory = Static<typeof SameInventory>;

export const InventoryPayload = Type.Union([FullInventory, DiffInventory, SameInventory]);
export type InventoryPayload = Static<typeof InventoryPayload>;

export const EnrollRequest = Type.Object(
  {
    secret: Type.String({ minLength: 1, maxLength: 1024 }),
    /** Stable identity of the machine (/etc/machine-id under the root). */
    machineId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{8,128}$' }),
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    tags: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,64}$' }), { maxItems: 64 }),
    /** How the host is managed: an agent on it, or an agent reaching it over SSH. */
    transport: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('ssh')])),
    /**
     * Re-enrolling a host already enrolled (same machine id) needs proof, as the shared secret
     * only creates new hosts: the host's current agent credential (`pla_…`)…
     */
    credential: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** …or a one-time enrollment token an admin issued for this host (`plh_…`). */
    hostToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object({
  hostId: Type.Integer(),
  /** The agent's credential: shown once, kept in the agent's state dir, stored hashed on the server. */
  credential: Type.String(),
  /** The inventory hash the server holds for this host (a re-enrolled host may skip a full upload). */
  inventoryHash: Type.Union([Sha256, Type.Null()]),
  /** The key the server signs jobs with: the agent pins it and refuses jobs signed otherwise. */
  jobSigningKey: JobSigningKey,
});
export type EnrollResponse = Static<typeof EnrollResponse>;

export const CheckinRequest = Type.Object(
  {
    agentVersion: Type.String({ maxLength: 64 }),
    /** The machine the agent runs on (or reaches over SSH); must be the host its credential belongs to. */
    machineId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{8,128}$' }),
    facts: HostFacts,
    inventory: InventoryPayload,
    /** The job signing key the agent has pinned: the server answers with the rotation statements from it. */
    jobKeyId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
  },
  { additionalProperties: false },
);
export type CheckinRequest = Static<typeof CheckinRequest>;

export const CheckinResponse = Type.Object({
  /** The inventory hash the server now holds (null: none yet). */
  acknowledged: Type.Union([Sha256, Type.Null()]),
  /** True when the server could not apply a diff or `same` (its state differs): send the full inventory. */
  needFull: Type.Boolean(),
  /** Seconds until the next check-in the server asks for. */
  nextCheckinSeconds: Type.Integer(),
  /** Key rotation statements leading from the agent's pinned key (`jobKeyId`) to the server's signing key, in order. */
  keyRotations: Type.Optional(Type.Array(KeyRotationStatement, { maxItems: 100 })),
  /**
   * The job signing key, for an agent that pins none (`jobKeyId` absent: enrolled before jobs
   * were signed). It pins it as it would at enrollment, over the same authenticated channel.
   */
  jobSigningKey: Type.Optional(JobSigningKey),
});
export type CheckinResponse = Static<typeof CheckinResponse>;
