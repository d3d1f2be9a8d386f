/**
 * Patchloop's own inventory JSON, the `Inventory` model as written:
 *
 * ```json
 * { "os": { "id": "debian", "versionId": "12", "codename": "bookworm", "prettyName": "…" } | null,
 *   "manager": "dpkg" | "rpm" | "apk",
 *   "kernel": "6.1.0-18-amd64" | null,
 *   "packages": [ { "name", "version", "arch", "sourceName", "sourceVersion", "vendor", "epochKnown"? } ] }
 * ```
 *
 * Checked by hand, every problem named by its path (`packages[3].version`):
 * - required: `manager`, `packages`, and each package's `name` and `version`
 *   (non-empty, no whitespace); `os.id` and `os.versionId` when `os` is given;
 * - optional (absent or null): `os`, `kernel`, `os.codename`, `os.prettyName`,
 *   a package's `arch` and `vendor` (null), `sourceName` and `sourceVersion`
 *   (the binary's name and version);
 * - unknown fields are errors, so a misspelt optional field ("sourcename")
 *   is not silently read as absent.
 * An empty `packages` array is PL_INVENTORY_EMPTY, as with every inventory
 * format: a host always has packages, and an empty list taken at its word
 * would close every open finding.
 *
 * `formatInventoryJson` writes the same shape (every field present, fixed key
 * order, two-space indent, final newline); parse(format(x)) equals x.
 */
import type { Inventory, InstalledPackage, OsIdentity, PackageManager } from './model.js';
import { inventoryEmpty, inventoryInvalid, tokenProblem } from './parse-common.js';

const SOURCE = 'inventory JSON';
const MANAGERS: readonly PackageManager[] = ['dpkg', 'rpm', 'apk'];
const CONTROL = /\p{Cc}/u;

type Obj = Readonly<Record<string, unknown>>;

function fail(where: string, reason: string): never {
  throw inventoryInvalid(SOURCE, where, reason, { path: where });
}

function object(value: unknown, where: string, keys: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'expected an object');
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) fail(where, `unknown field ${JSON.stringify(k)} (expected ${keys.join(', ')})`);
  }
  return value as Obj;
}

function token(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, 'expected a string');
  const problem = tokenProblem(value);
  if (problem !== null) fail(where, problem);
  return value;
}

/** A string that may be empty but holds no control character. */
function text(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, 'expected a string');
  if (CONTROL.test(value)) fail(where, 'contains a control character');
  return value;
}

function optional<T>(value: unknown, read: (v: unknown) => T): T | null {
  return value === undefined || value === null ? null : read(value);
}

const OS_KEYS = ['id', 'versionId', 'codename', 'prettyName'];
const ROOT_KEYS = ['os', 'manager', 'kernel', 'packages'];
const PACKAGE_KEYS = ['name', 'version', 'arch', 'sourceName', 'sourceVersion', 'vendor', 'epochKnown'];

function readOs(value: unknown): OsIdentity {
  const o = object(value, 'os', OS_KEYS);
  return {
    id: token(o.id, 'os.id'),
    versionId: text(o.versionId, 'os.versionId'),
    codename: optional(o.codename, (v) => token(v, 'os.codename')),
    prettyName: optional(o.prettyName, (v) => text(v, 'os.prettyName')),
  };
}

function readPackage(value: unknown, i: number): InstalledPackage {
  const at = `packages[${i}]`;
  const p = object(value, at, PACKAGE_KEYS);
  const name = token(p.name, `${at}.name`);
  const version = token(p.version, `${at}.version`);
  return {
    name,
    version,
    arch: optional(p.arch, (v) => token(v, `${at}.arch`)),
    sourceName: optional(p.sourceName, (v) => token(v, `${at}.sourceName`)) ?? name,
    sourceVersion: optional(p.sourceVersion, (v) => token(v, `${at}.sourceVersion`)) ?? version,
    vendor: optional(p.vendor, (v) => text(v, `${at}.vendor`)),
    ...epochKnownOf(p.epochKnown, `${at}.epochKnown`),
  };
}

/** `epochKnown` is optional and, when present, a boolean; only `false` is kept (true is the default). */
function epochKnownOf(v: unknown, at: string): { epochKnown?: false } {
  if (v === undefined || v === null || v === true) return {};
  if (v === false) return { epochKnown: false };
  throw inventoryInvalid(SOURCE, at, 'must be a boolean');
}

/** Checks an already parsed JSON value (a request body, say) and returns it as an `Inventory`. */
export function inventoryFromJson(value: unknown): Inventory {
  const root = object(value, 'document', ROOT_KEYS);
  const manager = root.manager;
  if (typeof manager !== 'string' || !(MANAGERS as readonly string[]).includes(manager)) {
    fail('manager', `expected one of ${MANAGERS.map((m) => JSON.stringify(m)).join(', ')}`);
  }
  if (!Array.isArray(root.packages)) fail('packages', 'expected an array');
  const packages = (root.packages as unknown[]).map(readPackage);
  if (packages.length === 0) throw inventoryEmpty(SOURCE);
  return {
    os: optional(root.os, readOs),
    manager: manager as PackageManager,
    packages,
    kernel: optional(root.kernel, (v) => token(v, 'kernel')),
  };
}

/** Parses Patchloop inventory JSON text. */
export function parseInventoryJson(jsonText: string): Inventory {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (e) {
    fail('document', `not valid JSON (${(e as Error).message})`);
  }
  return inventoryFromJson(value);
}

/** Writes an inventory as Patchloop inventory JSON (fixed key order, two-space indent, final newline). */
export function formatInventoryJson(inv: Inventory): string {
  const doc = {
    os:
      inv.os === null
        ? null
        : {
            id: inv.os.id,
            versionId: inv.os.versionId,
            codename: inv.os.codename,
            prettyName: inv.os.prettyName,
          },
    manager: inv.manager,
    kernel: inv.kernel,
    packages: inv.packages.map((p) => ({
      name: p.name,
      version: p.version,
      arch: p.arch,
      sourceName: p.sourceName,
      sourceVersion: p.sourceVersion,
      vendor: p.vendor,
      ...(p.epochKnown === false ? { epochKnown: false } : {}),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
