/** How Patchloop names itself in SARIF and CycloneDX output. */
export const TOOL_NAME = 'patchloop';
/**
 * The name under which Patchloop derives its deterministic identifiers (the
 * CycloneDX serial-number namespace). The project has no public home page
 * yet, so SARIF and CycloneDX output name no information URI.
 */
export const TOOL_URN = 'urn:patchloop';
/** The tool version written when the caller passes none. */
export const UNKNOWN_TOOL_VERSION = '0.0.0-unknown';

export interface ScanOutputOptions {
  /** ANSI colours in the table (the caller decides: a TTY, no NO_COLOR). */
  readonly color?: boolean;
  /** Patchloop's version, written into SARIF and CycloneDX. */
  readonly toolVersion?: string;
}
