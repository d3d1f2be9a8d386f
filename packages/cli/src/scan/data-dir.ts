/**
 * The embedded store's directory as the store resolves it (kept in step with
 * store/src/open.ts, whose module would load PGlite). `dataDir` already holds
 * --data-dir or PATCHLOOP_DATA_DIR (config.ts).
 */
export const DEFAULT_DATA_DIR = './patchloop-data';

export function resolveDataDir(dataDir: string | undefined): string {
  return dataDir ?? DEFAULT_DATA_DIR;
}
