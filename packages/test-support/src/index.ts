/**
 * Test support shared by every package's tests (`@patchloop/test-support`).
 * Production code never imports it (dependency-cruiser forbids it).
 */
export { errorOf } from './errors.js';
export { expectedOrdering, fixturePath, fixturesDir, readCsv, readFixture, repoRoot } from './fixtures.js';
export { installed } from './inventory.js';
