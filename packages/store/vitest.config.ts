import { packageProject } from '../../vitest.shared.js';

// Store tests run on PGlite and on a real PostgreSQL cluster started once
// for the run (@patchloop/test-support's pg-setup).
export default packageProject('store', { pg: true });
