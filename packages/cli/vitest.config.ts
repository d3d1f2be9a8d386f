import { packageProject } from '../../vitest.shared.js';

// The end-to-end tests run the real `patchloop` binary, so the workspace is
// built (incrementally) before they start; the ones that run the server on
// PostgreSQL share one throwaway cluster.
export default packageProject('cli', { globalSetup: ['./test/build.ts'], pg: true });
