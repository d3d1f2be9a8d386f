import { packageProject } from '../../vitest.shared.js';

// Server tests run against PGlite and a real PostgreSQL cluster started once
// for the run (test/global-setup.ts).
const project = packageProject('server');
export default { ...project, test: { ...project.test, globalSetup: ['./test/global-setup.ts'] } };
