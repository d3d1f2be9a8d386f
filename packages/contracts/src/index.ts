export * from './agent-protocol.js';
export * from './api.js';
export * from './agent-jobs.js';
export * from './session.js';
export * from './policies.js';
export * from './remediation.js';
export * from './deployments.js';
export * from './system.js';
