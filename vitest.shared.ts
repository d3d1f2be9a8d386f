import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** vitest global setup of a throwaway PostgreSQL cluster (`inject('pgUrl')` in the tests). */
const PG_SETUP = fileURLToPath(new URL('./packages/test-support/src/pg-setup.ts', import.meta.url));

export interface ProjectOptions {
  /** Start one throwaway PostgreSQL cluster for the project's run. */
  readonly pg?: boolean;
  /** More global setup files, run before the cluster starts. */
  readonly globalSetup?: string[];
  /** Per-test timeout; pure, in-memory packages keep it short so a slow test shows. */
  readonly testTimeout?: number;
}

/** The vitest project settings every package shares. */
export function packageProject(name: string, opts: ProjectOptions = {}) {
  const globalSetup = [...(opts.globalSetup ?? []), ...(opts.pg ? [PG_SETUP] : [])];
  return defineProject({
    resolve: { conditions: ['source', 'node', 'development|production'] },
    ssr: { resolve: { conditions: ['source', 'node', 'development|production'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: opts.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      ...(globalSetup.length > 0 ? { globalSetup } : {}),
    },
  });
}
