/**
 * The part of the CLI's configuration that says where the store is. Its own
 * module, without config.ts's imports (feeds), so that `patchloop scan`
 * (scan-main.ts) loads nothing else.
 */
export interface StoreConfig {
  /** PATCHLOOP_DATA_DIR: the embedded store's directory. */
  readonly dataDir: string | undefined;
  /** PATCHLOOP_DATABASE_URL: PostgreSQL instead of the embedded store. */
  readonly databaseUrl: string | undefined;
}

export const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);

export function loadStoreConfig(env: Readonly<Record<string, string | undefined>>): StoreConfig {
  return { dataDir: nonEmpty(env.PATCHLOOP_DATA_DIR), databaseUrl: nonEmpty(env.PATCHLOOP_DATABASE_URL) };
}
