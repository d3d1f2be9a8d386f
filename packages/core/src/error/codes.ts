/**
 * The one registry of Patchloop error codes. Codes are stable: once released a
 * code is never renamed, reused or given another meaning. docs/ERRORS.md lists
 * the same codes with their HTTP status and exit code (a test keeps the two in step).
 *
 * Each code carries, once, what every caller needs to answer it: the HTTP
 * status the server responds with (4xx: the request's fault; 500: the
 * server's; 502/504: a host or upstream it depends on failed; 503/507: it
 * cannot serve for now), and the exit code of the command line (2 for a
 * fault in how a command was called, 1 for every other error).
 */

/** The HTTP statuses an error answers with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 500 | 502 | 503 | 504 | 507;

/** The command line's exit code for an error: 2 a usage error, 1 any other. */
export type ErrorExit = 1 | 2;

export interface ErrorCodeSpec {
  readonly status: ErrorStatus;
  readonly exit: ErrorExit;
  readonly meaning: string;
}

/** A fault in how a command was called (the CLI exits 2). */
const USAGE = 2;

function spec(status: ErrorStatus, meaning: string, exit: ErrorExit = 1): ErrorCodeSpec {
  return { status, exit, meaning };
}

export const ERROR_CODES = {
  PL_VERSION_INVALID: spec(400, 'A version string is not valid for its versioning scheme.'),
  PL_VERSION_SCHEME_UNKNOWN: spec(
    400,
    'The versioning scheme (ecosystem) named is not one Patchloop knows.',
    USAGE,
  ),
  PL_NEVRA_INVALID: spec(400, 'An RPM package string is not a valid name-[epoch:]version-release[.arch].'),
  PL_USAGE: spec(400, 'A command was called with missing or conflicting arguments.', USAGE),
  PL_INPUT_LINE_INVALID: spec(400, 'A line of line-oriented input does not have the expected fields.'),
  PL_OS_RELEASE_INVALID: spec(400, 'An os-release file has a line that is not KEY=value.'),
  PL_FEED_JSON_INVALID: spec(400, 'A feed record is not valid JSON (for example a truncated file).'),
  PL_FEED_SCHEMA_INVALID: spec(
    400,
    'A feed record is valid JSON or text but lacks a required field or has one of the wrong type.',
  ),
  PL_FEED_VERSION_INVALID: spec(
    400,
    "A version in a feed record's range or fix is not valid for the ecosystem's version scheme.",
  ),
  PL_FEED_ECOSYSTEM_UNKNOWN: spec(400, 'A feed record names an ecosystem Patchloop does not know.'),
  PL_FEED_RECORD_TOO_LARGE: spec(400, 'A feed record or file is larger than the configured limit.'),
  PL_FEED_LINE_INVALID: spec(400, 'A line of a text feed (Debian tracker list, EPSS CSV) cannot be parsed.'),
  PL_FEED_CVSS_INVALID: spec(
    400,
    'A CVSS vector in a feed record cannot be parsed or scored; the record is kept without that metric.',
  ),
  PL_CVSS_INVALID: spec(400, 'A CVSS vector string is not valid for its CVSS version.'),
  PL_FEED_SOURCE_UNKNOWN: spec(400, 'A feed source name is not one Patchloop knows.', USAGE),
  PL_FEED_NOTHING_USABLE: spec(400, 'A feed import or sync produced no usable record; nothing was changed.'),
  PL_FEED_DOWNLOAD_FAILED: spec(
    502,
    'A feed download failed after its retries (HTTP error, timeout, connection failure).',
  ),
  PL_FEED_DOWNLOAD_INVALID: spec(
    502,
    'A downloaded feed file failed verification (truncated, wrong format); the previous data stays active.',
  ),
  PL_FEED_SYNC_CRASHED: spec(
    500,
    'A feed sync or import process died (crash, out of memory, killed, timed out); the previous data stays active and the sync is retried later.',
  ),
  PL_FEED_ARCHIVE_CORRUPT: spec(
    400,
    'A feed archive is truncated or corrupt (or its decompressor failed); nothing from it was applied.',
  ),
  PL_FEED_ARCHIVE_LIMIT: spec(
    400,
    'A feed archive inflates beyond the total size or holds more entries than one import allows (a decompression bomb?); nothing from it was applied.',
  ),
  PL_FEED_CATALOGUE_SHRANK: spec(
    400,
    'A whole catalogue (KEV, EPSS) holds fewer entries than it announces, or far fewer than the one in use (cut short?); the catalogue in use stays.',
  ),
  PL_FEED_PATH_INVALID: spec(
    400,
    'A feed import path does not exist or is not a readable file, directory or archive.',
  ),
  PL_FEED_ECOSYSTEM_INVALID: spec(
    500,
    "An OSV ecosystem name in the sync configuration is refused: names with ':' are per-release folders that stopped updating in October 2024 (use the part before ':').",
  ),
  PL_FEED_CONFIG_INVALID: spec(
    500,
    'A feed sync setting (PATCHLOOP_FEED_URL_…, PATCHLOOP_OSV_…, PATCHLOOP_FEED_MAX_DOWNLOAD_MB, …) is not valid; the message names it.',
  ),
  PL_DB_CONFIG_INVALID: spec(
    500,
    'The database configuration (data directory or PostgreSQL URL) is not usable.',
  ),
  PL_DB_UNAVAILABLE: spec(
    503,
    'The database (PostgreSQL) cannot be reached or the connection broke; the request changed nothing it reports as done. Retry shortly (HTTP 503).',
  ),
  PL_DB_MIGRATION_FAILED: spec(500, 'A store migration failed; the store was left at the previous version.'),
  PL_STORE_IN_USE: spec(
    503,
    'The embedded store is open in another process (a running server, or another command): one process at a time may open it; send the command to the server with --server URL --token T.',
  ),
  PL_STORE_DISK_FULL: spec(
    507,
    "The store's disk is full (the data directory of the embedded store, or PostgreSQL's disk): the request changed nothing it reports as done. Free space there; the server serves again by itself, without a restart (HTTP 507).",
  ),
  PL_PORT_IN_USE: spec(
    500,
    'The address and port the server should listen on are taken (another server is running there).',
  ),
  PL_INVENTORY_INVALID: spec(
    400,
    'A line or entry of an inventory (dpkg status, rpm list, apk database, CSV, JSON) cannot be parsed; the message names it.',
  ),
  PL_INVENTORY_EMPTY: spec(400, 'An inventory lists no installed package.'),
  PL_OS_SPEC_INVALID: spec(
    400,
    'An --os value is not id:version (for example debian:12, ubuntu:22.04, almalinux:9, alpine:3.19).',
    USAGE,
  ),
  PL_OS_UNSUPPORTED: spec(
    400,
    'The host OS is not one Patchloop can assess yet, or could not be determined (give --os).',
  ),
  PL_SCAN_INPUT_INVALID: spec(400, 'patchloop scan was given no inventory source, or more than one.', USAGE),
  PL_SCAN_NO_ADVISORIES: spec(
    409,
    "The store holds no advisories for the host's OS release, so a scan could not find anything: import that release's feed.",
  ),
  PL_REQUEST_INVALID: spec(
    400,
    'An API request failed validation (body, query or path parameters); the message names the field.',
  ),
  PL_AUTH_REQUIRED: spec(
    401,
    'The API call carries no valid credential (missing, unknown, expired or revoked token).',
  ),
  PL_AUTH_FORBIDDEN: spec(403, 'The credential is valid but its role may not do this.'),
  PL_AUTH_THROTTLED: spec(
    429,
    'Too many wrong passwords for this user name (from this address): sign-in is refused until the window ends (Retry-After).',
  ),
  PL_AUTH_CSRF: spec(
    403,
    'A console session (cookie) tried to change state without its CSRF token in the x-csrf-token header.',
  ),
  PL_NOT_FOUND: spec(404, 'The resource named in the API path does not exist.'),
  PL_CONFLICT: spec(
    409,
    'The request conflicts with the current state (for example a user name already taken).',
  ),
  PL_PAYLOAD_TOO_LARGE: spec(413, 'The request body is larger than the server accepts.'),
  PL_MEDIA_TYPE_UNSUPPORTED: spec(
    415,
    "The request body's media type (Content-Type) is not one the route accepts; the message names the one it wants.",
  ),
  PL_ENROLL_SECRET_INVALID: spec(401, 'An agent enrollment carried a wrong or missing enrollment secret.'),
  PL_ENROLL_THROTTLED: spec(
    429,
    'Too many enrollments with a wrong secret from this address: enrollment is refused until the window ends (Retry-After).',
  ),
  PL_ENROLL_SECRET_FROM_ENV: spec(
    409,
    'The enrollment secret comes from PATCHLOOP_ENROLL_SECRET, so it cannot be rotated through the API: change the variable and restart the server.',
  ),
  PL_ENROLL_HOST_EXISTS: spec(
    409,
    "An enrollment named the machine id of a host already enrolled: the shared secret only creates new hosts; re-enrolling needs the host's current agent credential or a one-time enrollment token an admin issued for it. The host keeps its credential.",
  ),
  PL_ENROLL_TOKEN_INVALID: spec(
    401,
    'A per-host enrollment token is unknown, used, expired, or was issued for another host.',
  ),
  PL_HOST_RETIRED: spec(
    410,
    'The host was retired: its agent may not check in, poll for jobs or enroll again, and it cannot be deployed to (reinstate it, or delete it and enroll anew).',
  ),
  PL_USER_LAST_ADMIN: spec(
    409,
    'The change would leave no enabled admin user (disabling or demoting the last one).',
  ),
  PL_USER_SELF_DISABLE: spec(409, 'A user tried to disable itself; another admin must.'),
  PL_PASSWORD_WRONG: spec(403, "The current password given to change one's own password is wrong."),
  PL_AGENT_HOST_MISMATCH: spec(
    403,
    "An agent's check-in names another machine than the host its credential belongs to; nothing was stored.",
  ),
  PL_AGENT_ARTIFACT_MISSING: spec(
    404,
    'The agent installer or a download was asked for, but this server has no built agent for it: run npm run build:agent, or set PATCHLOOP_DOWNLOADS_DIR to where it was built.',
  ),
  PL_CHECKIN_INVENTORY_INVALID: spec(
    400,
    "A check-in's inventory is inconsistent (duplicate packages, a diff that does not produce its stated hash, a wrong package manager); nothing was stored.",
  ),
  PL_SERVER_CONFIG_INVALID: spec(
    500,
    'A server setting (PATCHLOOP_… environment variable or flag) is not valid; the message names it.',
  ),
  PL_INTERNAL: spec(500, 'An unexpected server error; the server log has the details.'),
  PL_AUDIT_EVENT_INVALID: spec(
    500,
    'An audit event to append has an empty actor, action or target, an invalid time, or a before/after value that is not JSON data.',
  ),
  PL_AUDIT_CONFLICT: spec(
    500,
    'Another audit event was appended at the same moment outside a transaction; nothing was appended (append inside a transaction).',
  ),
  PL_AUDIT_QUERY_INVALID: spec(
    400,
    'An audit log query or verification was given an invalid limit, offset, page size or expected head hash.',
  ),
  PL_AUDIT_HASH_MISMATCH: spec(
    500,
    'audit verify: an audit event no longer matches its hash (edited, or moved from another position).',
  ),
  PL_AUDIT_SEQ_GAP: spec(500, 'audit verify: audit event sequence numbers are missing (events deleted).'),
  PL_AUDIT_CHAIN_BROKEN: spec(
    500,
    "audit verify: an audit event's prev_hash is not the previous event's hash (an event deleted, inserted or reordered).",
  ),
  PL_AUDIT_TRUNCATED: spec(
    500,
    'audit verify: the audit log ends before the seq its head row records (events deleted from the end).',
  ),
  PL_AUDIT_HEAD_MISMATCH: spec(
    500,
    "The audit log's head row is missing or does not match the last event (edited, or events appended past it).",
  ),
  PL_AUDIT_ANCHOR_MISSING: spec(
    500,
    'audit verify: no audit event has the expected head hash recorded earlier (the chain was rewritten or truncated).',
  ),
  PL_AGENT_OS_RELEASE_MISSING: spec(
    502,
    'The host (or root) the agent collects from has no /etc/os-release or /usr/lib/os-release.',
  ),
  PL_AGENT_PACKAGE_DB_MISSING: spec(
    502,
    'The host (or root) the agent collects from has no dpkg, rpm or apk package database.',
  ),
  PL_AGENT_PACKAGE_DB_UNREADABLE: spec(
    502,
    'A package database was found but could not be read (for rpm: the rpm command is missing or failed).',
  ),
  PL_AGENT_FILE_UNREADABLE: spec(
    502,
    "A file the agent reads under the host's root is not a regular file, is over the size limit, sits behind a symbolic-link loop, or cannot be read.",
  ),
  PL_AGENT_COMMAND_FAILED: spec(
    502,
    'A command the agent ran on a host timed out, wrote more output than allowed, or could not be started.',
  ),
  PL_AGENT_SSH_FAILED: spec(
    502,
    'The ssh client could not reach or log in to the host (ssh exit status 255), or is not installed.',
  ),
  PL_AGENT_RUNNER_INVALID: spec(
    400,
    'A host runner was given an invalid option (ssh host, user, port, option, root, command or environment name).',
  ),
  PL_AGENT_STATE_MISMATCH: spec(
    409,
    "An agent's state directory belongs to another managed machine (another --root or --ssh target): each machine needs its own --state-dir.",
  ),
  PL_AGENT_CHECKIN_FAILED: spec(
    502,
    "An agent's check-in did not reach the server or the server refused it (network error, HTTP error); the agent retries with backoff.",
  ),
  PL_EXCEPTION_SELF_APPROVAL: spec(403, "An exception's requester tried to approve it; another person must."),
  PL_RISK_WEIGHTS_INVALID: spec(
    400,
    'A risk weight setting is unknown, not a number in its range, or out of order (cut-offs must descend); the message names the key.',
  ),
  PL_RISK_INPUT_INVALID: spec(
    400,
    'A risk score was asked for with an out-of-range input (CVSS outside 0–10, EPSS outside 0–1) or an unknown host criticality, environment or user risk.',
  ),
  PL_SLA_POLICY_INVALID: spec(
    400,
    'An SLA policy setting is unknown, not a whole number of days in range, or shorter for a lower priority; the message names the key.',
  ),
  PL_SLA_INPUT_INVALID: spec(
    400,
    'An SLA computation was given an invalid time (first seen, now, resolved) or a KEV due date that is not YYYY-MM-DD.',
  ),
  PL_POLICY_INVALID: spec(
    400,
    'A policy document (YAML or JSON) is not valid: unknown key, wrong type, bad cron, time zone, duration or date; details.problems lists each with its path.',
  ),
  PL_DEPLOYMENT_INVALID: spec(
    500,
    "A deployment's state is inconsistent: a task names a ring the deployment does not have, a task id or ring name repeats, an in-flight task has no dispatch time, or a ring's bake, minSuccess, maxConcurrency or errorBudget is not valid; details.problems lists each.",
  ),
  PL_SERVER_UNREACHABLE: spec(
    502,
    'The CLI could not reach the Patchloop server (connection refused, DNS, timeout).',
  ),
  PL_DEPLOYMENT_EMPTY: spec(
    409,
    'A deployment would change nothing: no host has an approved update (policy), or nothing to install on the hosts given.',
  ),
  PL_JOB_INVALID: spec(
    400,
    "A job the server handed to the agent is malformed: a package name, version or architecture outside the protocol's patterns, no package, or a bad job id; nothing was run.",
  ),
  PL_JOB_VERSION_UNAVAILABLE: spec(
    502,
    "A job's package version is not in the host's repositories (apt: version not found or package unknown; dnf: no match; apk: no such package or version); the message names the package and version.",
  ),
  PL_JOB_PM_LOCKED: spec(
    503,
    "The host's package manager is in use by another process (dpkg frontend lock, rpm transaction lock, apk database lock); nothing was installed, the deployment may retry.",
  ),
  PL_JOB_INSTALL_FAILED: spec(
    502,
    "The package manager failed to install a job's packages (a maintainer script or scriptlet failed, dpkg was interrupted, a downgrade or held package was refused, the tool is missing); the message keeps the package manager's own words.",
  ),
  PL_JOB_TIMEOUT: spec(
    504,
    "A job's package manager run (metadata refresh and install) or script took longer than the job's timeoutSeconds and was killed.",
  ),
  PL_JOB_PRECHECK_FAILED: spec(
    502,
    "A job's pre-check script (the policy's preScript, run with sh -c on the host) exited non-zero or could not run; nothing was installed.",
  ),
  PL_JOB_POSTCHECK_FAILED: spec(
    502,
    "A job's post-check script (the policy's postScript) exited non-zero or could not run after the install; the task failed.",
  ),
  PL_JOB_VERIFY_FAILED: spec(
    502,
    "After a job's install the package database does not show every target version; the message names each package with the version wanted and the one installed.",
  ),
  PL_JOB_INTERRUPTED: spec(
    502,
    "The agent was stopped while running a job and, on restart, found the job's target versions not (all) installed; reported from a fresh read of the package database, never re-run.",
  ),
  PL_JOB_CANCELLED: spec(
    409,
    "The deployment was halted or cancelled before the agent started installing the job's packages; nothing was installed.",
  ),
  PL_JOB_DOWNGRADE_REFUSED: spec(
    409,
    'An install job (not a rollback) would install a version lower than the installed one; nothing was installed.',
  ),
  PL_JOB_DEADLINE_PASSED: spec(
    409,
    'A job reached the agent after its deadline (the host was offline or busy too long); nothing was run and the task is reported timed-out.',
  ),
  PL_JOB_UNSIGNED: spec(
    403,
    'A job reached the agent without a signature; the agent refused it, ran nothing and reported the task failed.',
  ),
  PL_JOB_SIGNING_KEY_UNKNOWN: spec(
    403,
    'A job is signed by a key other than the server key the agent pinned at enrollment (or followed through a rotation statement), or the agent has no pinned key; nothing was run.',
  ),
  PL_JOB_SIGNATURE_INVALID: spec(
    403,
    "A job's signature does not match its content: the job was changed after the server signed it (for example its row in the database), or it carries another job's signature (mix-and-match); nothing was run.",
  ),
  PL_JOB_WRONG_HOST: spec(
    403,
    'A job carries a valid signature made for another host (host id or machine id differ); nothing was run.',
  ),
  PL_JOB_EXPIRED: spec(
    403,
    "A job's signature expired (issued more than the signing TTL ago, or past the end of its deployment window) before the agent could run it: a held-back (freeze) or stale job; nothing was run.",
  ),
  PL_JOB_REPLAYED: spec(
    403,
    "A job's sequence number is not above the last one the agent accepted for this host: a replayed or rolled-back job; nothing was run.",
  ),
  PL_JOB_SIGNING_KEY_MISSING: spec(
    503,
    'The server has no job signing key: on PostgreSQL give every replica the same key file (PATCHLOOP_JOB_SIGNING_KEY_FILE, created with `patchloop keys generate --out FILE`); or a rotated-to key this replica does not hold.',
  ),
  PL_JOB_SIGNING_KEY_INVALID: spec(
    500,
    'A job signing key file cannot be read, is not an Ed25519 private key in PEM (PKCS#8), or is readable by other users than its owner.',
  ),
  PL_JOB_SIGNING_NO_NEXT_KEY: spec(
    409,
    'A key rotation was asked for but the server holds no next key: give it PATCHLOOP_JOB_SIGNING_NEXT_KEY_FILE (every replica), or on the embedded store let it generate one in the data directory.',
  ),
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status the server answers an error with this code. */
export function httpStatusOf(code: ErrorCode): ErrorStatus {
  return ERROR_CODES[code].status;
}

/** The command line's exit code for an error with this code. */
export function exitCodeOf(code: ErrorCode): ErrorExit {
  return ERROR_CODES[code].exit;
}

/** Every error Patchloop raises on purpose carries a stable code. */
export class PatchloopError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'PatchloopError';
    this.code = code;
    this.details = details;
  }
}

/**
 * True for a PatchloopError, also one made by another copy of this module (the
 * `patchloop scan` bundle carries its own core, while the store it loads uses
 * the package's): same name, a code of the registry.
 */
export function isPatchloopError(e: unknown): e is PatchloopError {
  const code = (e as { code?: unknown } | null)?.code;
  const named = e instanceof Error && e.name === 'PatchloopError' && typeof code === 'string';
  return e instanceof PatchloopError || (named && Object.hasOwn(ERROR_CODES, code));
}
