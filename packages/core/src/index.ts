export * from './error/codes.js';
export * from './version/index.js';
export * from './inventory/index.js';
export * from './advisory/index.js';
export * from './cvss/score.js';
export * from './security/redact.js';
export * from './ecosystem/index.js';
export * from './match/index.js';
export { cvssSeverity } from './cvss/severity.js';
