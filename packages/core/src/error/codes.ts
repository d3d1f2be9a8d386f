/**
 * The one registry of Patchloop error codes. Codes are stable: once released a
 * code is never renamed, reused or given another meaning. docs/ERRORS.md lists
 * the same codes (a test keeps the two in step).
 */
export const ERROR_CODES = {
  PL_VERSION_INVALID: 'A version string is not valid for its versioning scheme.',
  PL_VERSION_SCHEME_UNKNOWN: 'The versioning scheme (ecosystem) named is not one Patchloop knows.',
  PL_NEVRA_INVALID: 'An RPM package string is not a valid name-[epoch:]version-release[.arch].',
  PL_USAGE: 'A command was called with missing or conflicting arguments.',
  PL_INPUT_LINE_INVALID: 'A line of line-oriented input does not have the expected fields.',
  PL_OS_RELEASE_INVALID: 'An os-release file has a line that is not KEY=value.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

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

export function isPatchloopError(e: unknown): e is PatchloopError {
  return e instanceof PatchloopError;
}
