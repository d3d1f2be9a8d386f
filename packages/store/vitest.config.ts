import { packageProject } from '../../vitest.shared.js';

// Store tests run on PGlite and on a real PostgreSQL cluster started once
// for the run (test/global-setup.ts).
const project = packageProject('store');
export default { ...project, test: { ...project.test, globalSetup: ['./test/global-setup.ts'] } };
