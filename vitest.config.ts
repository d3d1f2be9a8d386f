import { defineConfig } from 'vitest/config';

// One vitest run over every workspace package (each is a vitest project with
// its own config). Workspace packages resolve to their TypeScript sources via
// the "source" export condition, so tests never need a build.
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
