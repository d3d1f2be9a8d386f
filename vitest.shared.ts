import { fileURLToPath } from 'node:url';
import { configDefaults, defineProject } from 'vitest/config';

/** vitest global setup of a throwaway PostgreSQL cluster (`inject('pgUrl')` in the tests). */
const PG_SETUP = fileURLToPath(new URL('./packages/test-support/src/pg-setup.ts', import.meta.url));

export interface ProjectOptions {
  /** Start one throwaway PostgreSQL cluster for the project's run. */
  readonly pg?: boolean;
  /** More global setup files, run before the cluster starts. */
  readonly globalSetup?: string[];
  /** Per-test timeout; pure, in-memory packages keep it short so a slow test shows. */
  readonly testTimeout?: number;
  /**
   * The package's pure unit tests, when it has slower ones too: `npm test` runs them in its
   * fast first stage (PATCHLOOP_TEST_STAGE=unit) and the others after (=integration).
   */
  readonly unit?: string[];
}

const INCLUDE = ['src/**/*.test.ts', 'test/**/*.test.ts'];

/** The test files of a package for the stage scripts/run-tests.js runs (all of them outside it). */
function stageFiles(unit: string[] | undefined): { include: string[]; exclude?: string[] } {
  const stage = process.env.PATCHLOOP_TEST_STAGE;
  if (unit === undefined || stage === undefined) return { include: INCLUDE };
  if (stage === 'unit') return { include: unit };
  return { include: INCLUDE, exclude: [...configDefaults.exclude, ...unit] };
}

/** The vitest project settings every package shares. */
export function packageProject(name: string, opts: ProjectOptions = {}) {
  const globalSetup = [...(opts.globalSetup ?? []), ...(opts.pg ? [PG_SETUP] : [])];
  return defineProject({
    resolve: { conditions: ['source', 'node', 'development|production'] },
    ssr: { resolve: { conditions: ['source', 'node', 'development|production'] } },
    test: {
      name,
      ...stageFiles(opts.unit),
      environment: 'node',
      testTimeout: opts.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      ...(globalSetup.length > 0 ? { globalSetup } : {}),
    },
  });
}
