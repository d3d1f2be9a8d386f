import { packageProject } from '../../vitest.shared.js';

// Server tests run against PGlite and a real PostgreSQL cluster started once
// for the run (@patchloop/test-support's pg-setup).
export default packageProject('server', { pg: true });
