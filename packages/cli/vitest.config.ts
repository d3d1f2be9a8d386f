import { packageProject } from '../../vitest.shared.js';

// The end-to-end tests run the real `patchloop` binary, so the workspace is
// built (incrementally) before they start.
const project = packageProject('cli');
export default {
  ...project,
  test: { ...project.test, globalSetup: ['./test/build.ts', './test/pg-setup.ts'] },
};
