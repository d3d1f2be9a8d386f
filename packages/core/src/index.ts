export * from './error/codes.js';
export * from './vocabulary/index.js';
export * from './time/duration.js';
export * from './version/index.js';
export * from './inventory/index.js';
export * from './advisory/index.js';
// CVSS scoring (over ae-cvss-calculator) is its own entry, @patchloop/core/cvss:
// only feed parsing needs it, and loading it costs every command ~20 ms.
export * from './security/redact.js';
export * from './security/safe-value.js';
export * from './security/job-signing.js';
export * from './ecosystem/index.js';
export * from './match/index.js';
export { cvssSeverity } from './cvss/severity.js';
export * from './risk/index.js';
export * from './policy/index.js';
export * from './remediation/index.js';
export * from './deploy/index.js';
