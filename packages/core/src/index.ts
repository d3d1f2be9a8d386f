export * from './error/codes.js';
export * from './version/index.js';
export * from './inventory/os-release.js';
export * from './advisory/index.js';
export * from './cvss/score.js';
export * from './security/redact.js';
