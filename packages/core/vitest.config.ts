import { packageProject } from '../../vitest.shared.js';

// core is pure and in memory: a test that needs more than 10 s is a defect to
// fix, not to wait for.
export default packageProject('core', { testTimeout: 10_000 });
