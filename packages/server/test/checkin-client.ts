/**
 * The agent protocol clients moved to @patchloop/test-support/agent-protocol;
 * this re-export stays only for rbac.test.ts, which another change rewrites
 * (switch its import, then delete this file).
 */
export { enrollHost, facts } from '@patchloop/test-support/agent-protocol';
