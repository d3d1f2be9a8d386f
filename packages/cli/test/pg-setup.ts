import { startPgCluster } from '@patchloop/store/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** One PostgreSQL cluster for the CLI's end-to-end tests that run the server on PostgreSQL. */
export default async function setup(project: TestProject) {
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
