import { defineProject } from 'vitest/config';

/** The vitest project settings every package shares. */
export function packageProject(name: string) {
  return defineProject({
    resolve: { conditions: ['source', 'node', 'development|production'] },
    ssr: { resolve: { conditions: ['source', 'node', 'development|production'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  });
}
