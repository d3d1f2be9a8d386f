import type { TestProject } from 'vitest/node';
import { startPgCluster } from './pg.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/**
 * vitest global setup: one throwaway PostgreSQL cluster for a project's run,
 * its URL given to the tests as `inject('pgUrl')`; each test file makes its own databases.
 */
export default async function setup(project: TestProject) {
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
